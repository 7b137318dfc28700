"""Daily digests: one mail a day at the subscriber's hour with what they are owed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import services, tasks
from alerts.models import Delivery, DigestRun
from articles.models import Article
from tests.alerts.helpers import link, sent_to, subscriber
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return ArticleFactory(**fields)

    return make


def slot_at(hour):
    return services.next_slot(hour) - timedelta(days=1)


def test_a_digest_holds_everything_owed_in_one_mail(publish):
    reader = subscriber(frequency="daily", digest_hour=7, query="region=americas")
    other_hour = subscriber("nine@example.com", frequency="daily", digest_hour=9)
    first = publish(title="First", regions=["mx"])
    second = publish(title="Second", regions=["us"])
    publish(title="Elsewhere", regions=["fr"])
    assert mail.outbox == []

    result = tasks.send_digests.call(slot_at(7).isoformat())
    assert result == "queued 1 digests"
    [digest] = sent_to(reader.email)
    assert digest.subject == "Newsroom: 2 new articles for you"
    assert digest.body.index("First") < digest.body.index("Second")
    assert "Elsewhere" not in digest.body
    assert first.get_absolute_url() in digest.body and second.get_absolute_url() in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent_to(other_hour.email) == []
    assert not Delivery.objects.filter(subscription=reader, sent_at__isnull=True).exists()


def test_a_slot_is_sent_once(publish):
    reader = subscriber(frequency="daily", digest_hour=7)
    publish()
    slot = slot_at(7).isoformat()
    tasks.send_digests.call(slot)
    assert tasks.send_digests.call(slot) == "already run"
    # Owed again only by a new article; a new slot sends that alone.
    publish(title="Next day")
    tasks.send_digests.call((slot_at(7) + timedelta(days=1)).isoformat())
    assert len(sent_to(reader.email)) == 2
    assert DigestRun.objects.filter(state=DigestRun.State.DONE).count() == 2


def test_nothing_owed_sends_nothing(publish):
    subscriber(frequency="daily", digest_hour=7)
    assert tasks.send_digests.call(slot_at(7).isoformat()) == "queued 0 digests"
    assert mail.outbox == []


def test_each_slot_schedules_the_next_day(settings, publish):
    settings.TASKS = DB_TASKS
    subscriber(frequency="daily", digest_hour=7)
    slot = slot_at(7)
    tasks.send_digests.call(slot.isoformat())
    upcoming = DigestRun.objects.get(state=DigestRun.State.SCHEDULED)
    assert upcoming.slot_at == services.next_slot(7)
    assert timezone.localtime(upcoming.slot_at).hour == 7
    # Scheduling again (another confirmation at that hour) makes no second run.
    services.schedule_digest(7)
    assert DigestRun.objects.filter(state=DigestRun.State.SCHEDULED).count() == 1


def test_an_unpublished_article_waits(publish):
    reader = subscriber(frequency="daily", digest_hour=7)
    gone = publish(title="Withdrawn")
    publish(title="Still here")
    Article.objects.filter(pk=gone.pk).update(status=Article.Status.DRAFT)
    tasks.send_digests.call(slot_at(7).isoformat())
    [digest] = sent_to(reader.email)
    assert "Still here" in digest.body and "Withdrawn" not in digest.body
    assert Delivery.objects.get(article=gone).sent_at is None


def test_switching_to_instant_sends_what_the_digest_held(
    publish, client, django_capture_on_commit_callbacks
):
    reader = subscriber(frequency="daily", digest_hour=7)
    publish(title="Held for the digest")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link(reader, "preferences"), {"frequency": "instant", "digest_hour": 7})
    [message] = sent_to(reader.email)
    assert "Held for the digest" in message.body
    publish(title="Now instant")
    assert "Now instant" in sent_to(reader.email)[1].subject


def test_switching_to_daily_moves_what_is_owed_to_the_digest(publish, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}
    reader = subscriber()
    publish()
    services.update_preferences(subscription=reader, query="", frequency="daily", digest_hour=7)
    assert Delivery.objects.get().in_digest


@pytest.mark.parametrize(
    ("now", "hour", "expected"),
    [
        # 06:30 New York in winter: 07:00 the same day, 12:00 UTC.
        (datetime(2026, 12, 3, 11, 30, tzinfo=UTC), 7, datetime(2026, 12, 3, 12, tzinfo=UTC)),
        # Past the hour: tomorrow.
        (datetime(2026, 12, 3, 12, 30, tzinfo=UTC), 7, datetime(2026, 12, 4, 12, tzinfo=UTC)),
        # Across the change to summer time (March 8, 2026): 07:00 EDT is 11:00 UTC.
        (datetime(2026, 3, 7, 13, 0, tzinfo=UTC), 7, datetime(2026, 3, 8, 11, tzinfo=UTC)),
    ],
)
def test_slots_are_in_the_newsroom_zone(now, hour, expected):
    assert services.next_slot(hour, now=now) == expected
