"""The press desk at the top of the admin index: nothing a journalist is waiting on can
be missed there, whatever its deadline."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from press.templatetags.press_dashboard import end_of_today
from tests.factories import MediaInquiryFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:press_mediainquiry_changelist")


def desk(html):
    start = html.index('aria-labelledby="press-desk-title"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def press_client(client, press_officer):
    client.force_login(press_officer)
    return client


def test_new_unassigned_overdue_and_due_today_all_show_most_urgent_first(
    press_client, press_officer
):
    now = timezone.now()
    colleague = UserFactory(username="rosa", first_name="Rosa", last_name="Mendes", is_staff=True)
    tonight = end_of_today(now)
    MediaInquiryFactory(subject="No deadline at all")  # new, unassigned, deadline-less
    MediaInquiryFactory(
        subject="Missed it",
        deadline=now - timedelta(hours=1),
        assignee=colleague,
        status="in-progress",
    )
    MediaInquiryFactory(
        subject="Later today",
        deadline=now + (tonight - now) / 2,
        assignee=colleague,
        status="in-progress",
    )
    MediaInquiryFactory(
        subject="Nobody took it", deadline=now + timedelta(days=6), status="in-progress"
    )
    MediaInquiryFactory(
        subject="Taken, next week",
        deadline=now + timedelta(days=7),
        assignee=colleague,
        status="in-progress",
    )
    MediaInquiryFactory(subject="Answered", deadline=now + timedelta(hours=1), status="answered")
    MediaInquiryFactory(subject="Spam", status="spam")

    html = press_client.get(INDEX).content.decode()
    panel = desk(html)

    order = ["Missed it", "Later today", "Nobody took it", "No deadline at all"]
    assert [panel.index(subject) for subject in order] == sorted(
        panel.index(subject) for subject in order
    )
    for absent in ("Taken, next week", "Answered", "Spam"):
        assert absent not in panel
    assert "Overdue by 1 h" in panel and "No deadline given" in panel
    assert "Rosa Mendes" in panel and "Unassigned" in panel and ">New<" in panel
    # Every deadline in the newsroom's zone, with its offset.
    assert re.search(r"\(America/New_York, UTC-0[45]:00\)", panel)
    # The counts, each a link to the same list in the inquiry admin.
    assert (
        f'<a href="{CHANGELIST}?deadline_state=overdue" class="press-desk__alarm">1 overdue'
        in panel
    )
    assert f'href="{CHANGELIST}?assigned=no">2 unassigned' in panel
    assert f'href="{CHANGELIST}?status__exact=new">1 new' in panel
    assert f'href="{CHANGELIST}?deadline_state=today"' in panel


def test_the_desk_comes_before_the_article_panels(press_client):
    MediaInquiryFactory(subject="Waiting")
    html = press_client.get(INDEX).content.decode()
    assert html.index("Press desk: inquiries to act on") < html.index("Scheduled next")


def test_an_empty_desk_says_so(press_client):
    html = press_client.get(INDEX).content.decode()
    assert "Nothing waiting" in desk(html)


def test_more_than_shown_links_to_the_list(press_client):
    for number in range(12):
        MediaInquiryFactory(subject=f"Inquiry {number}")
    panel = desk(press_client.get(INDEX).content.decode())
    assert "2 more in the inquiry list" in panel


def test_the_desk_costs_two_queries(press_client, django_assert_num_queries):
    for number in range(5):
        MediaInquiryFactory(subject=f"Inquiry {number}", deadline=timezone.now())
    from press.templatetags.press_dashboard import press_dashboard

    request = press_client.get(INDEX).wsgi_request
    with django_assert_num_queries(2):
        press_dashboard({"request": request})


def test_writers_do_not_see_the_desk(writer_client):
    MediaInquiryFactory(deadline=timezone.now() + timedelta(hours=1))
    assert "Press desk" not in writer_client.get(INDEX).content.decode()
