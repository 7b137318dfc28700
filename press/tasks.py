"""Every e-mail the site sends, and the building of media kits, as background tasks
(``django.tasks``).

Requests and admin actions only enqueue these, after their transaction commits; a worker
(``manage.py db_worker``) sends. django-tasks-db has no retries of its own, so a task that
could not send schedules its own next attempt (``run_after``), with growing pauses and a
bounded number of attempts. Tasks are idempotent: what was sent is recorded on the
inquiry, so a retried or duplicated task never sends it again.
"""

import logging
from datetime import timedelta

from django.core import mail
from django.db.models import F
from django.tasks import TaskContext, task
from django.utils import timezone

from press import emails, media_kit
from press.models import MAX_NOTIFY_ATTEMPTS, InquiryMessage, MediaInquiry

logger = logging.getLogger(__name__)

# The first retry after five minutes, doubling, capped at six hours: eight attempts span
# about a day, long enough to outlast a mail server's bad night.
RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=6)
# While a task sends, it holds the inquiry for this long (``sending_until``), so a
# duplicate task, a staff re-send or the sweeper started meanwhile finds nothing due. Far
# longer than a send can take with the mail server's timeouts; if the worker dies
# mid-send, the inquiry is free again after it and the sweeper re-enqueues it.
SEND_LEASE = timedelta(minutes=15)

# Error reports to ADMINS are retried a few times, a minute apart at first.
ADMIN_MAIL_ATTEMPTS = 5
ADMIN_MAIL_RETRY_BASE = timedelta(minutes=1)


def retry_delay(attempts: int, *, base: timedelta = RETRY_BASE) -> timedelta:
    # The exponent is bounded so a large attempt count cannot overflow timedelta.
    return min(base * 2 ** min(max(attempts - 1, 0), 16), RETRY_CAP)


def _can_defer(a_task) -> bool:
    # The immediate backend (tests, or a site without a worker) cannot schedule a task for
    # later; there the sweeper (`retry_inquiry_notifications`) picks up failed inquiries.
    return a_task.get_backend().supports_defer


@task
def send_inquiry_emails(inquiry_id: int) -> str:
    """Send whatever is still unsent for an inquiry: the press office's notification and
    the journalist's acknowledgement. Returns what happened, for the task's result."""
    now = timezone.now()
    # The claim: one UPDATE that re-checks, under the row's lock, that the inquiry is
    # real, unsent, not given up, due and not being sent, then holds it for a lease.
    # Of two tasks for one inquiry (a retry and the sweeper's, or a duplicate) only one
    # matches; the other finds nothing due and stops.
    claimed = (
        MediaInquiry.objects.filter(pk=inquiry_id)
        .due_for_delivery(at=now)
        .update(notify_attempts=F("notify_attempts") + 1, sending_until=now + SEND_LEASE)
    )
    if not claimed:
        return "nothing due"
    inquiry = MediaInquiry.objects.select_related("region").get(pk=inquiry_id)

    errors = []
    for sent_field, build, label in (
        ("notified_at", emails.inquiry_notification, "press office"),
        ("acknowledged_at", emails.inquiry_acknowledgement, "acknowledgement"),
    ):
        if getattr(inquiry, sent_field) is not None:
            continue
        try:
            build(inquiry).send()
        except emails.MAIL_ERRORS as error:
            logger.warning("Inquiry %s: %s e-mail failed: %r", inquiry.reference, label, error)
            errors.append(f"{label}: {error!r}")
        else:
            # Recorded at once, before the next e-mail is tried: if the worker dies in
            # between, the retry does not send this one again.
            MediaInquiry.objects.filter(pk=inquiry.pk).update(**{sent_field: timezone.now()})

    retry_at = None
    if errors and inquiry.notify_attempts < MAX_NOTIFY_ATTEMPTS:
        retry_at = timezone.now() + retry_delay(inquiry.notify_attempts)
    # Only the delivery columns: a press officer editing the inquiry meanwhile loses nothing.
    MediaInquiry.objects.filter(pk=inquiry.pk).update(
        last_error="; ".join(errors)[:500], next_attempt_at=retry_at, sending_until=None
    )
    if not errors:
        return "sent"
    if retry_at is None:
        logger.error(
            "Inquiry %s: gave up e-mailing after %d attempts; staff can re-send it from "
            "the admin.",
            inquiry.reference,
            inquiry.notify_attempts,
        )
        return "gave up"
    if _can_defer(send_inquiry_emails):
        send_inquiry_emails.using(run_after=retry_at).enqueue(inquiry_id)
    return f"retrying at {retry_at.isoformat()}"


