"""The corrections page and the article list as staff use them at laptop width, in a
real browser: axe-core finds nothing, the keyboard reaches everything."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import ArticleNote
from tests.browser.conftest import assert_no_violations
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"
LAPTOP = {"width": 1280, "height": 800}
HEADLINES = [
    "Authorities must immediately and unconditionally release the human rights defenders "
    "detained after last week's peaceful protest in the capital",
    "Facing Walls: USA and Mexico's violations of the rights of asylum-seekers",
    "Brazil: Police killings in favelas must be investigated",
]


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_article_list_at_laptop_width(page, axe, editor):
    for i, title in enumerate(HEADLINES * 4):
        ArticleFactory(
            title=title,
            slug=f"article-{i}",
            regions=["mx", "us", "br", "americas"],
            topics=["Refugees and migrants"],
            published_at=timezone.now() - timedelta(hours=i),
        )
    page.set_viewport_size(LAPTOP)
    log_in(page, editor)
    page.goto("/admin/articles/article/")

    # Nothing scrolls sideways, and each row's state and time are on screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for cell in ("td.field-state_badge", "td.field-publication_time"):
        box = page.locator(cell).first.bounding_box()
        assert box["x"] + box["width"] <= LAPTOP["width"], cell
    # A headline of ordinary length takes at most two lines.
    headline = page.locator(".article-headline", has_text=HEADLINES[1]).first
    line_height = float(headline.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert headline.bounding_box()["height"] <= 2 * line_height + 1
    assert_no_violations(axe, "the article list")

    # The region filter is one select, worked from the keyboard.
    select = page.get_by_label("Region or country")
    select.focus()
    select.select_option("mx")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Filter"
    page.keyboard.press("Enter")
    page.wait_for_url("**region=mx**")
    assert page.locator("#result_list tbody tr").count() == 12


def test_change_form_asks_what_kind_of_change(page, editor):
    article = ArticleFactory(title="36 people detained", slug="detained")
    page.set_viewport_size(LAPTOP)
    log_in(page, editor)
    page.goto(f"/admin/articles/article/{article.pk}/change/")

    # The body editor leaves the browser's spellcheck on.
    editor_area = page.locator(".ProseMirror").first
    editor_area.wait_for(state="attached")
    assert editor_area.evaluate("e => e.spellcheck") is True
    assert page.get_by_text("The article's address:").first.is_visible()

    page.get_by_label("Title:").fill("63 people detained")
    page.get_by_role("button", name="Save", exact=True).first.click()
    # Waits for the re-rendered form (is_visible() would read the page before it loads).
    expect(page.get_by_text("say what kind of change this is")).to_be_visible()
    assert page.get_by_label("Title:").input_value() == "63 people detained"

    page.get_by_label("Correction: an error of fact is fixed").check()
    page.get_by_label("Note to readers:").fill("An earlier version said 36; it is 63.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_url("**/admin/articles/article/")
    assert ArticleNote.objects.get().text == "An earlier version said 36; it is 63."


def test_corrections_page(page, axe):
    article = ArticleFactory(title="Detentions in the capital", slug="detentions")
    correction = ArticleNote.objects.create(
        article=article,
        kind="correction",
        text="An earlier version said 36 people; the figure is 63.",
    )
    for i in range(24):
        ArticleNote.objects.create(
            article=ArticleFactory(slug=f"older-{i}"),
            kind="clarification",
            text=f"Clarification {i}",
            published_at=timezone.now() - timedelta(days=i + 1),
        )

    page.goto("/news/corrections/")
    assert page.get_by_role("heading", name="Corrections and clarifications").is_visible()
    assert_no_violations(axe, "the corrections page")

    # From the keyboard: Tab reaches the first correction's link, Enter opens the article
    # at its note.
    link = page.get_by_role("link", name="Detentions in the capital")
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("the keyboard never reached the first correction")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/news/detentions/#note-{correction.pk}")
    assert page.get_by_text("the figure is 63.").is_visible()
    assert_no_violations(axe, "an article with a correction")
    page.wait_for_load_state("networkidle")

    page.goto("/news/corrections/")
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**/news/corrections/?page=2")
    assert page.get_by_text("Clarification 23").is_visible()
