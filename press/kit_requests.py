"""When media kits are built: a build is queued (once, after commit) when what a kit
holds changes (the article, its photo, attachments and spokespeople) or when a
journalist asks for a kit that is not current. ``press.media_kit`` builds; the
``build_media_kit`` task runs it.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from articles.changes import article_changed
from articles.models import Article
from media_library import downloads as photo_downloads
from media_library.models import Document, Photo
from press import media_kit
from press.models import MediaKit
from press.tasks import build_media_kit

# A build queued this long ago and not started is taken as lost (a worker died): the
# next change or request queues another.
QUEUED_FOR = timedelta(minutes=10)


def request_build(article_id: int) -> bool:
    """Queue a build of the article's kit after commit unless one is queued already;
    True if it queued one."""
    now = timezone.now()
    kit, created = MediaKit.objects.get_or_create(
        article_id=article_id, defaults={"queued_at": now}
    )
    if not created:
        claimed = (
            MediaKit.objects.filter(pk=kit.pk)
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUED_FOR))
            .update(queued_at=now)
        )
        if not claimed:
            return False
    transaction.on_commit(lambda: build_media_kit.enqueue(article_id=article_id))
    return True


def request_builds(article_ids) -> None:
    published = Article.objects.filter(
        pk__in=set(article_ids), status=Article.Status.PUBLISHED
    ).values_list("pk", flat=True)
    for article_id in published:
        request_build(article_id)


def _articles_changed(sender, *, article_ids, changed, article=None, bulk=False, **kwargs):
    """``articles.changes.article_changed``: the article or its attachments or
    spokespeople changed, by any route."""
    if bulk:
        # An import: rebuild the kits already made; a new one is built when first asked.
        ids = sorted(article_ids)
        for start in range(0, len(ids), media_kit.CHUNK):
            request_builds(
                MediaKit.objects.filter(
                    article_id__in=ids[start : start + media_kit.CHUNK]
                ).values_list("article_id", flat=True)
            )
    elif article is not None:
        if article.status == Article.Status.PUBLISHED:
            request_build(article.pk)
        else:
            media_kit.discard(article.pk)
    elif changed & {"attachments", "spokespeople"}:
        request_builds(article_ids)


def _photo_changed(sender, photo_id=None, instance=None, raw=False, **kwargs):
    if raw:
        return
    photo_id = photo_id or instance.pk
    request_builds(Article.objects.filter(hero_photo_id=photo_id).values_list("pk", flat=True))


def _document_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        request_builds(instance.articles.values_list("pk", flat=True))


def _spokesperson_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        request_builds(instance.articles.values_list("pk", flat=True))


def _kit_deleted(sender, instance, **kwargs):
    # An article deleted takes its kit row with it (CASCADE); the file follows.
    if instance.path:
        path = instance.path
        transaction.on_commit(lambda: media_kit.delete_quietly(path))


def connect_signals() -> None:
    """Rebuild kits when what they hold changes: the article, its photo (text now; the
    file when the renditions task has made it), its attachments and spokespeople."""
    uid = "media-kit-"
    article_changed.connect(_articles_changed, dispatch_uid=uid + "article")
    post_delete.connect(_kit_deleted, sender=MediaKit, dispatch_uid=uid + "deleted")
    post_save.connect(_photo_changed, sender=Photo, dispatch_uid=uid + "photo")
    photo_downloads.download_changed.connect(_photo_changed, dispatch_uid=uid + "download")
    post_save.connect(_document_saved, sender=Document, dispatch_uid=uid + "document")
    spokesperson = Article.spokespeople.field.related_model
    post_save.connect(_spokesperson_saved, sender=spokesperson, dispatch_uid=uid + "spokesperson")
