"""The alerts' multi-step writes: subscribing, confirming, changing and stopping alerts,
announcing articles, and erasing a subscriber on request.

Nothing here sends mail or matches subscribers: mails are queued in the outbox and tasks
(``alerts/tasks.py``) enqueued after the transaction commits; a worker does the rest.
"""

import hashlib
import logging
from datetime import datetime, timedelta
from functools import partial

from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import emails, tasks
from alerts.models import Announcement, ArticleAlert, Delivery, Subscription
from alerts.slots import digest_times_at, next_slot  # noqa: F401 - part of this API
from alerts.tasks import schedule_digest
from articles.models import Article
from core.addresses import mailbox_key, normalize_email
from core.datetimes import newsroom_zone_name
from core.languages import default_language, language_codes
from outbox import services as outbox
from press.services import RateLimit

logger = logging.getLogger(__name__)

# An article is news for this long after its publication time: older ones going live
# (an archive imported, a backdated article, a re-publication) alert nobody.
ALERT_WINDOW = timedelta(days=1)

# Per client address, every POST of the subscribe form; per mailbox, the mails a
# stranger can make us send it (confirmations, "already subscribed" notices), counted by
# ``core.addresses.mailbox_key`` so no spelling of the address starts a new count.
subscribe_posts = RateLimit("alerts-subscribe", 20, 600)
address_mails = RateLimit("alerts-address-mail", 3, 60 * 60 * 24)


def _on_commit(task, *args) -> None:
    # robust: the rows are committed; a queue that cannot take the task leaves the work
    # to the sweeper (``manage.py send_alerts``) rather than failing the request.
    transaction.on_commit(partial(task.enqueue, *args), robust=True)


def _defer(task, run_after: datetime, *args) -> bool:
    """Enqueue ``task`` to run at ``run_after`` (after commit); False where the backend
    cannot defer (then ``manage.py send_alerts`` picks the work up when it is due)."""
    if not task.get_backend().supports_defer:
        return False
    transaction.on_commit(partial(task.using(run_after=run_after).enqueue, *args), robust=True)
    return True


def _address_key(email: str) -> str:
    # Counted under a hash: the rate-limit cache need not hold addresses.
    return hashlib.sha256(mailbox_key(email).encode()).hexdigest()


# --- Subscribing ------------------------------------------------------------------------


def subscribe(
    *,
    email: str,
    query: str,
    frequency: str,
    digest_hour: int,
    consent_text: str,
    digest_time_zone: str = "",
    language: str = "",
) -> Subscription:
    """Ask for an alert: a pending subscription and its confirmation mail.

    A request for a filter the address already has confirmed changes nothing (whoever
    typed the address may not own it) and mails the owner their preferences link. The
    address is normalised first (``core.addresses``: a ValidationError if it cannot be),
    so every spelling of one mailbox is one subscription per filter, and the mails a
    stranger can cause are limited per mailbox (``address_mails``). ``language`` is the
    page's (the default language's when not given): the subscription is sent the
    articles written in it, and its mails are in it.
    """
    email = normalize_email(email)
    language = language if language in language_codes() else default_language()
    now = timezone.now()
    with transaction.atomic():
        mailbox = Subscription.objects.select_for_update().for_address(email)
        subscription, created = mailbox.get_or_create(
            query=query,
            language=language,
            defaults={
                "email": email,
                "frequency": frequency,
                "digest_hour": digest_hour,
                "digest_time_zone": digest_time_zone or newsroom_zone_name(),
                "consent_text": consent_text,
                "consented_at": now,
            },
        )
        if subscription.status == Subscription.Status.CONFIRMED:
            if _may_mail(email):
                outbox.enqueue(
                    emails.already_subscribed(subscription),
                    kind=tasks.ALREADY_SUBSCRIBED,
                    about=subscription,
                )
            return subscription
        if not created:
            # Pending, unsubscribed or suspended: start again from the new request.
            subscription.frequency = frequency
            subscription.digest_hour = digest_hour
            subscription.digest_time_zone = digest_time_zone or newsroom_zone_name()
            subscription.consent_text = consent_text
            subscription.consented_at = now
            subscription.status = Subscription.Status.PENDING
            subscription.save()
        if _may_mail(email):
            outbox.enqueue(
                emails.confirmation(subscription), kind=tasks.CONFIRMATION, about=subscription
            )
    return subscription


