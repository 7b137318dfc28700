"""The alerts through the real path: the database task queue, django-tasks-db's worker
and a real SMTP server on 127.0.0.1 that refuses some addresses."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alerts import services, tasks
from alerts.models import Delivery, DigestRun, Subscription
from articles.models import Article
from outbox.models import Message
from outbox.sending import deliver_due
from tests.alerts.helpers import RefusingSink, subscriber
from tests.factories import ArticleFactory
from tests.press.test_worker import run_worker
from tests.smtp import free_port, race, smtp_mailers

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def sink(settings):
    handler = RefusingSink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailers(controller.port, timeout=5)
    yield handler.messages
    controller.stop()


def recipients(received):
    return sorted(address for rcpt_tos, _ in received for address in rcpt_tos)


def test_exactly_once_under_a_retried_task(sink):
    readers = [subscriber(f"reader{n}@example.com") for n in range(5)]
    bouncing = subscriber("bounce@example.com")
    article = ArticleFactory(title="Release of the activists")
    # Nothing is sent inside the save; the fan-out waits in the queue.
    assert sink == []
    # The same task twice: a retry after a lost result, or the sweeper's copy.
    tasks.fan_out_article.enqueue(article.pk)
    run_worker()
    assert recipients(sink) == sorted(reader.email for reader in readers)
    _, message = sink[0]
    assert message["Subject"] == "Press Release: Release of the activists"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # One line, a plain URL: never RFC 2047 encoded words, which no client would follow.
    assert re.fullmatch(
        r"<http://localhost:8000/press/alerts/unsubscribe/[\w:-]+/>", message["List-Unsubscribe"]
    )
    bouncing.refresh_from_db()
    assert bouncing.bounce_count == 1
    # And again, by hand: still once.
    tasks.fan_out_article.enqueue(article.pk)
    tasks.queue_alerts.enqueue(article.pk)
    run_worker()
    assert len(sink) == 5
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()


def test_two_senders_at_once_send_each_mail_once(sink):
    readers = [subscriber(f"reader{n}@example.com") for n in range(40)]
    article = ArticleFactory()
    tasks.owe_article(article)
    tasks.queue_alerts.call(article.pk)
    outcomes = race(deliver_due)
    assert len(outcomes) == 2
    # SQLite allows one writer: under load the second sender may find the database locked,
    # which a real worker retries. PostgreSQL lets both run; neither may fail otherwise.
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            assert connection.vendor == "sqlite" and "locked" in str(outcome), outcome
    assert recipients(sink) == sorted(reader.email for reader in readers)
    assert Delivery.objects.filter(sent_at__isnull=False).count() == 40
    assert Message.objects.filter(state=Message.State.SENT).count() == 40


def test_a_scheduled_article_is_sent_at_its_time(sink):
    reader = subscriber()
    article = ArticleFactory(scheduled=True)
    task = DBTaskResult.objects.get(task_path="alerts.tasks.fan_out_article")
    assert task.run_after == article.published_at
    run_worker()
    assert sink == []
    # The time comes.
    now = timezone.now()
    Article.objects.filter(pk=article.pk).update(published_at=now - timedelta(seconds=1))
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=now)
    run_worker()
    assert recipients(sink) == [reader.email]


def test_a_moved_time_leaves_the_old_task_with_nothing_to_do(sink):
    subscriber()
    article = ArticleFactory(scheduled=True)
    article.published_at = timezone.now() + timedelta(days=3)
    article.save()
    tasks_queued = DBTaskResult.objects.filter(task_path="alerts.tasks.fan_out_article")
    assert sorted(t.run_after for t in tasks_queued)[-1] == article.published_at
    # The first task's time comes: the article is still scheduled, nothing goes.
    DBTaskResult.objects.filter(run_after__lt=article.published_at).update(
        run_after=timezone.now()
    )
    run_worker()
    assert sink == []
    assert Subscription.objects.get().deliveries.count() == 0


def test_the_sweeper_catches_up(sink):
    """Tasks lost (here: never enqueued, as on a backend that cannot defer) are found by
    ``send_alerts``: a due fan-out and a due digest slot."""
    reader = subscriber("daily@example.com", frequency="daily", digest_hour=7)
    instant = subscriber("instant@example.com")
    ArticleFactory()
    DBTaskResult.objects.all().delete()
    DigestRun.objects.create(slot_at=services.next_slot(7) - timedelta(days=1))
    out = StringIO()
    call_command("send_alerts", stdout=out)
    assert "Enqueued 1 fan-outs, 0 owed alerts and 1 digest slots." in out.getvalue()
    run_worker()
    assert recipients(sink) == sorted([instant.email, reader.email])