@task
def send_inquiry_message(message_id: int) -> str:
    """Send one e-mail of an inquiry's thread (a reply, an assignment notice), once.

    Claimed with one conditional UPDATE like ``send_inquiry_emails``; ``sent_at`` is
    recorded the moment the mail server takes it. A reply that went out moves its
    inquiry to answered (if it was still open), so the status never claims an answer the
    journalist has not been sent.
    """
    now = timezone.now()
    claimed = (
        InquiryMessage.objects.filter(pk=message_id)
        .due_for_delivery(at=now)
        .update(attempts=F("attempts") + 1, sending_until=now + SEND_LEASE)
    )
    if not claimed:
        return "nothing due"
    message = InquiryMessage.objects.select_related("inquiry", "author").get(pk=message_id)
    try:
        emails.inquiry_message(message).send()
    except emails.MAIL_ERRORS as error:
        logger.warning("Inquiry %s: %s failed: %r", message.inquiry.reference, message.kind, error)
        retry_at = None
        if message.attempts < MAX_NOTIFY_ATTEMPTS:
            retry_at = timezone.now() + retry_delay(message.attempts)
        InquiryMessage.objects.filter(pk=message.pk).update(
            last_error=repr(error)[:500], next_attempt_at=retry_at, sending_until=None
        )
        if retry_at is None:
            logger.error(
                "Inquiry %s: gave up sending a %s after %d attempts; staff can re-send it "
                "from the admin.",
                message.inquiry.reference,
                message.kind,
                message.attempts,
            )
            return "gave up"
        if _can_defer(send_inquiry_message):
            send_inquiry_message.using(run_after=retry_at).enqueue(message_id)
        return f"retrying at {retry_at.isoformat()}"
    sent_at = timezone.now()
    InquiryMessage.objects.filter(pk=message.pk).update(
        sent_at=sent_at, last_error="", next_attempt_at=None, sending_until=None
    )
    if message.kind == InquiryMessage.Kind.REPLY:
        MediaInquiry.objects.filter(pk=message.inquiry_id).open().update(
            status=MediaInquiry.Status.ANSWERED, updated_at=sent_at
        )
        MediaInquiry.objects.filter(pk=message.inquiry_id, answered_at__isnull=True).update(
            answered_at=sent_at
        )
    return "sent"


@task
def mail_admins(subject: str, message: str, html_message: str | None = None, attempt: int = 1):
    """An error report to ``ADMINS`` (see ``press/errors.py``), retried a few times.

    It never raises: a failing report would itself be logged as an error and reported,
    round and round while the mail server is down.
    """
    try:
        mail.mail_admins(subject, message, html_message=html_message)
    except emails.MAIL_ERRORS as error:
        if attempt >= ADMIN_MAIL_ATTEMPTS or not _can_defer(mail_admins):
            logger.warning("Error report %r not sent, giving up: %r", subject, error)
            return "gave up"
        retry_at = timezone.now() + retry_delay(attempt, base=ADMIN_MAIL_RETRY_BASE)
        mail_admins.using(run_after=retry_at).enqueue(
            subject, message, html_message=html_message, attempt=attempt + 1
        )
        logger.warning("Error report %r not sent, retrying: %r", subject, error)
        return f"retrying at {retry_at.isoformat()}"
    return "sent"


KIT_MAX_ATTEMPTS = 4
KIT_FIRST_RETRY_SECONDS = 30


@task(takes_context=True)
def build_media_kit(context: TaskContext, *, article_id: int, attempt: int = 1) -> bool:
    """Build an article's media kit unless the stored one is current; True if built.

    Idempotent: a kit that matches the article is left alone, so duplicates cost a
    check. Storage errors (OSError) are retried with a growing delay.
    """
    try:
        return media_kit.build(article_id)
    except OSError:
        backend = context.task_result.task.get_backend()
        if attempt < KIT_MAX_ATTEMPTS and backend.supports_defer:
            delay = timedelta(seconds=KIT_FIRST_RETRY_SECONDS * 4 ** (attempt - 1))
            build_media_kit.using(run_after=timezone.now() + delay).enqueue(
                article_id=article_id, attempt=attempt + 1
            )
            logger.warning("Media kit of article %s failed; retry %s queued", article_id, attempt)
        raise
