"""Inquiry e-mail through the real path: the database task queue, the worker, and SMTP
servers that are down, hanging or working, all on 127.0.0.1.

The worker is django-tasks-db's own ``db_worker`` command, run in this process in batch
mode (every task that is due, then exit). These tests commit for real (``transaction``):
the worker checks its connection the way it does in production.
"""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import retry
from outbox.models import Message
from outbox.tasks import deliver
from press import tasks
from press.models import MediaInquiry
from tests.factories import MediaInquiryFactory
from tests.press.helpers import inquiry_data
from tests.smtp import free_port, hanging_server, race, smtp_mailers, smtp_sink

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TASK_PATH = "press.tasks.send_inquiry_emails"
# Far longer than a request may take, so a request that waited for SMTP would show.
SMTP_TIMEOUT = 1
FAST = 0.5


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def run_worker():
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )


def fast_forward():
    """Let the clock run past every scheduled retry."""
    now = timezone.now()
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=now)
    Message.objects.pending().update(next_attempt_at=now)
    deliver.enqueue()


def post_inquiry(client, **overrides):
    started = time.perf_counter()
    response = client.post("/press/inquiry/", inquiry_data(region="", **overrides))
    elapsed = time.perf_counter() - started
    assert response.status_code == 303, response.content.decode()[:500]
    return elapsed


def pending_tasks():
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY)


def recipients(messages):
    return sorted(rcpt for rcpt_tos, _ in messages for rcpt in rcpt_tos)


def test_the_request_enqueues_and_the_worker_delivers(client, settings):
    with smtp_sink() as (port, received):
        settings.MAILERS = smtp_mailers(port, timeout=SMTP_TIMEOUT)
        post_inquiry(client)
        # Nothing was sent inside the request: a task waits in the database.
        assert received == [] and mail.outbox == []
        inquiry = MediaInquiry.objects.get()
        assert inquiry.delivery_state == "Queued"
        assert pending_tasks().count() == 1

        run_worker()

        assert recipients(received) == ["jane@example.com", "press@example.org"]
        subjects = {rcpt_tos[0]: message["Subject"] for rcpt_tos, message in received}
        assert subjects["press@example.org"].startswith(f"[{inquiry.reference}] Media inquiry:")
        assert subjects["jane@example.com"] == f"We received your inquiry {inquiry.reference}"
    inquiry.refresh_from_db()
    assert inquiry.delivery_state == "Sent"
    assert DBTaskResult.objects.get(task_path=TASK_PATH).status == TaskResultStatus.SUCCESSFUL


def test_smtp_closed_stores_fails_retries_and_delivers_once_it_works(client, settings):
    port = free_port()
    settings.MAILERS = smtp_mailers(port, timeout=SMTP_TIMEOUT)
    assert post_inquiry(client) < FAST
    assert post_inquiry(client, subject="A second question") < FAST
    assert MediaInquiry.objects.count() == 2

    run_worker()
    for inquiry in MediaInquiry.objects.all():
        rows = Message.objects.about(inquiry)
        assert [row.attempts for row in rows] == [1, 1]
        assert all("Connection refused" in row.last_error for row in rows)
        assert inquiry.delivery_state.startswith("Failed, retrying at ")
    # The outbox retries; the press office keeps no retry tasks of its own.
    assert not pending_tasks().exists()

    # Not yet due: the outbox leaves the retries alone.
    deliver.enqueue()
    run_worker()
    assert set(Message.objects.values_list("state", flat=True)) == {Message.State.RETRYING}

    with smtp_sink(port) as (_, received):
        fast_forward()
        run_worker()
        assert len(received) == 4
    assert {i.delivery_state for i in MediaInquiry.objects.all()} == {"Sent"}
    assert not pending_tasks().exists()


def test_smtp_hanging_keeps_the_post_fast_then_delivers_once_it_works(client, settings):
    with hanging_server() as port:
        settings.MAILERS = smtp_mailers(port, timeout=SMTP_TIMEOUT)
        timings = [post_inquiry(client), post_inquiry(client, subject="Another question")]
        assert max(timings) < FAST, timings
        assert MediaInquiry.objects.count() == 2

        started = time.perf_counter()
        run_worker()
        # The worker, not a journalist, waited for the mail server.
        assert time.perf_counter() - started >= SMTP_TIMEOUT
    for inquiry in MediaInquiry.objects.all():
        errors = " ".join(Message.objects.about(inquiry).values_list("last_error", flat=True))
        assert "TimeoutError" in errors or "timed out" in errors
        assert inquiry.delivery_state.startswith("Failed, retrying at ")

    with smtp_sink(port) as (_, received):
        fast_forward()
        run_worker()
        assert len(received) == 4
    assert {i.delivery_state for i in MediaInquiry.objects.all()} == {"Sent"}


def test_the_outbox_gives_up_after_its_last_attempt(settings):
    settings.MAILERS = smtp_mailers(free_port())
    inquiry = MediaInquiryFactory()
    tasks.send_inquiry_emails.call(inquiry.pk)
    Message.objects.update(attempts=retry.MAIL.max_attempts - 1)
    deliver.enqueue()
    run_worker()
    inquiry.refresh_from_db()
    assert inquiry.delivery_state.startswith("Failed, gave up")
    assert not pending_tasks().exists()


def test_duplicated_and_retried_tasks_send_each_email_once(settings):
    inquiry = MediaInquiryFactory()
    with smtp_sink() as (port, received):
        settings.MAILERS = smtp_mailers(port)
        for _ in range(3):
            tasks.send_inquiry_emails.enqueue(inquiry.pk)
        run_worker()
        # And once more later, as a late duplicate or the worker's sweep would.
        tasks.send_inquiry_emails.enqueue(inquiry.pk)
        MediaInquiry.objects.update(created_at=timezone.now() - timedelta(hours=1))
        assert tasks.catch_up() == 0
        run_worker()
        assert recipients(received) == sorted([inquiry.email, "press@example.org"])
    results = DBTaskResult.objects.filter(task_path=TASK_PATH)
    outcomes = sorted(r.return_value for r in results)
    assert outcomes[:3] == ["nothing due"] * 3 and outcomes[3].startswith("queued ")


def test_two_workers_at_once_send_each_email_once(settings):
    """Two workers pick up duplicate tasks for one inquiry at the same moment: the claim
    lets one of them queue the mails."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL")
    inquiry = MediaInquiryFactory()
    with smtp_sink(delay=0.5) as (port, received):
        settings.MAILERS = smtp_mailers(port)
        outcomes = race(lambda: tasks.send_inquiry_emails.call(inquiry.pk))
        assert sorted(outcomes)[0] == "nothing due" and sorted(outcomes)[1].startswith("queued")
        deliver.enqueue()
        run_worker()
        assert recipients(received) == sorted([inquiry.email, "press@example.org"])
