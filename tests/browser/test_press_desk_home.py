"""The press desk as the press office meets it at 1280 x 800, and the inquiry form's time
zone as a journalist in London meets it; axe-core on each page. Screenshots go to
``$SCREENSHOT_DIR`` when it is set, for people to look at."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from press.models import MediaInquiry
from tests.browser.conftest import assert_no_violations, axe_runner
from tests.factories import MediaInquiryFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"
DESKTOP = {"width": 1280, "height": 800}


def screenshot(tab, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        tab.screenshot(path=str(Path(folder) / name), full_page=False)


@pytest.fixture
def context_for(browser, live_server):
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(tab, user):
    tab.goto("/admin/login/")
    tab.get_by_label("Username").fill(user.username)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url("**/admin/")


def a_busy_morning():
    now = timezone.now()
    colleague = UserFactory(username="rosa", first_name="Rosa", last_name="Mendes", is_staff=True)
    MediaInquiryFactory(
        subject="Comment on the detention of journalists in Caracas",
        name="Amelia Hart",
        outlet="The Guardian",
        email="amelia.hart@theguardian.example",
        deadline=now - timedelta(minutes=40),
        assignee=colleague,
        status="in-progress",
    )
    MediaInquiryFactory(
        subject="Interview request: asylum pushbacks at the border",
        name="Kwame Mensah",
        outlet="BBC World Service",
        email="kwame.mensah@bbc.example",
        deadline=now + timedelta(hours=3),
    )
    MediaInquiryFactory(
        subject="Data on death sentences in 2026",
        name="Lucía Fernández",
        outlet="El País",
        email="lucia.fernandez@elpais.example",
    )
    MediaInquiryFactory(
        subject="Photo permissions for the Facing Walls report",
        name="Jonas Becker",
        outlet="Freelance",
        email="jonas.becker.freelance.photographer@example.org",
        deadline=now + timedelta(days=4),
        status="in-progress",
    )
    MediaInquiryFactory(
        subject="Already answered", deadline=now + timedelta(hours=1), status="answered"
    )


def test_the_press_desk_opens_the_admin_and_the_list_fits_1280(
    context_for, axe_source, press_officer
):
    a_busy_morning()
    tab = context_for(viewport=DESKTOP)
    axe = axe_runner(tab, axe_source)
    log_in(tab, press_officer)

    desk = tab.get_by_role("region", name="Press desk: inquiries to act on")
    assert desk.is_visible()
    # First on the page, above the article panels, and inside the first screen.
    desk_box = desk.bounding_box()
    scheduled = tab.get_by_role("heading", name="Scheduled next").bounding_box()
    assert desk_box["y"] < scheduled["y"] and desk_box["y"] < DESKTOP["height"] / 2
    for subject in (
        "Comment on the detention of journalists in Caracas",  # overdue, assigned
        "Interview request: asylum pushbacks at the border",  # new, due today
        "Data on death sentences in 2026",  # new, no deadline
        "Photo permissions for the Facing Walls report",  # unassigned, next week
    ):
        assert desk.get_by_role("link", name=subject, exact=False).is_visible()
    assert "Already answered" not in desk.inner_text()
    assert desk.get_by_text("No deadline given").is_visible()
    assert "America/New_York, UTC-0" in desk.inner_text()
    assert_no_violations(axe, "the admin home with the press desk")
    screenshot(tab, "pressdesk-admin-home-1280x800.png")

    desk.get_by_role("link", name="Data on death sentences in 2026", exact=False).click()
    tab.wait_for_url("**/admin/press/mediainquiry/*/change/")

    tab.goto("/admin/press/mediainquiry/")
    # Nothing scrolls sideways: neither the page nor the list's own scroll box, and the
    # last columns end inside the visible part of that box.
    assert tab.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    results = tab.locator("#changelist .results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    visible = results.bounding_box()
    for column in ("Assignee", "E-mail", "Created"):
        header = tab.locator("#result_list thead th").filter(has_text=column).first
        box = header.bounding_box()
        assert box is not None, column
        assert box["x"] + box["width"] <= visible["x"] + visible["width"] + 1, column
    assert_no_violations(axe, "the inquiry list at 1280 px")
    screenshot(tab, "pressdesk-inquiry-list-1280x800.png")


def test_the_reply_form_previews_the_signature(context_for, press_officer):
    press_officer.first_name, press_officer.last_name = "Sam", "Okafor"
    press_officer.save()
    inquiry = MediaInquiryFactory()
    tab = context_for(viewport=DESKTOP)
    log_in(tab, press_officer)
    tab.goto(f"/admin/press/mediainquiry/{inquiry.pk}/change/")
    preview = tab.locator("#reply-signature")
    assert preview.is_visible() and "Sam Okafor" in preview.inner_text()
    box = tab.get_by_label("Reply to the journalist").bounding_box()
    assert preview.bounding_box()["y"] > box["y"] + box["height"] - 1
    preview.scroll_into_view_if_needed()
    screenshot(tab, "pressdesk-reply-form-1280x800.png")


@pytest.mark.parametrize("viewport", [DESKTOP, {"width": 390, "height": 844}])
def test_a_journalist_in_london_gets_london_time_and_both_zones_back(
    context_for, axe_source, viewport
):
    tab = context_for(viewport=viewport, timezone_id="Europe/London")
    axe = axe_runner(tab, axe_source)
    tab.goto("/press/inquiry/")
    zone = tab.get_by_label("Your time zone")
    assert zone.input_value() == "Europe/London"
    help_text = tab.locator("#id_deadline_helptext").inner_text()
    assert "Europe/London (UTC+00:00)" in help_text  # December: GMT
    assert_no_violations(axe, "the media inquiry form")

    tab.get_by_label("Your name").fill("Amelia Hart")
    tab.get_by_label("E-mail").fill("amelia@example.org")
    tab.get_by_label("Outlet or organisation").fill("The Guardian")
    tab.get_by_label("Your deadline (optional)").fill("2030-01-15T17:00")
    tab.get_by_label("Subject").fill("Comment on the detentions")
    tab.get_by_label("Your question").fill("Could a spokesperson comment before 5 pm?")
    tab.get_by_label("The press office may contact me", exact=False).check()
    # A person takes a few seconds over the form; the spam check wants at least two.
    tab.wait_for_timeout(2100)
    tab.get_by_role("button", name="Send inquiry").click()
    tab.wait_for_url("**/press/inquiry/thanks/**")

    text = tab.locator("main").inner_text()
    assert "5:00 PM (Europe/London, UTC+00:00)" in text
    assert "12:00 PM (America/New_York, UTC-05:00)" in text
    inquiry = MediaInquiry.objects.get()
    assert inquiry.time_zone == "Europe/London"
    assert inquiry.deadline.isoformat() == "2030-01-15T17:00:00+00:00"
    assert_no_violations(axe, "the thank-you page")
    if viewport is DESKTOP:
        screenshot(tab, "pressdesk-inquiry-thanks-london-1280x800.png")
