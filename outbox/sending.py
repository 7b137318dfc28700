"""Claim, lease, send, retry: the one way mail leaves the site.

A sender claims up to ``OUTBOX_BATCH_SIZE`` due rows in one short transaction (rows
locked by another sender are skipped on PostgreSQL; SQLite's IMMEDIATE transactions take
the write lock at BEGIN, so claims there run one at a time), marks them as being sent
under its own lease, and sends them over ONE SMTP connection. Each row is recorded the
moment the server accepts it (its own committed UPDATE), so a worker killed mid-batch
leaves at most the mail in flight to be sent twice; the rest of its batch is due again
when the lease runs out and the next claim takes it over.
"""

import email.policy
import logging
import smtplib
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from core import retry
from outbox import wire
from outbox.models import Message
from outbox.signals import message_refused, message_sent

logger = logging.getLogger(__name__)


def batch_size() -> int:
    # Mails per claim and per SMTP connection: big enough that connecting costs nothing,
    # small enough that a worker dying mid-batch leaves little waiting for its lease.
    return settings.OUTBOX_BATCH_SIZE


def lease() -> timedelta:
    # Far longer than a batch takes with the mail server's timeouts.
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


class OutgoingEmail(EmailMultiAlternatives):
    """A queued mail as sent, with header lines that stay readable.

    ``List-Unsubscribe`` holds one long URL with no space in it. Folded at the usual 78
    characters, Python's e-mail package turns such a header into RFC 2047 encoded words,
    which no mail client reads as a URL. Lines may be up to 998 characters (RFC 5322).
    """

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def as_email(row: Message, connection=None) -> OutgoingEmail:
    message = OutgoingEmail(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.recipient_list,
        reply_to=[line for line in row.reply_to.splitlines() if line],
        headers=row.headers or {},
        connection=connection,
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    return message


@dataclass
class Result:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    def __iadd__(self, other):
        self.sent += other.sent
        self.failed += other.failed
        self.gave_up += other.gave_up
        return self


def claim(*, limit: int | None = None, kinds=None) -> tuple[str, list[Message]]:
    """Take up to ``limit`` due rows for this sender under a new lease; returns the
    lease's token and the rows (oldest due first)."""
    now = timezone.now()
    token = uuid.uuid4().hex
    until = now + lease()
    with transaction.atomic():
        due = Message.objects.due(at=now)
        if kinds:
            due = due.filter(kind__in=kinds)
        ids = list(
            due.select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[: limit or batch_size()]
        )
        if not ids:
            return token, []
        Message.objects.filter(pk__in=ids).update(
            state=Message.State.SENDING,
            leased_by=token,
            leased_until=until,
            next_attempt_at=until,
            attempts=F("attempts") + 1,
        )
    rows = list(Message.objects.filter(pk__in=ids, leased_by=token).order_by("id"))
    # A mail that killed (or outlived) worker after worker stops here.
    worn = [row for row in rows if row.attempts > retry.MAIL.max_attempts]
    if worn:
        _finish(worn, state=Message.State.GAVE_UP, error="gave up: its sends never finished")
        rows = [row for row in rows if row.attempts <= retry.MAIL.max_attempts]
    return token, rows


def _finish(rows, **changes):
    error = changes.pop("error", None)
    if error is not None:
        changes["last_error"] = error[:2000]
    Message.objects.filter(pk__in=[row.pk for row in rows]).update(
        leased_by="", leased_until=None, **changes
    )


def send_rows(rows: list[Message]) -> Result:
    """Send claimed rows over one connection, recording each as it goes."""
    result = Result()
    if not rows:
        return result
    with _quick_commits():
        _send_rows(rows, result)
    return result


@contextmanager
def _quick_commits():
    """On PostgreSQL, the per-mail UPDATEs of a batch commit without waiting for the
    disk (``synchronous_commit = off``): each is visible to every other worker at once,
    so a killed worker loses nothing; only a crash of the database server itself could
    forget the last fraction of a second of "sent" records (those mails would go again).
    Waiting for the disk ten thousand times is most of a fan-out's time otherwise."""
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with suppress(DatabaseError), db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_rows(rows: list[Message], result: Result) -> None:
    connection = mail.mailers.default
    try:
        connection.open()
    except retry.MAIL_ERRORS as error:
        logger.warning("Outbox: cannot connect to the mail server: %r", error)
        for row in rows:
            _failed(row, error)
        result.failed += len(rows)
        return
    try:
        for index, row in enumerate(rows):
            try:
                _send_one(connection, row)
            except Exception as error:  # noqa: BLE001 - judged by the retry policy
                if retry.is_permanent(error):
                    _gave_up(row, error)
                    result.gave_up += 1
                    continue
                if _failed(row, error):
                    result.failed += 1
                else:
                    result.gave_up += 1
                # A refused recipient leaves the session usable; anything else may not.
                if isinstance(error, smtplib.SMTPRecipientsRefused):
                    continue
                if not _reopen(connection):
                    for other in rows[index + 1 :]:
                        _failed(other, error)
                    result.failed += len(rows) - index - 1
                    break
            else:
                _sent(row)
                result.sent += 1
    finally:
        with suppress(*retry.MAIL_ERRORS):
            connection.close()


def _send_one(connection, row: Message) -> None:
    """One SMTP transaction: this row's mail, accepted or raising."""
    smtp = getattr(connection, "connection", None)
    simple = wire.simple_bytes(row) if isinstance(smtp, smtplib.SMTP) else None
    if simple is None:
        # The message object is built without the connection: a send that fails must
        # not close it for the rest of the batch.
        connection.send_messages([as_email(row)])
        return
    sender, recipients, data = simple
    # What Django's SMTP backend does with the message it builds, minus the building.
    smtp.sendmail(sender, recipients, data)


# The UPDATE recording a mail the server accepted (outbox_message; both PostgreSQL and
# SQLite read double-quoted names).
_SENT_SQL = (
    'UPDATE "outbox_message" SET "state" = %s, "sent_at" = %s, "leased_by" = \'\', '
    '"leased_until" = NULL, "last_error" = \'\' WHERE "id" = %s'
)


def _sent(row: Message) -> None:
    now = timezone.now()
    # Its own UPDATE, committed at once (autocommit): the moment the server took it.
    # Plain SQL: the ORM's compiling of the same statement cost more than running it.
    with db_connection.cursor() as cursor:
        cursor.execute(
            _SENT_SQL,
            [Message.State.SENT.value, db_connection.ops.adapt_datetimefield_value(now), row.pk],
        )
    row.state, row.sent_at = Message.State.SENT, now
    message_sent.send(sender=Message, message=row)


def _failed(row: Message, error: BaseException) -> bool:
    """Schedule the next attempt; False if that was the last one (given up)."""
    retry_at = retry.MAIL.next_attempt(row.attempts, now=timezone.now())
    if retry_at is None:
        logger.error(
            "Outbox: gave up %s #%s after %d attempts: %r", row.kind, row.pk, row.attempts, error
        )
        _finish([row], state=Message.State.GAVE_UP, error=repr(error))
        return False
    logger.warning("Outbox: %s #%s failed, retrying: %r", row.kind, row.pk, error)
    _finish([row], state=Message.State.RETRYING, next_attempt_at=retry_at, error=repr(error))
    return True


def _gave_up(row: Message, error: BaseException) -> None:
    logger.warning("Outbox: %s #%s refused for good: %r", row.kind, row.pk, error)
    _finish([row], state=Message.State.GAVE_UP, error=repr(error))
    message_refused.send(sender=Message, message=row, error=error)


def _reopen(connection) -> bool:
    """After an error the session may be gone: start a fresh one, or say we cannot."""
    with suppress(*retry.MAIL_ERRORS):
        connection.close()
    try:
        connection.open()
    except retry.MAIL_ERRORS as error:
        logger.warning("Outbox: the mail server went away: %r", error)
        return False
    return True


def deliver_due(*, max_batches: int | None = None, kinds=None) -> Result:
    """Claim and send batch after batch until nothing is due (or ``max_batches``)."""
    result = Result()
    batches = 0
    while max_batches is None or batches < max_batches:
        _token, rows = claim(kinds=kinds)
        if not rows:
            break
        result += send_rows(rows)
        batches += 1
    return result


def oldest_due_age(*, now=None) -> float | None:
    """Seconds since the oldest due message became due; None if nothing is due."""
    now = now or timezone.now()
    oldest = (
        Message.objects.due(at=now)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)[:1]
    )
    for at in oldest:
        return max((now - at).total_seconds(), 0.0)
    return None
