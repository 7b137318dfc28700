"""The alerts' background work (``django.tasks``): the fan-out of an article to its
subscribers and the daily digests. Sending is the outbox's (``outbox/``).

Exactly once: the fan-out writes one ``Delivery`` row per subscriber owed the article
(a unique constraint refuses a second); queueing renders each owed mail into the outbox
under a de-duplication key and marks the row handed over in the same transaction, so a
retried or duplicated task queues nothing twice. The outbox sends in batches over one
SMTP connection and records each mail as the server accepts it.
"""

import logging
from datetime import datetime
from functools import partial
from itertools import groupby

from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation

from alerts import emails
from alerts.filtering import matching_queries
from alerts.models import Announcement, ArticleAlert, Delivery, DigestRun, Subscription
from alerts.slots import digest_times_at, next_slot
from articles.models import Article
from outbox.services import Outgoing, enqueue_many

logger = logging.getLogger(__name__)

# Rows rendered and handed to the outbox per transaction.
QUEUE_CHUNK = 1000
# Subscribers whose digests are rendered per transaction.
DIGEST_CHUNK = 200

ALERT = "alerts.alert"
ANNOUNCEMENT = "alerts.announcement"
DIGEST = "alerts.digest"
CONFIRMATION = "alerts.confirmation"
ALREADY_SUBSCRIBED = "alerts.already_subscribed"
# Mails whose refusal for good counts as a bounce of the subscription they are about.
BOUNCING_KINDS = (ALERT, ANNOUNCEMENT, DIGEST, ALREADY_SUBSCRIBED, CONFIRMATION)


# --- An article going live ---------------------------------------------------------------


@task
def fan_out_article(article_id: int) -> str:
    """Match a live article to the confirmed subscribers, once, then queue the instant
    alerts. Checks, when it runs, that the article is live: a task enqueued for a
    scheduled article whose time moved, or that was unpublished, stops here."""
    now = timezone.now()
    alert = ArticleAlert.objects.filter(article_id=article_id).first()
    if alert is None:
        return "no alert"
    article = Article.objects.live(at=now).filter(pk=article_id).first()
    if article is None:
        return "not live"
    if alert.matched_at is None:
        with transaction.atomic():
            # The claim: of two tasks for one article, one matches.
            if ArticleAlert.objects.filter(pk=alert.pk, matched_at__isnull=True).update(
                matched_at=now
            ):
                count = owe_article(article)
                ArticleAlert.objects.filter(pk=alert.pk).update(matched_count=count)
    return queue_alerts.call(article_id)


def owe_article(article: Article) -> int:
    """Write a delivery row for every confirmed subscriber of the article's language
    whose filter the article matches; returns how many. Each distinct filter is matched
    once, as the list of that language would match it (its search configuration, its
    region and topic names). A translation going live later is its own article: its
    subscribers are alerted then, and those of other languages never by it."""
    confirmed = Subscription.objects.confirmed().filter(language=article.language)
    queries = confirmed.order_by().values_list("query", flat=True).distinct()
    with translation.override(article.language):
        matched = matching_queries(article, queries)
    if not matched:
        return 0
    subscribers = confirmed.filter(query__in=matched).order_by("pk").values_list("pk", "frequency")
    rows, count = [], 0
    for pk, frequency in subscribers.iterator(chunk_size=2000):
        rows.append(
            Delivery(
                subscription_id=pk,
                article_id=article.pk,
                in_digest=frequency == Subscription.Frequency.DAILY,
            )
        )
        if len(rows) >= 1000:
            count += len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    if rows:
        count += len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
    return count


@task
def queue_alerts(article_id: int, announcement_id: int | None = None) -> str:
    """Hand what instant subscribers are owed about an article (or one announcement
    about it) to the outbox, rendered, in chunks. Nothing is queued for an article that
    is not live: its rows wait (a republication's fan-out finds them)."""
    article = Article.objects.live().filter(pk=article_id).first()
    if article is None:
        return "not live"
    announcement = (
        Announcement.objects.filter(pk=announcement_id).first() if announcement_id else None
    )
    owed = Delivery.objects.unsent().filter(
        article_id=article_id, announcement_id=announcement_id, in_digest=False
    )
    # Its subscribers read the article's language: the mails are rendered in it (a
    # subscriber who has since changed language gets theirs, ``emails``).
    with translation.override(article.language):
        return _queue_owed(owed, article, announcement)


def _queue_owed(owed, article, announcement) -> str:
    shared = emails.Shared()
    queued = 0
    while True:
        with transaction.atomic():
            rows = list(
                owed.select_related("subscription")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:QUEUE_CHUNK]
            )
            if not rows:
                break
            items = [
                Outgoing(
                    emails.alert(
                        row.subscription, article, announcement=announcement, shared=shared
                    ),
                    kind=ANNOUNCEMENT if announcement else ALERT,
                    about=row.subscription,
                    dedup_key=dedup_key(row),
                )
                for row in rows
                if row.subscription.is_active
            ]
            enqueue_many(items)
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now())
            queued += len(items)
    return f"queued {queued}"


def dedup_key(row: Delivery) -> str:
    if row.announcement_id:
        return f"{ANNOUNCEMENT}:{row.subscription_id}:{row.announcement_id}"
    return f"{ALERT}:{row.subscription_id}:{row.article_id}"


