"""Every e-mail the press office sends, and the building of media kits, as background
tasks (``django.tasks``).

Requests and admin actions only enqueue these, after their transaction commits. The mail
tasks render and queue in the outbox (``outbox/``), which sends and retries; what was
queued is recorded on the inquiry (``notified_at``, ``acknowledged_at``) or checked
against the outbox's de-duplication key (replies, assignment notices), so a retried or
duplicated task never queues a mail twice. ``press.apps`` listens to the outbox: a reply
that went out marks its inquiry answered.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import timezone

from outbox.models import Message
from outbox.services import enqueue
from press import emails, media_kit
from press.models import InquiryMessage, MediaInquiry

logger = logging.getLogger(__name__)

NOTIFICATION = "press.inquiry_notification"
ACKNOWLEDGEMENT = "press.inquiry_acknowledgement"
REPLY = "press.reply"
ASSIGNMENT = "press.assignment"
MESSAGE_KINDS = {InquiryMessage.Kind.REPLY: REPLY, InquiryMessage.Kind.ASSIGNMENT: ASSIGNMENT}

ERROR_REPORT = "errors.report"


@task
def send_inquiry_emails(inquiry_id: int) -> str:
    """Queue whatever is still unqueued for a real inquiry: the press office's
    notification and the journalist's acknowledgement. Returns what happened."""
    queued = []
    with transaction.atomic():
        real = MediaInquiry.objects.exclude(status=MediaInquiry.Status.SPAM).filter(pk=inquiry_id)
        for queued_field, build, kind in (
            ("notified_at", emails.inquiry_notification, NOTIFICATION),
            ("acknowledged_at", emails.inquiry_acknowledgement, ACKNOWLEDGEMENT),
        ):
            # The claim: one conditional UPDATE, so of two tasks only one queues it.
            if not real.filter(**{f"{queued_field}__isnull": True}).update(
                **{queued_field: timezone.now()}
            ):
                continue
            inquiry = MediaInquiry.objects.select_related("region").get(pk=inquiry_id)
            enqueue(build(inquiry), kind=kind, about=inquiry, dedup_key=f"{kind}:{inquiry_id}")
            queued.append(kind)
    return f"queued {', '.join(queued)}" if queued else "nothing due"


@task
def send_inquiry_message(message_id: int) -> str:
    """Queue one e-mail of an inquiry's thread (a reply, an assignment notice), once.

    The outbox's de-duplication key makes a second task a no-op. ``sent_at`` is recorded
    when the mail server took it, and a reply then moves its inquiry to answered
    (``message_sent`` in ``press.apps``), so the status never claims an answer the
    journalist has not been sent.
    """
    message = (
        InquiryMessage.objects.select_related("inquiry", "author").filter(pk=message_id).first()
    )
    if message is None or message.sent_at is not None:
        return "nothing due"
    kind = MESSAGE_KINDS[message.kind]
    with transaction.atomic():
        row = enqueue(
            emails.inquiry_message(message),
            kind=kind,
            about=message,
            dedup_key=f"{kind}:{message_id}",
        )
    return "queued" if row is not None else "nothing due"


def message_sent(sender, message, **kwargs) -> None:
    """The outbox sent a reply or an assignment notice: record it on the thread, and a
    reply answers its inquiry (if it was still open)."""
    if message.kind not in (REPLY, ASSIGNMENT):
        return
    sent_at = message.sent_at or timezone.now()
    thread_message = InquiryMessage.objects.filter(pk=message.object_id).first()
    if thread_message is None:
        return
    InquiryMessage.objects.filter(pk=thread_message.pk, sent_at__isnull=True).update(
        sent_at=sent_at
    )
    if message.kind == REPLY:
        MediaInquiry.objects.filter(pk=thread_message.inquiry_id).open().update(
            status=MediaInquiry.Status.ANSWERED, updated_at=sent_at
        )
        MediaInquiry.objects.filter(pk=thread_message.inquiry_id, answered_at__isnull=True).update(
            answered_at=sent_at
        )


def catch_up() -> int:
    """The worker's sweep: queue what a lost task (a crash between commit and enqueue,
    a queue that was down) or an upgrade from the press office's own sending left
    unqueued. Returns how many tasks it ran."""
    grace = timezone.now() - timedelta(minutes=2)
    ran = 0
    inquiries = MediaInquiry.objects.unsent().filter(created_at__lte=grace)
    for pk in inquiries.values_list("pk", flat=True)[:100]:
        send_inquiry_emails.call(pk)
        ran += 1
    queued = Message.objects.filter(
        content_type=ContentType.objects.get_for_model(InquiryMessage),
        kind__in=list(MESSAGE_KINDS.values()),
    )
    messages = (
        InquiryMessage.objects.unsent()
        .filter(created_at__lte=grace)
        .exclude(pk__in=queued.values("object_id"))
    )
    for pk in messages.values_list("pk", flat=True)[:100]:
        send_inquiry_message.call(pk)
        ran += 1
    return ran


def queue_error_report(subject: str, message: str, html_message: str | None = None):
    """Queue an error report to ``ADMINS`` in the outbox (see ``press/errors.py``), built
    as ``django.core.mail.mail_admins`` builds it. The outbox sends and retries it; it
    raises when the database cannot take it (the handler logs that)."""
    if not settings.ADMINS:
        return None
    recipients = [a if isinstance(a, str) else a[1] for a in settings.ADMINS]
    report = EmailMultiAlternatives(
        f"{settings.EMAIL_SUBJECT_PREFIX}{subject}", message, settings.SERVER_EMAIL, recipients
    )
    if html_message:
        report.attach_alternative(html_message, "text/html")
    return enqueue(report, kind=ERROR_REPORT)


@task
def mail_admins(subject: str, message: str, html_message: str | None = None, attempt: int = 1):
    """An error report queued as a task before reports went to the outbox directly: a
    task still waiting at the upgrade queues its report there."""
    queue_error_report(subject, message, html_message=html_message)
    return "queued"


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
