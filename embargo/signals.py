"""What an article's save means for its embargo (connected in ``EmbargoConfig.ready``).

Every route that edits an article (the admin, the publish actions, an import, the shell)
must honour an embargo, so this hangs on the article's ``post_save`` rather than on one
of them. After the transaction commits (the admin has written the attachments by then):

- recipients of links whose publication time moved are e-mailed the new time
  (``notify_recipient`` checks what each was last told, so nothing is sent twice);
- an article under embargo has the release of its media scheduled at the lift (until
  then they are withheld like any unpublished article's: ``media_library.visibility``).
"""

from django.db import transaction

from embargo.models import EmbargoLink, under_embargo


def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    article_id = instance.pk
    transaction.on_commit(lambda: after_article_commit(article_id))


def after_article_commit(article_id: int) -> None:
    from articles.models import Article  # noqa: PLC0415 - models load after apps
    from embargo.tasks import notify_recipient, schedule_lift  # noqa: PLC0415

    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return
    if article.status == Article.Status.PUBLISHED:
        moved = (
            EmbargoLink.objects.active()
            .filter(article=article, send_email=True, invited_at__isnull=False)
            .exclude(notified_published_at=article.published_at)
            .values_list("pk", flat=True)
        )
        for link_id in moved:
            notify_recipient.enqueue(link_id=link_id)
    if under_embargo(article):
        schedule_lift(article)


# Ids per query when checking what an import wrote.
CHUNK = 500


def articles_imported(sender, article_ids, **kwargs) -> None:
    """The importer's ``articles_written`` signal, sent inside its transaction."""
    ids = list(article_ids)
    transaction.on_commit(lambda: articles_written(ids))


def articles_written(article_ids) -> None:
    """What ``article_saved`` does, for articles written in bulk (an import sends no
    signals): schedule the release of the scheduled ones' media. Call it after commit."""
    from articles.models import Article  # noqa: PLC0415 - models load after apps
    from embargo.tasks import schedule_lift  # noqa: PLC0415

    ids = list(article_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = Article.objects.filter(pk__in=ids[start : start + CHUNK])
        for article in chunk.scheduled().only("pk", "published_at"):
            schedule_lift(article)
