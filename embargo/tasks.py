"""Background work of embargoes: recipients' e-mails and the release of withheld media.

E-mails go through the outbox (``outbox/``), which sends and retries them: a task works
out what a link's recipient is owed, records it on the link (``invited_at``,
``notified_published_at``) with one conditional UPDATE and queues the mail in the same
transaction, under a de-duplication key, so a retried or duplicated task never queues
the same notice twice.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from embargo import emails, media
from embargo.models import EmbargoLink, under_embargo
from outbox.services import enqueue

logger = logging.getLogger(__name__)

INVITATION = "embargo.invitation"
TIME_CHANGED = "embargo.time_changed"


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
    """Queue for the recipient of one link whatever they are owed: the invitation with
    their personal link, or the news that the publication time moved. Returns what
    happened."""
    with transaction.atomic():
        link = EmbargoLink.objects.select_related("article").filter(pk=link_id).first()
        if link is None:
            return "nothing due"
        kind = _due(link)
        if kind is None:
            return "nothing due"
        told = link.article.published_at
        # The claim re-checks what was read, so of two tasks for one link only one queues.
        recorded = {"notified_published_at": told}
        if kind == "invitation":
            recorded["invited_at"] = timezone.now()
        claimed = (
            EmbargoLink.objects.filter(
                pk=link_id, revoked_at__isnull=True, invited_at__isnull=kind == "invitation"
            )
            .filter(
                Q(notified_published_at__isnull=True)
                if link.notified_published_at is None
                else Q(notified_published_at=link.notified_published_at)
            )
            .update(**recorded)
        )
        if not claimed:
            return "nothing due"
        build = emails.invitation if kind == "invitation" else emails.time_changed
        name = INVITATION if kind == "invitation" else TIME_CHANGED
        key = f"{name}:{link_id}" if kind == "invitation" else f"{name}:{link_id}:{told}"
        enqueue(build(link), kind=name, about=link, dedup_key=key)
    return f"queued {kind}"


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
