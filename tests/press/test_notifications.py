"""Nothing lost: a failing mail server never loses an inquiry, and retries catch up."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from press import services
from press.models import MediaInquiry
from tests.factories import MediaInquiryFactory
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

REFUSING = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}
SMTP_ERROR = {"default": {"BACKEND": "tests.press.mail_backends.SMTPErrorBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


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
    assert list(MediaInquiry.objects.notification_failed()) == [inquiry]
    assert inquiry.reference in client.get(response["Location"]).content.decode()


def test_email_is_sent_only_after_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/press/inquiry/", inquiry_data())
    assert MediaInquiry.objects.count() == 1
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_notify_sends_each_email_once():
    inquiry = MediaInquiryFactory()
    assert services.inquiry_notify(inquiry=inquiry) is True
    assert services.inquiry_notify(inquiry=inquiry) is True
    assert len(mail.outbox) == 2


def test_partial_failure_retries_only_what_failed(settings):
    inquiry = MediaInquiryFactory(notified_at=timezone.now())
    settings.MAILERS = REFUSING
    assert services.inquiry_notify(inquiry=inquiry) is False
    assert inquiry.last_error.startswith("acknowledgement")
    settings.MAILERS = LOCMEM
    assert services.inquiry_notify(inquiry=inquiry) is True
    assert [m.to for m in mail.outbox] == [[inquiry.email]]


def _run_retry():
    out = StringIO()
    call_command("retry_inquiry_notifications", stdout=out, stderr=StringIO())
    return out.getvalue()


class TestRetryCommand:
    def test_retries_due_failures_and_is_idempotent(self, settings):
        failed = MediaInquiryFactory(notify_attempts=1, last_error="press office: refused")
        MediaInquiryFactory(notified_at=timezone.now(), acknowledged_at=timezone.now())

        assert "1 sent, 0 still failing" in _run_retry()
        failed.refresh_from_db()
        assert failed.notified_at and failed.acknowledged_at and failed.last_error == ""
        assert len(mail.outbox) == 2

        assert "0 sent, 0 still failing" in _run_retry()
        assert len(mail.outbox) == 2

    def test_waits_for_backoff_and_gives_up_after_max_attempts(self, settings):
        later = MediaInquiryFactory(
            notify_attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
        )
        exhausted = MediaInquiryFactory(notify_attempts=services.MAX_NOTIFY_ATTEMPTS)
        assert "0 sent, 0 still failing" in _run_retry()
        assert mail.outbox == []
        # Both remain visible to staff as failed notifications.
        assert set(MediaInquiry.objects.notification_failed()) == {later, exhausted}

    def test_backoff_grows_when_server_stays_down(self, settings):
        settings.MAILERS = SMTP_ERROR
        inquiry = MediaInquiryFactory(notify_attempts=2)
        before = timezone.now()
        assert "0 sent, 1 still failing" in _run_retry()
        inquiry.refresh_from_db()
        assert inquiry.notify_attempts == 3
        assert inquiry.next_attempt_at >= before + services.RETRY_BASE * 4

    def test_never_mails_spam(self):
        MediaInquiryFactory(status=MediaInquiry.Status.SPAM, spam_reason="honeypot")
        assert "0 sent" in _run_retry()
        assert mail.outbox == []

    def test_backoff_is_capped(self):
        assert services._retry_delay(50) == services.RETRY_CAP


# serialized_rollback: the flush after a transactional test empties the migrations'
# regions and recreates content types under new ids, which breaks every later test that
# restores the database by serialized rollback.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retry_locks_rows_on_postgresql():
    """A row another cron run has locked is skipped, not sent twice (PostgreSQL only)."""
    from django.db import connection, transaction

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SKIP LOCKED needs PostgreSQL")
    import threading

    inquiry = MediaInquiryFactory()
    locked = threading.Event()
    release = threading.Event()

    def hold_lock():
        with transaction.atomic():
            MediaInquiry.objects.select_for_update().get(pk=inquiry.pk)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert services.inquiries_retry_notifications() == (0, 0)
        assert mail.outbox == []
    finally:
        release.set()
        holder.join()
    assert services.inquiries_retry_notifications() == (1, 0)
