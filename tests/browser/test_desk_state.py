"""The top of the article change form in a real browser at laptop width: the state, who
is waiting on whom and the next steps are on screen without scrolling, for a draft, an
article in review and a live article with changes pending; and a writer's change to a
live article goes through the corrections step, waits, and is approved by an editor
who sees the word diff. axe-core checks every page on the way.

Set ``DESK_SHOTS`` to a folder to keep 1280x800 screenshots of the three forms."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.models import Article
from core.models import SiteSettings
from core.roles import EDITORS, WRITERS
from desk import workflow
from tests.browser.conftest import assert_no_violations
from tests.factories import ArticleFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"
LAPTOP = {"width": 1280, "height": 800}
SHOTS = os.environ.get("DESK_SHOTS")


def staff(role, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def shoot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"desk-{name}.png"))


def in_view(locator):
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] <= LAPTOP["height"]


def two_people():
    settings = SiteSettings.load()
    settings.require_second_person = True
    settings.save()


def test_the_top_of_the_form_tells_the_state_once(page, axe):
    writer = staff(WRITERS, first_name="Sam", last_name="Writer")
    editor = staff(EDITORS, first_name="Ana", last_name="Editor")
    two_people()
    draft = ArticleFactory(
        title="Release the detained journalists", draft=True, created_by=writer, updated_by=writer
    )
    in_review = ArticleFactory(
        title="Facing walls: the rights of asylum-seekers",
        draft=True,
        created_by=writer,
        updated_by=writer,
    )
    workflow.perform(article=in_review, user=writer, action="submit", comment="Legal checked.")
    live = ArticleFactory(
        title="36 people detained after the protest", created_by=writer, updated_by=writer
    )
    page.set_viewport_size(LAPTOP)

    log_in(page, editor)
    page.goto(f"/admin/articles/article/{draft.pk}/change/")
    state = page.get_by_role("region", name="State: Draft")
    expect(state).to_contain_text("Not submitted for review. Not scheduled.")
    assert in_view(page.get_by_role("button", name="Publish now"))
    expect(page.locator(".field-publication .readonly")).to_have_text("Not scheduled")
    expect(page.get_by_text("Status:", exact=True)).to_have_count(0)
    shoot(page, "draft")
    assert_no_violations(axe, "the change form of a draft")

    page.goto(f"/admin/articles/article/{in_review.pk}/change/")
    state = page.get_by_role("region", name="State: In review")
    expect(state).to_contain_text("Waiting for an editor's review since")
    expect(state).to_contain_text("submitted by Sam Writer")
    assert in_view(page.get_by_role("button", name="Approve and publish"))
    shoot(page, "in-review")
    assert_no_violations(axe, "the change form of an article in review")
    # The timeline is one link away.
    page.get_by_role("link", name="Timeline (1 step").click()
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("Legal checked.")

    # The writer changes the live article: the corrections question is a step of saving.
    log_in(page, writer)
    page.goto(f"/admin/articles/article/{live.pk}/change/")
    page.get_by_label("Title:").fill("63 people detained after the protest")
    page.get_by_role("button", name="Save", exact=True).first.click()
    step = page.get_by_role("region", name="One more step before saving")
    expect(step).to_contain_text("you changed its title")
    assert in_view(step.get_by_text("Correction: an error of fact is fixed"))
    expect(page.get_by_text("Please correct the error")).to_have_count(0)
    assert_no_violations(axe, "the corrections step")
    step.get_by_label("Correction: an error of fact is fixed").check()
    step.get_by_label("Note to readers").fill("An earlier version said 36; it is 63.")
    step.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("wait for an editor's review")
    expect(page.get_by_role("region", name="State: Live, changes pending")).to_be_visible()
    expect(page.get_by_label("Title:")).to_have_value("63 people detained after the protest")
    live.refresh_from_db()
    assert live.title == "36 people detained after the protest"

    log_in(page, editor)
    page.goto(f"/admin/articles/article/{live.pk}/change/")
    state = page.get_by_role("region", name="State: Live, changes pending")
    expect(state).to_contain_text("Changes wait for an editor's review since")
    assert in_view(state.get_by_role("link", name="Review the pending changes"))
    shoot(page, "live-pending")
    assert_no_violations(axe, "the change form of a live article with pending changes")


def test_an_editor_approves_pending_changes_seeing_the_diff(page, axe):
    writer = staff(WRITERS, first_name="Sam", last_name="Writer")
    editor = staff(EDITORS, first_name="Ana", last_name="Editor")
    two_people()
    live = ArticleFactory(
        title="36 people detained after the protest",
        body="<p>Police detained 36 people at the protest.</p>",
        created_by=writer,
        updated_by=writer,
    )
    page.set_viewport_size(LAPTOP)
    log_in(page, writer)
    page.goto(f"/admin/articles/article/{live.pk}/change/")
    page.get_by_label("Title:").fill("63 people detained after the protest")
    page.get_by_role("button", name="Save", exact=True).first.click()
    step = page.get_by_role("region", name="One more step before saving")
    step.get_by_label("Correction: an error of fact is fixed").check()
    step.get_by_label("Note to readers").fill("An earlier version said 36; it is 63.")
    step.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("wait for an editor's review")

    log_in(page, editor)
    page.goto(f"/admin/articles/article/{live.pk}/change/")
    page.get_by_role("link", name="Review the pending changes").click()
    diff = page.locator("table.revision-diff")
    expect(diff.locator("del")).to_contain_text("36")
    expect(diff.locator("ins")).to_contain_text("63")
    expect(page.get_by_label("Correction: an error of fact is fixed")).to_be_checked()
    shoot(page, "pending-review")
    assert_no_violations(axe, "the pending changes page")
    page.get_by_role("button", name="Approve and publish these changes").click()
    expect(page.get_by_text("are approved and live")).to_be_visible()
    expect(page.get_by_role("region", name="State: Live")).to_be_visible()

    page.goto(live.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "63 people detained after the protest"
    )
    expect(page.get_by_text("An earlier version said 36; it is 63.")).to_be_visible()
    assert Article.objects.get(pk=live.pk).state == "live"