def _may_mail(email: str) -> bool:
    key = _address_key(email)
    if address_mails.exceeded(key):
        logger.info("Alert mails to one address over the daily limit: not sent.")
        return False
    address_mails.hit(key)
    return True


@transaction.atomic
def confirm(*, subscription: Subscription) -> Subscription:
    """The address owner pressed "Confirm": alerts start. Confirming twice is harmless;
    a subscription stopped since (unsubscribed, suspended) is not restarted this way."""
    updated = Subscription.objects.filter(
        pk=subscription.pk, status=Subscription.Status.PENDING
    ).update(status=Subscription.Status.CONFIRMED, confirmed_at=timezone.now())
    subscription.refresh_from_db()
    if updated and subscription.frequency == Subscription.Frequency.DAILY:
        schedule_digest(subscription.digest_hour, subscription.digest_time_zone)
    return subscription


@transaction.atomic
def unsubscribe(*, subscription: Subscription) -> Subscription:
    """Stop every mail to this subscription at once, including what it was still owed."""
    Subscription.objects.filter(pk=subscription.pk).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    subscription.deliveries.filter(sent_at__isnull=True).delete()
    outbox.cancel_about(subscription, reason="not sent: unsubscribed")
    subscription.refresh_from_db()
    return subscription


class FilterTaken(Exception):
    """The address already has another subscription with this filter."""


@transaction.atomic
def update_preferences(
    *,
    subscription: Subscription,
    query: str,
    frequency: str,
    digest_hour: int,
    digest_time_zone: str = "",
    language: str = "",
) -> Subscription:
    """Change the filter, language or frequency through the preferences link (which
    proves the mailbox, so a stopped subscription starts again and its bounces are
    forgiven). A new language applies to articles going live from then on."""
    was_daily = subscription.frequency == Subscription.Frequency.DAILY
    subscription.query = query
    if language in language_codes():
        subscription.language = language
    subscription.frequency = frequency
    subscription.digest_hour = digest_hour
    subscription.digest_time_zone = digest_time_zone or subscription.digest_time_zone
    if subscription.status != Subscription.Status.CONFIRMED:
        subscription.status = Subscription.Status.CONFIRMED
        subscription.confirmed_at = subscription.confirmed_at or timezone.now()
        subscription.unsubscribed_at = None
        subscription.bounce_count = 0
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:
        raise FilterTaken("You already have an alert for exactly this filter.") from None
    if frequency == Subscription.Frequency.DAILY:
        _withdraw_instant(subscription)
        subscription.deliveries.filter(sent_at__isnull=True).update(in_digest=True)
        schedule_digest(digest_hour, subscription.digest_time_zone)
    elif was_daily:
        # What the digest still owed goes out now, as one mail.
        waiting = subscription.deliveries.unsent().filter(in_digest=True)
        if waiting.exists():
            _on_commit(tasks.send_digest_now, subscription.pk)
    return subscription


def _withdraw_instant(subscription: Subscription) -> None:
    """Alerts queued for this subscriber but not yet sent (a mail server refusing them
    for now) go back to being owed: the digest will carry them."""
    waiting = outbox.Message.objects.about(subscription).filter(
        kind__in=(tasks.ALERT, tasks.ANNOUNCEMENT),
        state__in=(outbox.Message.State.QUEUED, outbox.Message.State.RETRYING),
    )
    keys = set(waiting.values_list("dedup_key", flat=True))
    if not keys:
        return
    rows = subscription.deliveries.filter(sent_at__isnull=False, in_digest=False)
    withdrawn = [row.pk for row in rows if tasks.dedup_key(row) in keys]
    waiting.filter(dedup_key__in=keys).delete()
    Delivery.objects.filter(pk__in=withdrawn).update(sent_at=None)


