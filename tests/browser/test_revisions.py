"""The revisions and diff view in a real browser: axe-core finds nothing, the keyboard
alone chooses two versions and compares them; a refused stale save and the edit lock
banner on the change form pass axe too."""

import re

import pytest
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Region
from desk.revisions import ensure_current, record_revision
from tests.browser.conftest import WCAG_TAGS, assert_no_violations, format_violations
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"


def axe_within(page, axe_source, *selectors):
    """axe-core's WCAG 2.2 AA violations inside ``selectors`` only: the change form's
    rich-text and autocomplete widgets are not this page's to judge."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(
        """async ([selectors, tags]) => {
            const context = {include: selectors.map(s => [s])};
            const results = await axe.run(context, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary),
            }));
        }""",
        [list(selectors), WCAG_TAGS],
    )


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def article(editor):
    article = ArticleFactory(
        title="Detentions in the north",
        summary="Dozens detained.",
        body="<p>Police detained 36 people on Monday.</p><p>They were released.</p>",
        published_at=timezone.now().replace(microsecond=0),
    )
    ensure_current(article)
    # One edit, as the editor's save makes it: its own revision, so the record of
    # changes made outside the editor finds nothing to add when it commits.
    with transaction.atomic():
        article.title = "Detentions in the north: 63 held"
        article.body = "<p>Police detained 63 people on Monday.</p><p>Most were released.</p>"
        article.save()
        article.regions.set(Region.objects.filter(slug__in=["mx", "cl"]))
        record_revision(article=article, user=editor, message="Corrected the figure.")
    return article


def test_keyboard_compares_two_versions_and_the_diff_passes_axe(page, axe, editor, article):
    log_in(page, editor)
    page.goto(f"/admin/articles/article/{article.pk}/revisions/")
    assert_no_violations(axe, "the revisions list")

    # Choose "from version 1" with the arrow keys, then reach the button with Tab alone.
    newer_as_from = page.get_by_label("Compare from version 2")
    newer_as_from.focus()
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Compare from version 1").is_checked()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "Compare selected versions":
            break
    else:
        pytest.fail("Tab never reached the compare button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/revisions/compare/\?(a=1&b=2|b=2&a=1)$"))

    assert page.get_by_role("heading", name="Compare versions 1 and 2").is_visible()
    diff = page.locator(".revision-diff")
    assert diff.locator("del", has_text="36").first.is_visible()
    assert diff.locator("ins", has_text="63").first.is_visible()
    assert diff.locator("ins", has_text="Mexico").is_visible()
    assert_no_violations(axe, "the comparison")

    # Every link of the page is in the tab order, focus visible on each.
    load = page.get_by_role("link", name="Load version 1 into the editor")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Load version 1 into the editor":
            break
    else:
        pytest.fail("Tab never reached “Load version 1 into the editor”")
    outline = load.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/change/\?restore=1"))
    assert page.get_by_label("Title:").input_value() == "Detentions in the north"
    assert page.get_by_text("Version 1 is loaded into the form").is_visible()


def test_a_refused_stale_save_and_the_lock_banner_pass_axe(
    page, axe_source, editor, writer, article
):
    log_in(page, editor)
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.get_by_label("Summary:").fill("My own summary, typed in the browser.")
    # Meanwhile a writer saves.
    current = Article.objects.get(pk=article.pk)
    current.title = "A writer's title"
    current.save()
    record_revision(article=current, user=writer, message="Changed Title.")

    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_load_state()
    assert page.get_by_text("while you were editing it").is_visible()
    assert page.get_by_label("Summary:").input_value() == "My own summary, typed in the browser."
    conflict = page.locator(".desk-notice--conflict")
    assert conflict.locator("ins", has_text="writer's").first.is_visible()
    violations = axe_within(page, axe_source, ".desk-notice--conflict", ".errornote")
    assert not violations, format_violations(violations)

    # Another editor opens it: the lock banner with its Take over button.
    other = page.context.browser.new_context(base_url=page.url.split("/admin/")[0])
    try:
        second = other.new_page()
        second.goto("/admin/login/")
        second.get_by_label("Username").fill(writer.username)
        second.get_by_label("Password").fill(PASSWORD)
        second.get_by_role("button", name="Log in").click()
        second.wait_for_url("**/admin/")
        second.goto(f"/admin/articles/article/{article.pk}/change/")
        assert second.get_by_text(re.compile(r"Being edited by \w+ since")).is_visible()
        violations = axe_within(second, axe_source, "#edit-lock-status")
        assert not violations, format_violations(violations)
        second.get_by_role("button", name="Take over editing").click()
        second.wait_for_load_state()
        assert second.get_by_text("You are now editing").is_visible()
        # The first editor's page hears of it at its next heartbeat (here: on coming
        # back to the tab) and says so; their typed text stays in the form.
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        notice = page.locator("#edit-lock-status")
        notice.get_by_text("took over editing at").wait_for()
        assert writer.username in notice.inner_text()
        assert page.get_by_label("Summary:").input_value().startswith("My own summary")
    finally:
        other.close()
