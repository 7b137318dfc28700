"""Stale translations in a real browser: the change form's panel and the
translation-status page pass axe-core, and the keyboard alone marks a translation up
to date."""

import pytest
from django.utils import timezone

from desk.models import TranslationBase
from desk.revisions import record_revision
from tests.browser.test_revisions import axe_within, format_violations, log_in
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def stale_translation(multilingual):
    source = ArticleFactory(
        title="Detentions in the north",
        summary="Dozens detained.",
        body="<p>Police detained 36 people on Monday.</p>",
        published_at=timezone.now().replace(microsecond=0),
    )
    record_revision(article=source, message="Created.")
    translation = ArticleFactory(
        title="Detenciones en el norte",
        language="es",
        translation_of=source,
        published_at=timezone.now().replace(microsecond=0),
    )
    ArticleFactory(title="الاعتقالات في الشمال", language="ar", translation_of=source, draft=True)
    source.title = "Detentions in the north: 63 held"
    source.body = "<p>Police detained 63 people on Monday.</p>"
    source.save()
    record_revision(article=source, message="Corrected the figure.")
    return translation


def test_the_panel_passes_axe_and_the_keyboard_marks_up_to_date(
    page, axe_source, editor, stale_translation
):
    log_in(page, editor)
    page.goto(f"/admin/articles/article/{stale_translation.pk}/change/")
    panel = page.locator(".translation-stale")
    assert panel.get_by_role("heading").inner_text().startswith("The source changed")
    assert panel.locator(".revision-diff ins").first.inner_text().endswith("63 held")
    violations = axe_within(page, axe_source, ".translation-stale")
    assert not violations, format_violations(violations)

    button = panel.get_by_role("button", name="Mark as up to date")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Marked up to date with version 2 of the source.").is_visible()
    assert page.locator(".translation-stale").count() == 0
    assert TranslationBase.objects.get(translation=stale_translation).marked_by == editor


def test_the_status_page_passes_axe(page, axe, editor, stale_translation):
    log_in(page, editor)
    page.goto("/admin/articles/article/translations/")
    row = page.get_by_role("row", name="Detentions in the north: 63 held")
    assert "Out of date" in row.inner_text()
    violations = axe()
    assert not violations, format_violations(violations)
    page.get_by_role("link", name="Out of date").click()
    page.wait_for_url("**/translations/?stale=1")
    assert page.locator(".translation-status tbody tr").count() == 1  # the stale story
