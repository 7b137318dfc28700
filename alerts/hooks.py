"""Where articles going live reach the alerts: ``articles.changes.article_changed``, sent
for every write of an article by any route (the admin's form and actions, the workflow,
the services, the shell, the importer's bulk writes). Connected in
``AlertsConfig.ready()``.

Only a transition counts: an article becoming published, or a published article's time
moving. Edits of a published article, whatever they change, alert nobody.
"""

from alerts import services
from articles.models import Article


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
