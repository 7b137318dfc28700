"""Queueing mail, and the admin's "send again" and "give up".

``enqueue`` takes a rendered ``EmailMessage`` and writes it as a row in the caller's
transaction; after the commit a delivery task is enqueued, so with a worker running the
mail leaves within a second. Without that nudge (the task queue unreachable) the worker's
own sweep finds the row within a few seconds (``outbox.worker``).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from outbox.models import Message


@dataclass
class Outgoing:
    """A rendered mail to queue, and what it is about."""

    email: EmailMessage
    kind: str
    about: Model | None = None
    dedup_key: str | None = None


def _row(item: Outgoing) -> Message:
    email = item.email
    html = ""
    for content, mimetype in getattr(email, "alternatives", None) or []:
        if mimetype == "text/html":
            html = content
    row = Message(
        kind=item.kind,
        recipients="\n".join(email.to),
        from_email=email.from_email or settings.DEFAULT_FROM_EMAIL,
        reply_to="\n".join(email.reply_to),
        subject=" ".join(str(email.subject).split())[:998],
        body=email.body,
        html_body=html,
        headers=dict(email.extra_headers),
        dedup_key=item.dedup_key,
        created_at=timezone.now(),
    )
    row.next_attempt_at = row.created_at
    if item.about is not None:
        row.content_type = ContentType.objects.get_for_model(item.about)
        row.object_id = item.about.pk
    return row


def enqueue(
    email: EmailMessage, *, kind: str, about: Model | None = None, dedup_key: str | None = None
) -> Message | None:
    """Queue one mail; None if a mail under ``dedup_key`` was queued before (or it has
    no recipient)."""
    if not email.to:
        return None
    row = _row(Outgoing(email, kind, about, dedup_key))
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if dedup_key and Message.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    _deliver_after_commit()
    return row


def enqueue_many(items: Iterable[Outgoing], *, chunk: int = 1000) -> int:
    """Queue many mails with bulk inserts; one already queued under its ``dedup_key``
    is skipped. Returns how many were offered (a skipped duplicate included: with
    ``ignore_conflicts`` the database does not say which rows it skipped)."""
    rows, offered = [], 0
    for item in items:
        if not item.email.to:
            continue
        rows.append(_row(item))
        if len(rows) >= chunk:
            offered += len(Message.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    if rows:
        offered += len(Message.objects.bulk_create(rows, ignore_conflicts=True))
    if offered:
        _deliver_after_commit()
    return offered


def _deliver_after_commit() -> None:
    from outbox.tasks import deliver  # noqa: PLC0415 - the task module imports this one

    # Once per transaction, however many mails it queued: a nudge still waiting for the
    # commit will do.
    waiting = (getattr(func, "outbox_nudge", None) for _, func, _ in connection.run_on_commit)
    if any(state == "waiting" for state in waiting):
        return

    def nudge():
        nudge.outbox_nudge = "spent"
        deliver.enqueue()

    nudge.outbox_nudge = "waiting"
    # robust: the rows are committed; a queue that cannot take the task leaves them to
    # the worker's sweep rather than failing the request.
    transaction.on_commit(nudge, robust=True)


def send_again(messages) -> int:
    """Make pending or given-up messages due now, with a fresh count of attempts (the
    admin's action). Sent ones are left alone: they reached the server."""
    now = timezone.now()
    updated = messages.exclude(state=Message.State.SENT).update(
        state=Message.State.QUEUED,
        attempts=0,
        next_attempt_at=now,
        leased_by="",
        leased_until=None,
    )
    if updated:
        _deliver_after_commit()
    return updated


def give_up(messages, *, reason: str) -> int:
    """Stop trying: pending messages become given up, ``reason`` kept as their error.
    One being sent right now may still reach the server."""
    return messages.pending().update(
        state=Message.State.GAVE_UP, last_error=reason, leased_by="", leased_until=None
    )


def cancel_about(obj: Model, *, kinds: Iterable[str] | None = None, reason: str) -> int:
    """Give up what is still pending about ``obj`` (a subscription stopped, a link
    revoked)."""
    messages = Message.objects.about(obj)
    if kinds is not None:
        messages = messages.filter(kind__in=list(kinds))
    return give_up(messages, reason=reason)
