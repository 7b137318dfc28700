"""Nothing lost: a failing mail server never loses an inquiry, and retries catch up.

These run the e-mail task at once (the suite's immediate backend) to test its rules;
tests/press/test_worker.py runs it through the database queue, a worker and real SMTP.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from press import services, tasks
from press.models import MAX_NOTIFY_ATTEMPTS, MediaInquiry
from tests.factories import MediaInquiryFactory
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

REFUSING = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}
SMTP_ERROR = {"default": {"BACKEND": "tests.press.mail_backends.SMTPErrorBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def due_inquiry(**fields):
    return MediaInquiryFactory(next_attempt_at=timezone.now(), **fields)


def send(inquiry):
    return tasks.send_inquiry_emails.call(inquiry.pk)


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
    assert inquiry.notified_at is None and inquiry.acknowledged_at is None
    assert inquiry.notify_attempts == 1
    assert "press office" in inquiry.last_error and "acknowledgement" in inquiry.last_error
    assert inquiry.next_attempt_at > timezone.now()
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


def test_task_sends_each_email_once():
    inquiry = due_inquiry()
    assert send(inquiry) == "sent"
    assert send(inquiry) == "nothing due"
    assert [m.to for m in mail.outbox] == [["press@example.org"], [inquiry.email]]
    inquiry.refresh_from_db()
    assert inquiry.notify_attempts == 1 and inquiry.next_attempt_at is None
    assert inquiry.delivery_state == "Sent"


def test_partial_failure_retries_only_what_failed(settings):
    inquiry = due_inquiry(notified_at=timezone.now())
    settings.MAILERS = REFUSING
    assert send(inquiry).startswith("retrying at ")
    inquiry.refresh_from_db()
    assert inquiry.last_error.startswith("acknowledgement")
    settings.MAILERS = LOCMEM
    # Not due yet: a duplicate of the task that runs early sends nothing.
    assert send(inquiry) == "nothing due"
    MediaInquiry.objects.filter(pk=inquiry.pk).update(next_attempt_at=timezone.now())
    assert send(inquiry) == "sent"
    assert [m.to for m in mail.outbox] == [[inquiry.email]]


def test_a_sent_email_is_recorded_before_the_next_is_tried(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The notification went out, then the worker died on the acknowledgement: the
    retry sends only the acknowledgement."""
    inquiry = due_inquiry()

    def die(_inquiry):
        raise KeyboardInterrupt

    monkeypatch.setattr("press.emails.inquiry_acknowledgement", die)
    with pytest.raises(KeyboardInterrupt):
        send(inquiry)
    inquiry.refresh_from_db()
    assert inquiry.notified_at is not None and inquiry.acknowledged_at is None
    monkeypatch.undo()
    # While the dead worker's lease lasts, nothing else sends: not a duplicate task, not
    # a staff re-send, not the sweeper.
    assert inquiry.delivery_state == "Sending"
    assert send(inquiry) == "nothing due"
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiries_resend(inquiries=MediaInquiry.objects.all())
    assert len(mail.outbox) == 1
    # The lease runs out; the sweeper's task sends what is left.
    MediaInquiry.objects.filter(pk=inquiry.pk).update(
        sending_until=timezone.now() - timedelta(seconds=1)
    )
    assert send(inquiry) == "sent"
    assert [m.to for m in mail.outbox] == [["press@example.org"], [inquiry.email]]


