"""What a write of an article means for its embargo (connected in ``EmbargoConfig.ready``).

Every route that edits an article (the admin, the publish actions, an import, the shell)
must honour an embargo, so this follows ``articles.changes.article_changed`` rather than
any one of them. After the transaction commits (the admin has written the attachments by
then), once per transaction:

- recipients of links whose publication time moved are e-mailed the new time
  (``notify_recipient`` checks what each was last told, so nothing is sent twice);
- an article under embargo has the release of its media scheduled at the lift (until
  then they are withheld like any unpublished article's: ``media_library.visibility``).
"""

from django.db.models import F

from articles.changes import on_commit_for
from embargo.models import EmbargoLink

# Ids per query when checking many articles (an import).
CHUNK = 500


def articles_changed(sender, *, article_ids, changed, **kwargs) -> None:
    if "article" in changed:
        on_commit_for(after_articles_commit, article_ids)


def after_articles_commit(article_ids) -> None:
    from articles.models import Article  # noqa: PLC0415 - models load after apps
    from embargo.tasks import notify_recipient, schedule_lift  # noqa: PLC0415

    ids = sorted(article_ids)
    for start in range(0, len(ids), CHUNK):
        published = Article.objects.filter(
            pk__in=ids[start : start + CHUNK], status=Article.Status.PUBLISHED
        )
        moved = (
            EmbargoLink.objects.active()
            .filter(article__in=published, send_email=True, invited_at__isnull=False)
            .exclude(notified_published_at=F("article__published_at"))
            .values_list("pk", flat=True)
        )
        for link_id in moved:
            notify_recipient.enqueue(link_id=link_id)
        for article in published.scheduled().only("pk", "published_at"):
            schedule_lift(article)
