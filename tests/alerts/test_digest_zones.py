"""Daily digests at the subscriber's hour in the subscriber's own time zone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from alerts import services, tasks
from alerts.models import DigestRun, Subscription
from tests.alerts.helpers import link, path_of, sent_to, subscriber
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/press/alerts/"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # 08:00 in London in winter is 08:00 UTC; in summer 07:00 UTC.
        (
            "Europe/London",
            datetime(2026, 12, 3, 9, tzinfo=UTC),
            datetime(2026, 12, 4, 8, tzinfo=UTC),
        ),
        (
            "Europe/London",
            datetime(2026, 7, 3, 6, tzinfo=UTC),
            datetime(2026, 7, 3, 7, tzinfo=UTC),
        ),
        # Half-hour zones work too: 08:00 in Kolkata is 02:30 UTC.
        (
            "Asia/Kolkata",
            datetime(2026, 12, 3, 0, tzinfo=UTC),
            datetime(2026, 12, 3, 2, 30, tzinfo=UTC),
        ),
        # No zone: the newsroom's, as before.
        ("", datetime(2026, 12, 3, 11, tzinfo=UTC), datetime(2026, 12, 3, 13, tzinfo=UTC)),
    ],
)
def test_slots_are_in_the_subscribers_zone(zone, now, expected):
    assert services.next_slot(8, zone, now=now) == expected


def test_each_subscriber_gets_the_digest_at_their_own_hour(django_capture_on_commit_callbacks):
    london = subscriber(
        "london@example.com", frequency="daily", digest_hour=8, digest_time_zone="Europe/London"
    )
    new_york = subscriber(
        "ny@example.com", frequency="daily", digest_hour=8, digest_time_zone="America/New_York"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="Today's release")
    earlier = datetime.now(UTC) - timedelta(days=2)
    london_slot = services.next_slot(8, "Europe/London", now=earlier)
    new_york_slot = services.next_slot(8, "America/New_York", now=earlier)
    assert london_slot != new_york_slot

    assert tasks.send_digests.call(london_slot.isoformat()) == "queued 1 digests"
    assert len(sent_to(london.email)) == 1 and sent_to(new_york.email) == []
    assert tasks.send_digests.call(new_york_slot.isoformat()) == "queued 1 digests"
    assert len(sent_to(new_york.email)) == 1


def test_each_zone_schedules_its_own_next_day(settings):
    settings.TASKS = DB_TASKS
    subscriber(
        "london@example.com", frequency="daily", digest_hour=8, digest_time_zone="Europe/London"
    )
    slot = services.next_slot(8, "Europe/London") - timedelta(days=1)
    tasks.send_digests.call(slot.isoformat())
    upcoming = DigestRun.objects.get(state=DigestRun.State.SCHEDULED)
    assert upcoming.slot_at == services.next_slot(8, "Europe/London")


def test_subscribing_asks_the_zone_and_the_mail_confirms_it(
    client, django_capture_on_commit_callbacks
):
    page = client.get(URL).content.decode()
    assert '<option value="Europe/London"' in page and "Europe/London (UTC+0" in page
    assert "data-prefill" in page and "js/time_zone.js" in page
    assert '<option value="America/New_York" selected' in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL,
            {
                "email": "reporter@example.com",
                "frequency": "daily",
                "digest_hour": "8",
                "digest_time_zone": "Europe/London",
            },
        )
    reader = Subscription.objects.get()
    assert (reader.digest_hour, reader.digest_time_zone) == (8, "Europe/London")
    (message,) = mail.outbox
    assert re.search(r"08:00 Europe/London \(UTC\+0[01]:00\)", message.body)

    confirm = path_of(re.search(r"https?://\S+/press/alerts/confirm/\S+/", message.body).group())
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(confirm).content.decode()
    assert "08:00 (Europe/London)" in page


def test_a_form_without_a_zone_means_the_newsrooms(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL, {"email": "reporter@example.com", "frequency": "daily", "digest_hour": "8"}
        )
    assert Subscription.objects.get().digest_time_zone == "America/New_York"


def test_an_unknown_zone_is_refused_with_a_message(client):
    response = client.post(
        URL,
        {
            "email": "reporter@example.com",
            "frequency": "daily",
            "digest_hour": "8",
            "digest_time_zone": "Nowhere/Special",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["digest_time_zone"]
    assert not Subscription.objects.exists()


def test_preferences_keep_and_change_the_zone(client, django_capture_on_commit_callbacks):
    reader = subscriber(frequency="daily", digest_hour=7, digest_time_zone="Asia/Tokyo")
    page = client.get(link(reader, "preferences")).content.decode()
    assert '<option value="Asia/Tokyo" selected' in page
    assert "data-prefill" not in page  # a saved choice is not overridden by the browser
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            link(reader, "preferences"),
            {"frequency": "daily", "digest_hour": "9", "digest_time_zone": "Europe/Paris"},
        )
    reader.refresh_from_db()
    assert (reader.digest_hour, reader.digest_time_zone) == (9, "Europe/Paris")