def test_gives_up_after_max_attempts_and_staff_can_resend(
    settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = SMTP_ERROR
    inquiry = due_inquiry(notify_attempts=MAX_NOTIFY_ATTEMPTS - 1)
    assert send(inquiry) == "gave up"
    inquiry.refresh_from_db()
    assert inquiry.next_attempt_at is None
    assert inquiry.delivery_state == f"Failed, gave up after {MAX_NOTIFY_ATTEMPTS} attempts"
    assert list(MediaInquiry.objects.delivery_gave_up()) == [inquiry]
    assert send(inquiry) == "nothing due"

    settings.MAILERS = LOCMEM
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inquiries_resend(inquiries=MediaInquiry.objects.all()) == 1
    inquiry.refresh_from_db()
    assert inquiry.delivery_state == "Sent" and inquiry.notify_attempts == 1
    assert len(mail.outbox) == 2


def test_spam_is_never_mailed():
    spam = due_inquiry(status=MediaInquiry.Status.SPAM, spam_reason="honeypot")
    assert send(spam) == "nothing due"
    assert mail.outbox == []
    assert spam.delivery_state == "Not sent: spam"


def test_backoff_grows_and_is_capped():
    assert tasks.retry_delay(1) == tasks.RETRY_BASE
    assert tasks.retry_delay(3) == tasks.RETRY_BASE * 4
    assert tasks.retry_delay(50) == tasks.RETRY_CAP


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
    office, ack = mail.outbox
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


class TestSweeper:
    @pytest.fixture(autouse=True)
    def _commit(self, django_capture_on_commit_callbacks):
        self.capture = django_capture_on_commit_callbacks

    def _sweep(self):
        out, err = StringIO(), StringIO()
        with self.capture(execute=True):
            call_command("retry_inquiry_notifications", stdout=out, stderr=err)
        return out.getvalue() + err.getvalue()

    def test_enqueues_rows_a_crash_left_behind_and_is_idempotent(self):
        stale = timezone.now() - services.SWEEP_GRACE - timedelta(seconds=1)
        left_behind = MediaInquiryFactory(next_attempt_at=stale)
        legacy = MediaInquiryFactory(next_attempt_at=None, notify_attempts=1)
        MediaInquiryFactory(notified_at=timezone.now(), acknowledged_at=timezone.now())

        assert "2 queued" in self._sweep()
        for inquiry in (left_behind, legacy):
            inquiry.refresh_from_db()
            assert inquiry.delivery_state == "Sent"
        assert len(mail.outbox) == 4
        assert "0 queued" in self._sweep()
        assert len(mail.outbox) == 4

    def test_leaves_alone_what_a_task_will_still_do(self):
        # Just submitted (its task is queued), or waiting for its backoff.
        MediaInquiryFactory(next_attempt_at=timezone.now())
        MediaInquiryFactory(notify_attempts=1, next_attempt_at=timezone.now() + timedelta(hours=1))
        MediaInquiryFactory(status=MediaInquiry.Status.SPAM, spam_reason="honeypot")
        # Being sent by a worker right now.
        MediaInquiryFactory(
            next_attempt_at=timezone.now() - timedelta(hours=1),
            sending_until=timezone.now() + timedelta(minutes=10),
        )
        assert "0 queued" in self._sweep()
        assert mail.outbox == []

    def test_gave_up_rows_are_left_for_staff(self):
        MediaInquiryFactory(notify_attempts=MAX_NOTIFY_ATTEMPTS, next_attempt_at=None)
        output = self._sweep()
        assert "0 queued" in output and "1 inquiries gave up" in output
        assert mail.outbox == []

    def test_a_failure_is_retried_by_the_sweeper_where_tasks_cannot_wait(self, settings):
        """The immediate backend cannot schedule a retry: the sweeper is the retry."""
        settings.MAILERS = REFUSING
        inquiry = due_inquiry()
        send(inquiry)
        settings.MAILERS = LOCMEM
        assert "0 queued" in self._sweep()  # its backoff has not passed
        inquiry.refresh_from_db()
        MediaInquiry.objects.filter(pk=inquiry.pk).update(
            next_attempt_at=timezone.now() - services.SWEEP_GRACE
        )
        assert "1 queued" in self._sweep()
        inquiry.refresh_from_db()
        assert inquiry.delivery_state == "Sent" and inquiry.notify_attempts == 2
