"""Review before publishing in a real browser, by keyboard: a writer submits a draft
with a note, an editor finds it on the admin index, asks for changes, and once it is
resubmitted approves and schedules it. axe-core checks every page on the way."""

import pytest
from django.contrib.auth.models import Group

from articles.models import Article
from core.roles import EDITORS, WRITERS
from tests.browser.conftest import assert_no_violations
from tests.factories import ArticleFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"


def staff(role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/admin/")


def focused(page):
    return page.evaluate(
        "() => [document.activeElement.tagName, document.activeElement.textContent.trim()]"
    )


def tab_to(page, tag, text, *, limit=40):
    """Press Tab until the element with ``text`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == [tag, text]:
            return
    raise AssertionError(f"Tab never reached the {tag} “{text}”")


def press_enter_and_wait(page):
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_review_flow_by_keyboard(page, axe):
    writer, editor = staff(WRITERS), staff(EDITORS)
    article = ArticleFactory(
        title="Facing walls", draft=True, created_by=writer, updated_by=writer
    )
    change = f"/admin/articles/article/{article.pk}/change/"

    # The writer submits with a note.
    log_in(page, writer)
    page.goto(change)
    assert_no_violations(axe, "the writer's change form with the workflow panel")
    page.get_by_label("Note for the timeline").fill("Legal has checked the figures.")
    tab_to(page, "BUTTON", "Submit for review")
    press_enter_and_wait(page)
    assert page.get_by_text("“Facing walls” is in review").is_visible()
    assert page.get_by_text("Legal has checked the figures.").is_visible()

    # The editor finds it on the index and asks for a change.
    log_in(page, editor)
    awaiting = page.get_by_role("region", name="Awaiting your review")
    assert awaiting.get_by_role("link", name="Facing walls").is_visible()
    assert_no_violations(axe, "the admin index")
    awaiting.get_by_role("link", name="Facing walls").focus()
    press_enter_and_wait(page)
    assert_no_violations(axe, "the editor's change form of an article in review")
    page.get_by_label("Note for the timeline").fill("The figure is 63, not 36.")
    tab_to(page, "BUTTON", "Request changes")
    press_enter_and_wait(page)
    assert page.get_by_text("Changes requested on “Facing walls”").is_visible()

    # Resubmitted, then approved and scheduled for a moment in the newsroom's zone.
    Article.objects.filter(pk=article.pk).update(review_state="in_review")
    page.goto(change)
    page.get_by_label("Note for the timeline").focus()
    tab_to(page, "SUMMARY", "Approve and schedule…")
    page.keyboard.press("Enter")
    when = page.get_by_label(
        "Date and time, in the newsroom's zone: America/New_York", exact=False
    )
    assert when.is_visible()
    when.fill("2099-01-01T08:00")
    tab_to(page, "BUTTON", "Approve and schedule")
    press_enter_and_wait(page)
    assert page.get_by_text("Scheduled for Thursday, January 1, 2099, 8:00 a.m. EST.").is_visible()
    timeline = page.get_by_role("list", name="Timeline")
    for step in ("Submitted for review", "Requested changes", "Approved and scheduled"):
        assert timeline.get_by_text(step).first.is_visible()
    assert_no_violations(axe, "the change form of a scheduled article with its timeline")
    article.refresh_from_db()
    assert article.state == "scheduled"
