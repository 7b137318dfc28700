"""The outbox: queue, claim, lease, send, retry, give up; once per de-duplication key."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from core import retry
from outbox import services
from outbox.models import Message
from outbox.sending import claim, deliver_due, send_rows
from tests.smtp import hanging_server, smtp_mailers, smtp_sink

pytestmark = pytest.mark.django_db

BOUNCING = {"default": {"BACKEND": "tests.alerts.helpers.BouncingBackend"}}


def queue(to="reader@example.com", **options):
    email = EmailMessage(
        subject="Hello", body="Body", to=[to], reply_to=["press@example.org"],
        headers={"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )  # fmt: skip
    return services.enqueue(email, kind=options.pop("kind", "tests.hello"), **options)


def test_a_queued_mail_is_sent_as_rendered_and_recorded():
    row = queue()
    assert row.state == Message.State.QUEUED and row.attempts == 0
    result = deliver_due()
    assert (result.sent, result.failed, result.gave_up) == (1, 0, 0)
    [sent] = mail.outbox
    assert sent.to == ["reader@example.com"] and sent.subject == "Hello"
    assert sent.reply_to == ["press@example.org"]
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row.refresh_from_db()
    assert row.state == Message.State.SENT and row.sent_at and row.attempts == 1
    assert row.leased_by == "" and row.leased_until is None
    # Nothing is due any more: a second run sends nothing.
    assert deliver_due().sent == 0


def test_one_mail_per_dedup_key():
    assert queue(dedup_key="alert:1:2") is not None
    assert queue(dedup_key="alert:1:2") is None
    offered = services.enqueue_many(
        services.Outgoing(EmailMessage("S", "B", to=["x@example.com"]), "k", dedup_key=key)
        for key in ("alert:1:2", "alert:1:3", "alert:1:3")
    )
    assert offered >= 1
    assert sorted(Message.objects.values_list("dedup_key", flat=True)) == [
        "alert:1:2",
        "alert:1:3",
    ]


def test_a_claimed_mail_is_not_claimed_again_until_its_lease_runs_out(settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    queue()
    token, rows = claim()
    assert len(rows) == 1 and rows[0].state == Message.State.SENDING
    assert rows[0].leased_by == token
    assert claim()[1] == []
    # The worker holding it died: once the lease is over, the next claim takes it over.
    Message.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    taken_over, again = claim()
    assert [row.pk for row in again] == [rows[0].pk] and taken_over != token
    assert again[0].attempts == 2
    send_rows(again)
    assert Message.objects.get().state == Message.State.SENT


def test_a_mail_that_outlives_every_lease_is_given_up():
    queue()
    Message.objects.update(attempts=retry.MAIL.max_attempts, state=Message.State.SENDING)
    assert claim()[1] == []
    row = Message.objects.get()
    assert row.state == Message.State.GAVE_UP and "never finished" in row.last_error


def test_a_busy_recipient_is_retried_with_backoff_then_given_up(settings):
    settings.MAILERS = BOUNCING
    queue("busy@example.com")
    for attempt in range(1, retry.MAIL.max_attempts + 1):
        Message.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        deliver_due()
        row = Message.objects.get()
        assert row.attempts == attempt and "450" in row.last_error
        if attempt < retry.MAIL.max_attempts:
            assert row.state == Message.State.RETRYING
            assert row.next_attempt_at >= before + retry.MAIL.delay(attempt)
    assert row.state == Message.State.GAVE_UP
    assert mail.outbox == []


def test_a_refused_recipient_is_given_up_at_once_and_the_rest_go(settings):
    settings.MAILERS = BOUNCING
    queue("bounce@example.com")
    queue("ok@example.com")
    result = deliver_due()
    assert (result.sent, result.gave_up) == (1, 1)
    refused = Message.objects.get(recipients="bounce@example.com")
    assert refused.state == Message.State.GAVE_UP and "550" in refused.last_error
    assert [m.to for m in mail.outbox] == [["ok@example.com"]]


def test_a_batch_goes_over_one_connection(settings):
    with smtp_sink() as (port, received):
        settings.MAILERS = smtp_mailers(port, timeout=5)
        for n in range(5):
            queue(f"r{n}@example.com")
        assert deliver_due().sent == 5
        assert len(received) == 5
    assert Message.objects.filter(state=Message.State.SENT).count() == 5


def test_a_hanging_mail_server_is_a_retry_not_a_stuck_worker(settings):
    with hanging_server() as port:
        settings.MAILERS = smtp_mailers(port, timeout=0.5)
        queue()
        result = deliver_due()
    assert result.failed == 1
    row = Message.objects.get()
    assert row.state == Message.State.RETRYING and row.next_attempt_at > timezone.now()
    assert row.leased_by == ""


def test_a_closed_mail_server_is_a_retry(settings):
    settings.MAILERS = smtp_mailers(1, timeout=0.5)
    queue()
    queue("second@example.com")
    assert deliver_due().failed == 2
    assert set(Message.objects.values_list("state", flat=True)) == {Message.State.RETRYING}


def test_a_permanent_error_is_not_a_retry():
    assert retry.is_permanent(smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}))
    assert not retry.is_permanent(smtplib.SMTPRecipientsRefused({"a@x": (451, b"later")}))
    assert not retry.is_permanent(ConnectionRefusedError())
    assert retry.is_permanent(ValueError("a bug in what was queued"))


def test_send_again_and_give_up():
    given_up = queue()
    services.give_up(Message.objects.all(), reason="by hand")
    given_up.refresh_from_db()
    assert given_up.state == Message.State.GAVE_UP and given_up.last_error == "by hand"
    assert deliver_due().sent == 0
    assert services.send_again(Message.objects.all()) == 1
    assert deliver_due().sent == 1
    # A sent mail is never sent again by the action.
    assert services.send_again(Message.objects.all()) == 0


def test_queueing_in_a_transaction_sends_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue("one@example.com")
        queue("two@example.com")
    # One nudge for the transaction, however many mails it queued.
    assert len(callbacks) == 1
    assert len(mail.outbox) == 2