@transaction.atomic
def erase(*, subscription: Subscription, user) -> None:
    """Delete a subscriber on request: the address, its subscription and every record
    of what was sent to it. The admin log keeps that it was done, not the address."""
    pk = subscription.pk
    content_type = ContentType.objects.get_for_model(Subscription)
    subscription.deliveries.all().delete()
    # The outbox's copies of its mails hold the address too.
    outbox.Message.objects.about(subscription).delete()
    subscription.delete()
    # Earlier admin log rows about it named the address (their object_repr).
    LogEntry.objects.filter(content_type=content_type, object_id=str(pk)).update(
        object_repr=f"Alert subscription #{pk}"
    )
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=content_type,
        object_id=str(pk),
        object_repr=f"Alert subscription #{pk}",
        action_flag=DELETION,
        change_message="Erased on request (address and delivery records deleted).",
    )
    logger.info("Alert subscription #%s erased on request by user #%s.", pk, user.pk)


# --- Articles going live ---------------------------------------------------------------


def schedule_article(*, article: Article, now: datetime | None = None) -> ArticleAlert | None:
    """Alert ``article`` when it goes live: now if it is live, at its publication time if
    it is scheduled. Once subscribers were matched, nothing about the article (an edit,
    an unpublish and publish, a new time) alerts anyone again. Articles whose
    publication time is more than ``ALERT_WINDOW`` ago are not news and alert nobody.
    """
    now = now or timezone.now()
    if article.status != Article.Status.PUBLISHED or article.published_at < now - ALERT_WINDOW:
        return None
    alert, created = ArticleAlert.objects.get_or_create(
        article=article, defaults={"due_at": article.published_at}
    )
    if alert.matched_at is not None:
        return alert
    if not created and alert.due_at != article.published_at:
        alert.due_at = article.published_at
        alert.save(update_fields=["due_at"])
    if article.published_at <= now:
        _on_commit(tasks.fan_out_article, article.pk)
    else:
        # The task checks, when it runs, that the article is live then: a task left
        # over from an earlier time finds it scheduled later (or unpublished) and stops.
        _defer(tasks.fan_out_article, article.published_at, article.pk)
    return alert


def schedule_articles(*, article_ids, now: datetime | None = None) -> int:
    """``schedule_article`` for the recent or scheduled ones among ``article_ids``."""
    now = now or timezone.now()
    ids = list(article_ids)
    scheduled = 0
    for start in range(0, len(ids), 500):
        recent = Article.objects.filter(
            pk__in=ids[start : start + 500],
            status=Article.Status.PUBLISHED,
            published_at__gte=now - ALERT_WINDOW,
        ).only("pk", "status", "published_at")
        for article in recent:
            if schedule_article(article=article, now=now):
                scheduled += 1
    return scheduled


@transaction.atomic
def announce(article: Article, *, reason: str) -> Announcement | None:
    """Tell the subscribers who were sent ``article`` something new about it (a
    correction an editor chose to announce): instantly or in their next digest.
    Nothing is said about an article that is not live."""
    reason = reason.strip()
    if not reason or not Article.objects.live().filter(pk=article.pk).exists():
        return None
    announcement = Announcement.objects.create(article=article, reason=reason[:2000])
    told = Subscription.objects.confirmed().filter(
        deliveries__article=article,
        deliveries__announcement__isnull=True,
        deliveries__sent_at__isnull=False,
    )
    rows = [
        Delivery(
            subscription_id=pk,
            article=article,
            announcement=announcement,
            in_digest=frequency == Subscription.Frequency.DAILY,
        )
        for pk, frequency in told.values_list("pk", "frequency")
    ]
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    _on_commit(tasks.queue_alerts, article.pk, announcement.pk)
    return announcement
