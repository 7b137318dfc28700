"""Where articles going live reach the alerts: model signals for every save (the admin's
form and actions, the services, the shell) and the importer's own signal for its bulk
writes. Connected in ``AlertsConfig.ready()``.

Only a transition counts: an article becoming published, or a published article's time
moving. Edits of a published article, whatever they change, alert nobody.
"""

from alerts import services
from articles.models import Article


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
