"""Where articles going live reach the alerts: model signals for every save (the admin's
form and actions, the services, the shell) and the importer's own signal for its bulk
writes; and what the outbox reports about alert mails (sent, refused for good).
Connected in ``AlertsConfig.ready()``.

Only a transition counts: an article becoming published, or a published article's time
moving. Edits of a published article, whatever they change, alert nobody.
"""

import logging

from django.db.models import F

from alerts import services, tasks
from alerts.models import MAX_BOUNCES, Subscription
from articles.models import Article
from outbox.models import Message
from outbox.services import give_up

logger = logging.getLogger(__name__)


def remember_state(sender, instance, raw=False, **kwargs):
    """Before a save: how the stored article stood (status and time), if it exists."""
    if raw or instance.pk is None:
        instance._alerts_before = None
        return
    instance._alerts_before = (
        Article.objects.filter(pk=instance.pk).values_list("status", "published_at").first()
    )


def article_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or instance.status != Article.Status.PUBLISHED:
        return
    before = getattr(instance, "_alerts_before", None)
    if before == (instance.status, instance.published_at):
        return  # an edit of a published article: never a new alert
    services.schedule_article(article=instance)


def articles_imported(sender, *, article_ids, alerts=True, **kwargs):
    """An import wrote these articles; alert the ones published within the last day or
    scheduled (``import_articles --no-alerts`` passes ``alerts=False``)."""
    if alerts:
        services.schedule_articles(article_ids=article_ids)


def article_corrected(sender, article, note=None, notify_subscribers=False, **kwargs):
    """An editor corrected, clarified or updated a live article. Subscribers who were sent
    it hear of it only when the editor ticked "tell subscribers"; otherwise the feeds'
    updated date is the whole announcement."""
    if not notify_subscribers:
        return
    if note is None:
        reason = "This article has been updated."
    else:
        reason = f"{note.get_kind_display()}: {note.text}"
    services.announce(article, reason=reason)


# --- What the outbox reports back --------------------------------------------------------


def _subscription_id(message) -> int | None:
    if message.kind not in tasks.BOUNCING_KINDS or message.object_id is None:
        return None
    return message.object_id


def mail_sent(sender, *, message, **kwargs):
    """A confirmation that reached the mail server is recorded on its subscription."""
    if message.kind == tasks.CONFIRMATION and message.object_id is not None:
        Subscription.objects.filter(pk=message.object_id).update(
            confirmation_sent_at=message.sent_at
        )


def mail_refused(sender, *, message, error, **kwargs):
    """An address refused for good (a hard bounce) is counted against its subscription;
    the third suspends it, and what it was still owed is not sent."""
    subscription_id = _subscription_id(message)
    if subscription_id is None:
        return
    Subscription.objects.filter(pk=subscription_id).update(
        bounce_count=F("bounce_count") + 1, last_bounce=repr(error)[:300]
    )
    suspended = Subscription.objects.filter(
        pk=subscription_id,
        status=Subscription.Status.CONFIRMED,
        bounce_count__gte=MAX_BOUNCES,
    ).update(status=Subscription.Status.SUSPENDED)
    if suspended:
        logger.info("Alert subscription #%s suspended after bounces.", subscription_id)
        give_up(
            Message.objects.pending()
            .filter(kind__in=tasks.BOUNCING_KINDS, object_id=subscription_id)
            .filter(content_type__model="subscription", content_type__app_label="alerts"),
            reason="not sent: the subscription was suspended",
        )
