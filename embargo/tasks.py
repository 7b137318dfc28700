"""Background work of embargoes: recipients' e-mails and the release of withheld media.

E-mails follow ``press/tasks.py``: one conditional UPDATE claims a link before sending,
what was sent is recorded on the link (``invited_at``, ``notified_published_at``), so a
retried or duplicated task never sends the same notice twice, and a failure schedules the
next attempt itself, a bounded number of times.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from embargo import emails, media
from embargo.models import EmbargoLink, under_embargo
from press.emails import MAIL_ERRORS
from press.tasks import SEND_LEASE, retry_delay

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def _due(link) -> str | None:
    """Which notice the link's recipient is owed, if any."""
    if link.revoked_at is not None or not link.send_email:
        return None
    article = link.article
    if link.invited_at is None:
        # Nothing to invite to once the article is public, unpublished or the link ended.
        return "invitation" if under_embargo(article) and not link.is_expired() else None
    if article.status == "published" and link.notified_published_at != article.published_at:
        return "time_changed"
    return None


@task
def notify_recipient(link_id: int) -> str:
    """Send the recipient of one link whatever they are owed: the invitation with their
    personal link, or the news that the publication time moved. Returns what happened."""
    now = timezone.now()
    link = EmbargoLink.objects.select_related("article").filter(pk=link_id).first()
    if link is None:
        return "nothing due"
    kind = _due(link)
    if kind is None:
        return "nothing due"
    # The claim re-checks what was read, so of two tasks for one link only one sends.
    claimed = (
        EmbargoLink.objects.filter(
            pk=link_id,
            revoked_at__isnull=True,
            invited_at__isnull=kind == "invitation",
        )
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now))
        .filter(
            Q(notified_published_at__isnull=True)
            if link.notified_published_at is None
            else Q(notified_published_at=link.notified_published_at)
        )
        .update(send_attempts=F("send_attempts") + 1, sending_until=now + SEND_LEASE)
    )
    if not claimed:
        return "nothing due"
    told = link.article.published_at
    build = emails.invitation if kind == "invitation" else emails.time_changed
    try:
        build(link).send()
    except MAIL_ERRORS as error:
        attempts = link.send_attempts + 1
        logger.warning("Embargo link %s: %s e-mail failed: %r", link_id, kind, error)
        EmbargoLink.objects.filter(pk=link_id).update(
            sending_until=None, last_error=repr(error)[:500]
        )
        if attempts >= MAX_ATTEMPTS:
            logger.error("Embargo link %s: gave up after %d attempts.", link_id, attempts)
            return "gave up"
        retry_at = timezone.now() + retry_delay(attempts)
        if notify_recipient.get_backend().supports_defer:
            notify_recipient.using(run_after=retry_at).enqueue(link_id=link_id)
        return f"retrying at {retry_at.isoformat()}"
    sent = {"notified_published_at": told, "sending_until": None, "last_error": ""}
    if kind == "invitation":
        sent["invited_at"] = timezone.now()
    EmbargoLink.objects.filter(pk=link_id).update(send_attempts=0, **sent)
    # Moved again while this was being sent: the article's save found the link busy.
    current = type(link.article).objects.filter(pk=link.article_id).values("published_at")
    if current and current[0]["published_at"] != told:
        transaction.on_commit(lambda: notify_recipient.enqueue(link_id=link_id))
    return f"sent {kind}"


@task
def sync_article_media(article_id: int) -> str:
    """Release the media of an article at its lift (withhold them if it is not live).

    Scheduled for a scheduled article's publication time. Applies the rule to the
    article's media when it runs, so a stale or duplicated task does the right thing.
    """
    return media.sync(article_id=article_id)


def schedule_lift(article) -> None:
    """Release the article's media at its publication time (a little after, so the
    article is live when the task looks)."""
    backend = sync_article_media.get_backend()
    if backend.supports_defer:
        sync_article_media.using(run_after=article.published_at + timedelta(seconds=1)).enqueue(
            article_id=article.pk
        )