# --- Daily digests -----------------------------------------------------------------------


def schedule_digest(hour: int, zone_name: str = "", *, now: datetime | None = None) -> DigestRun:
    """Make sure the next digests at ``hour`` in ``zone_name`` are scheduled: one run row
    and one task per slot (a moment in UTC), however many subscribers, in however many
    zones, it falls on."""
    slot = next_slot(hour, zone_name, now=now)
    run, created = DigestRun.objects.get_or_create(slot_at=slot)
    if created and send_digests.get_backend().supports_defer:
        transaction.on_commit(
            partial(send_digests.using(run_after=slot).enqueue, slot.isoformat()), robust=True
        )
    return run


@task
def send_digests(slot_iso: str) -> str:
    """One slot's daily digests: each subscriber whose chosen hour, in their own zone, is
    now gets one mail with what it is owed. The slot is claimed first (``DigestRun``), so
    a duplicate task queues nothing; tomorrow's slots are scheduled before, so a crash
    cannot end the chain."""
    slot = datetime.fromisoformat(slot_iso)
    now = timezone.now()
    run, _ = DigestRun.objects.get_or_create(slot_at=slot)
    if not DigestRun.objects.filter(pk=run.pk, state=DigestRun.State.SCHEDULED).update(
        state=DigestRun.State.RUNNING, started_at=now
    ):
        return "already run"
    # Each subscriber chose an hour in their own zone: those whose hour it is now.
    due = digest_times_at(slot)
    for zone, hour in due:
        schedule_digest(hour, zone, now=max(slot, now))
    subscribers = Subscription.objects.none()
    for zone, hour in due:
        subscribers |= Subscription.objects.daily_at(hour, zone)
    sent = queue_owed_digests(subscribers) if due else 0
    DigestRun.objects.filter(pk=run.pk).update(
        state=DigestRun.State.DONE, finished_at=timezone.now(), sent_count=sent
    )
    return f"queued {sent} digests"


@task
def send_digest_now(subscription_id: int) -> str:
    """What a subscriber's digest still held, at once (they switched to instant)."""
    sent = queue_owed_digests(Subscription.objects.confirmed().filter(pk=subscription_id))
    return f"queued {sent} digests"


def queue_owed_digests(subscribers) -> int:
    """One digest per subscriber of ``subscribers`` with the rows it is owed whose
    article is live, handed to the outbox; returns how many. Rows of an article not
    live now (unpublished meanwhile) wait for a later digest."""
    shared = emails.Shared()
    owed = Delivery.objects.unsent().filter(
        in_digest=True, subscription__in=subscribers, article__in=Article.objects.live()
    )
    queued, after = 0, 0
    while True:
        with transaction.atomic():
            who = list(
                owed.filter(subscription_id__gt=after)
                .order_by("subscription_id")
                .values_list("subscription_id", flat=True)
                .distinct()[:DIGEST_CHUNK]
            )
            if not who:
                return queued
            after = who[-1]
            rows = list(
                owed.filter(subscription_id__in=who)
                .select_related("subscription", "article", "announcement")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("subscription_id", "article__published_at", "pk")
            )
            items = []
            for _subscription_id, group in groupby(rows, key=lambda row: row.subscription_id):
                group = list(group)
                subscription = group[0].subscription
                digest = [
                    {
                        "article": row.article,
                        "announcement": row.announcement,
                        "article_url": emails.absolute(row.article.get_absolute_url()),
                    }
                    for row in group
                ]
                items.append(
                    Outgoing(
                        emails.digest(subscription, digest, shared=shared),
                        kind=DIGEST,
                        about=subscription,
                        dedup_key=f"{DIGEST}:{subscription.pk}:{group[0].pk}",
                    )
                )
            enqueue_many(items)
            Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now())
            queued += len(items)


# --- Catching up -------------------------------------------------------------------------


def catch_up(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue whatever alert work is due and may have no task waiting: a fan-out lost to
    a crash between commit and enqueue, rows owed but not yet queued (also what was
    waiting when the outbox took over sending), digest slots that came round. Run by the
    worker's sweep (``outbox.worker``) and ``manage.py send_alerts``; duplicates are
    harmless, as every task claims its work first."""
    now = now or timezone.now()
    live = Article.objects.live(at=now)
    fan_outs = list(
        ArticleAlert.objects.filter(
            matched_at__isnull=True, due_at__lte=now, article__in=live
        ).values_list("article_id", flat=True)
    )
    for article_id in fan_outs:
        fan_out_article.enqueue(article_id)
    owed = list(
        Delivery.objects.unsent()
        .filter(in_digest=False, article__in=live)
        .order_by()
        .values_list("article_id", "announcement_id")
        .distinct()
    )
    for article_id, announcement_id in owed:
        queue_alerts.enqueue(article_id, announcement_id)
    for zone, hour in Subscription.objects.digest_times():
        schedule_digest(hour, zone, now=now)
    slots = list(
        DigestRun.objects.filter(state=DigestRun.State.SCHEDULED, slot_at__lte=now).values_list(
            "slot_at", flat=True
        )
    )
    for slot in slots:
        send_digests.enqueue(slot.isoformat())
    return {"fan_outs": len(fan_outs), "owed": len(owed), "slots": len(slots)}
