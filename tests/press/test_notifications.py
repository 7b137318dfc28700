"""Nothing lost: a failing mail server never loses an inquiry, and retries catch up.

The tasks queue in the outbox (``outbox/``), which sends and retries; these run the
tasks at once (the suite's immediate backend) and send what is due with
``tests.outbox.helpers.delivered``. tests/press/test_worker.py runs them through the
database queue, a worker and real SMTP.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core import retry
from outbox.models import Message
from press import services, tasks
from press.models import MediaInquiry
from tests.factories import MediaInquiryFactory
from tests.outbox.helpers import delivered
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

REFUSING = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}
SMTP_ERROR = {"default": {"BACKEND": "tests.press.mail_backends.SMTPErrorBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def due_inquiry(**fields):
    return MediaInquiryFactory(**fields)


def send(inquiry):
    return tasks.send_inquiry_emails.call(inquiry.pk)


def make_due():
    Message.objects.pending().update(next_attempt_at=timezone.now())


@pytest.mark.parametrize("mailers", [REFUSING, SMTP_ERROR], ids=["refused", "smtp-error"])
def test_mail_server_failure_keeps_the_inquiry(
    client, settings, django_capture_on_commit_callbacks, mailers
):
    settings.MAILERS = mailers
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/press/inquiry/", inquiry_data())

    # The journalist still gets the thank-you page with the reference.
    assert response.status_code == 303
    inquiry = MediaInquiry.objects.get()
    assert inquiry.status == MediaInquiry.Status.NEW
    rows = Message.objects.about(inquiry)
    assert rows.count() == 2
    assert all(row.state == Message.State.RETRYING and row.attempts == 1 for row in rows)
    assert all(row.next_attempt_at > timezone.now() and row.last_error for row in rows)
    assert inquiry.delivery_state.startswith("Failed, retrying at ")
    assert list(MediaInquiry.objects.notification_failed()) == [inquiry]
    assert inquiry.reference in client.get(response["Location"]).content.decode()


def test_email_is_enqueued_only_after_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/press/inquiry/", inquiry_data())
    inquiry = MediaInquiry.objects.get()
    assert mail.outbox == []
    assert len(callbacks) == 1
    assert inquiry.delivery_state == "Queued"


def test_task_queues_each_email_once():
    inquiry = due_inquiry()
    assert send(inquiry).startswith("queued ")
    assert send(inquiry) == "nothing due"
    assert [m.to for m in delivered()] == [["press@example.org"], [inquiry.email]]
    assert delivered() == mail.outbox and len(mail.outbox) == 2
    inquiry.refresh_from_db()
    assert inquiry.notified_at is not None and inquiry.acknowledged_at is not None
    assert inquiry.delivery_state == "Sent"


def test_partial_failure_retries_only_what_failed(settings):
    inquiry = due_inquiry(notified_at=timezone.now())
    settings.MAILERS = REFUSING
    send(inquiry)
    delivered()
    (row,) = Message.objects.about(inquiry)
    assert row.kind == tasks.ACKNOWLEDGEMENT and row.state == Message.State.RETRYING
    settings.MAILERS = LOCMEM
    # Not due yet: nothing is sent early, and a duplicate task queues nothing.
    assert delivered() == [] and send(inquiry) == "nothing due"
    make_due()
    assert [m.to for m in delivered()] == [[inquiry.email]]


def test_a_task_that_dies_while_queueing_queues_nothing_half(monkeypatch):
    """The task died rendering the acknowledgement: its transaction is rolled back, so
    the next run queues both, once."""
    inquiry = due_inquiry()

    def die(_inquiry):
        raise KeyboardInterrupt

    monkeypatch.setattr("press.emails.inquiry_acknowledgement", die)
    with pytest.raises(KeyboardInterrupt):
        send(inquiry)
    inquiry.refresh_from_db()
    assert inquiry.notified_at is None and not Message.objects.exists()
    monkeypatch.undo()
    assert send(inquiry).startswith("queued ")
    assert [m.to for m in delivered()] == [["press@example.org"], [inquiry.email]]


def test_gives_up_after_max_attempts_and_staff_can_resend(settings):
    settings.MAILERS = SMTP_ERROR
    inquiry = due_inquiry()
    send(inquiry)
    Message.objects.update(attempts=retry.MAIL.max_attempts - 1)
    delivered()
    assert set(Message.objects.values_list("state", flat=True)) == {Message.State.GAVE_UP}
    assert inquiry.delivery_state == f"Failed, gave up after {retry.MAIL.max_attempts} attempts"
    assert list(MediaInquiry.objects.delivery_gave_up()) == [inquiry]
    assert send(inquiry) == "nothing due"

    settings.MAILERS = LOCMEM
    assert services.inquiries_resend(inquiries=MediaInquiry.objects.all()) == 1
    assert len(delivered()) == 2
    assert inquiry.delivery_state == "Sent"
    # Sent ones are never sent again.
    assert services.inquiries_resend(inquiries=MediaInquiry.objects.all()) == 0
    assert len(delivered()) == 2


def test_spam_is_never_mailed():
    spam = due_inquiry(status=MediaInquiry.Status.SPAM, spam_reason="honeypot")
    assert send(spam) == "nothing due"
    assert delivered() == []
    assert spam.delivery_state == "Not sent: spam"


def test_acknowledgement_names_reference_and_deadline_and_echoes_no_free_text(client):
    spam_text = "Cheap pills at https://evil.example"
    inquiry = due_inquiry(
        name=spam_text,
        outlet=spam_text,
        message=spam_text,
        topic="x",
        deadline=timezone.now() + timedelta(days=1),
    )
    send(inquiry)
    office, ack = delivered()
    assert ack.subject == f"We received your inquiry {inquiry.reference}"
    assert inquiry.reference in ack.body
    assert inquiry.deadline_text in ack.body and inquiry.subject in ack.body
    assert "evil.example" not in ack.body
    # The press office sees everything, the deadline written the same one way.
    assert "evil.example" in office.body
    assert office.subject == (
        f"[{inquiry.reference}] Media inquiry: {inquiry.subject} "
        f"(deadline {inquiry.deadline_text})"
    )
    assert inquiry.deadline_text in office.body
    # The newsroom's zone with its offset at that moment.
    assert re.search(r"\(America/New_York, UTC-0[45]:00\)$", inquiry.deadline_text)


class TestCatchUp:
    """The worker's sweep (``press.tasks.catch_up``, registered in ``outbox.sweeps``)
    queues what a lost task left unqueued, and what an upgrade found still owed."""

    def test_queues_what_a_lost_task_left_and_is_idempotent(self):
        old = timezone.now() - timedelta(minutes=5)
        left_behind = MediaInquiryFactory()
        MediaInquiry.objects.filter(pk=left_behind.pk).update(created_at=old)
        done = MediaInquiryFactory(notified_at=old, acknowledged_at=old)
        MediaInquiry.objects.filter(pk=done.pk).update(created_at=old)

        assert tasks.catch_up() == 1
        assert [m.to for m in delivered()] == [["press@example.org"], [left_behind.email]]
        assert tasks.catch_up() == 0
        assert len(delivered()) == 2

    def test_leaves_alone_what_a_task_will_still_do(self):
        # Just submitted: its task is queued.
        MediaInquiryFactory()
        old = timezone.now() - timedelta(minutes=5)
        spam = MediaInquiryFactory(status=MediaInquiry.Status.SPAM, spam_reason="honeypot")
        MediaInquiry.objects.filter(pk=spam.pk).update(created_at=old)
        assert tasks.catch_up() == 0
        assert delivered() == []

    def test_is_one_of_the_workers_sweeps(self):
        from outbox import sweeps

        assert any(sweep.name == "press.catch_up" for sweep in sweeps.due(now=float("inf")))
