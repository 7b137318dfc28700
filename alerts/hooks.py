"""Where articles going live reach the alerts: ``articles.changes.article_changed``, sent
for every write of an article by any route (the admin's form and actions, the workflow,
the services, the shell, the importer's bulk writes); and what the outbox reports about
alert mails (sent, refused for good). Connected in ``AlertsConfig.ready()``.

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


def article_changed(
    sender, *, article_ids, changed, before, article=None, bulk=False, alerts=True, **kwargs
):
    if not alerts or "article" not in changed:
        return
    if bulk:
        # An import: the recent or scheduled ones among what it wrote (an article once
        # matched is never alerted again, so what it rewrote alerts nobody twice).
        services.schedule_articles(article_ids=article_ids)
        return
    if article is None or article.status != Article.Status.PUBLISHED:
        return
    stood = before.get(article.pk)
    if stood is not None and (stood.status, stood.published_at) == (
        article.status,
        article.published_at,
    ):
        return  # an edit of a published article: never a new alert
    services.schedule_article(article=article)


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
