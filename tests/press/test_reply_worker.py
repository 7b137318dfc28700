"""Replies through the real path: the admin stores the reply, the database task queue
holds the send, django-tasks-db's worker sends it to a real SMTP server on 127.0.0.1,
and a mail server that is down or hanging costs a retry, never the reply."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import Message
from outbox.tasks import deliver
from press import tasks
from press.models import InquiryMessage, MediaInquiry
from tests.factories import MediaInquiryFactory
from tests.press.test_worker import fast_forward, run_worker
from tests.smtp import free_port, hanging_server, race, smtp_mailers, smtp_sink

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TASK_PATH = "press.tasks.send_inquiry_message"
SMTP_TIMEOUT = 1
FAST = 0.5


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture
def press_client(client, press_officer):
    client.force_login(press_officer)
    return client


def send_reply(client, inquiry, body):
    started = time.perf_counter()
    response = client.post(f"/admin/press/mediainquiry/{inquiry.pk}/reply/", {"body": body})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    return elapsed


def pending():
    return DBTaskResult.objects.filter(task_path=TASK_PATH, status=TaskResultStatus.READY)


def fast_forward_messages():
    fast_forward()


def test_the_worker_sends_the_reply_from_the_press_office(press_client, settings):
    inquiry = MediaInquiryFactory(subject="Comment on the detentions")
    with smtp_sink() as (port, received):
        settings.MAILERS = smtp_mailers(port, timeout=SMTP_TIMEOUT)
        send_reply(press_client, inquiry, "Yes, at 3 pm.\n\nBest,")
        # Stored and queued; nothing was sent inside the request.
        assert received == [] and pending().count() == 1
        assert InquiryMessage.objects.get().delivery_state == "Queued"
        run_worker()
        ((rcpt_tos, message),) = received
    assert rcpt_tos == [inquiry.email]
    assert message["Subject"] == f"Re: [{inquiry.reference}] Comment on the detentions"
    assert message["From"] == "Newsroom press office <press@example.org>"
    assert message.get_content_type() == "text/plain"
    assert "Yes, at 3 pm." in message.get_payload(decode=True).decode()
    inquiry.refresh_from_db()
    assert inquiry.status == MediaInquiry.Status.ANSWERED
    assert InquiryMessage.objects.get().delivery_state.startswith("Sent ")


def test_smtp_down_keeps_the_reply_and_retries_until_it_goes(press_client, settings):
    inquiry = MediaInquiryFactory()
    port = free_port()
    settings.MAILERS = smtp_mailers(port, timeout=SMTP_TIMEOUT)
    assert send_reply(press_client, inquiry, "The answer.") < FAST

    run_worker()
    reply = InquiryMessage.objects.get()
    assert reply.body == "The answer." and reply.sent_at is None
    assert "Connection refused" in reply.last_error
    assert reply.delivery_state.startswith("Failed, retrying at ")
    # The outbox retries it; press keeps no retry task of its own.
    assert not pending().exists()
    assert Message.objects.about(reply).get().state == Message.State.RETRYING
    inquiry.refresh_from_db()
    assert inquiry.status == MediaInquiry.Status.IN_PROGRESS

    # The failure is on the thread the press office reads.
    page = press_client.get(f"/admin/press/mediainquiry/{inquiry.pk}/change/").content.decode()
    assert "Failed, retrying at" in page and "Connection refused" in page

    with smtp_sink(port) as (_, received):
        fast_forward_messages()
        run_worker()
        assert len(received) == 1
    reply.refresh_from_db()
    assert reply.sent_at is not None
    assert Message.objects.about(reply).get().state == Message.State.SENT
    inquiry.refresh_from_db()
    assert inquiry.status == MediaInquiry.Status.ANSWERED
    assert not pending().exists()


def test_smtp_hanging_keeps_the_admin_fast(press_client, settings):
    inquiry = MediaInquiryFactory()
    with hanging_server() as port:
        settings.MAILERS = smtp_mailers(port, timeout=SMTP_TIMEOUT)
        assert send_reply(press_client, inquiry, "The answer.") < FAST
        started = time.perf_counter()
        run_worker()
        assert time.perf_counter() - started >= SMTP_TIMEOUT
    reply = InquiryMessage.objects.get()
    assert reply.sent_at is None and reply.delivery_state.startswith("Failed, retrying at ")


def test_duplicated_tasks_and_the_sweep_send_a_reply_once(press_client, settings):
    inquiry = MediaInquiryFactory()
    with smtp_sink() as (port, received):
        settings.MAILERS = smtp_mailers(port)
        send_reply(press_client, inquiry, "Once only.")
        reply = InquiryMessage.objects.get()
        tasks.send_inquiry_message.enqueue(reply.pk)
        tasks.send_inquiry_message.enqueue(reply.pk)
        run_worker()
        InquiryMessage.objects.update(created_at=timezone.now() - timedelta(hours=1))
        assert tasks.catch_up() == 0
        tasks.send_inquiry_message.enqueue(reply.pk)
        run_worker()
        replies = [m for _, m in received if m["Subject"].startswith("Re:")]
        assert len(replies) == 1
    results = DBTaskResult.objects.filter(task_path=TASK_PATH)
    assert sorted(r.return_value for r in results) == ["nothing due"] * 3 + ["queued"]


def test_the_sweep_queues_a_reply_whose_task_was_lost(settings, press_officer):
    inquiry = MediaInquiryFactory()
    lost = InquiryMessage.objects.create(
        inquiry=inquiry,
        kind=InquiryMessage.Kind.REPLY,
        author=press_officer,
        recipient=inquiry.email,
        body="Lost in a crash",
    )
    InquiryMessage.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    with smtp_sink() as (port, received):
        settings.MAILERS = smtp_mailers(port)
        assert tasks.catch_up() == 1
        run_worker()
        assert any(m["Subject"].startswith("Re:") for _, m in received)
    lost.refresh_from_db()
    assert lost.sent_at is not None


def test_two_workers_at_once_send_a_reply_once(settings, press_officer):
    """Two workers pick up duplicate tasks for one reply at the same moment: the outbox's
    de-duplication key lets one of them queue it."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL")
    inquiry = MediaInquiryFactory()
    reply = InquiryMessage.objects.create(
        inquiry=inquiry,
        kind=InquiryMessage.Kind.REPLY,
        author=press_officer,
        recipient=inquiry.email,
        body="Only once.",
    )
    with smtp_sink(delay=0.5) as (port, received):
        settings.MAILERS = smtp_mailers(port)
        outcomes = race(lambda: tasks.send_inquiry_message.call(reply.pk))
        assert sorted(outcomes) == ["nothing due", "queued"]
        deliver.enqueue()
        run_worker()
        assert len(received) == 1
