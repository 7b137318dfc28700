"""Translating from the article change form in a real browser: the Versions panel is
reached and worked from the keyboard, axe-core finds nothing, and the button lands on the
new draft."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import assert_no_violations
from tests.browser.test_editorial_desk import LAPTOP, log_in
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_translate_into_spanish_from_the_versions_panel(page, axe, writer, multilingual):
    source = ArticleFactory(title="Release the detained journalists", slug="release")
    page.set_viewport_size(LAPTOP)
    log_in(page, writer)
    page.goto(f"/admin/articles/article/{source.pk}/change/")

    panel = page.get_by_role("region", name="Versions")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("cell", name="English (source)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_violations(axe, "a source's change form with its Versions panel")

    button = panel.get_by_role("button", name="Translate into Español")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Made a draft in Español")

    translation = Article.objects.get(language="es")
    assert page.url.endswith(f"/admin/articles/article/{translation.pk}/change/")
    expect(page.get_by_label("Title:")).to_have_value("Release the detained journalists")
    panel = page.get_by_role("region", name="Versions")
    expect(panel.get_by_role("link", name="Release the detained journalists")).to_be_visible()
    expect(page.get_by_text("Shared with the source: edit them on").first).to_be_visible()
    assert_no_violations(axe, "a translation's change form")
