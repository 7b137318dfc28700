"""An embargoed article's media at the lift.

Until its publication time a scheduled article is not live, so nothing of it makes its
photo or PDF public and they are withheld like any unpublished article's
(``media_library.gating``, kept by ``media_library.visibility`` on every write). The one
change no write announces is the lift itself: a task scheduled for the publication time
(``embargo.tasks.sync_article_media``) applies the rule to the article's media then. If
the worker is late, ``/files/`` still serves a live article's files to anyone.
"""

from articles.models import Article
from media_library import gating
from media_library.models import Document, Photo


def article_media(article) -> list:
    photos = list(Photo.objects.filter(pk=article.hero_photo_id)) if article.hero_photo_id else []
    return photos + list(Document.objects.filter(articles=article))


def sync(*, article_id: int) -> str:
    """Withhold or release one article's media as the rule says now."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return "no article"
    moved = sum(gating.sync(obj) for obj in article_media(article))
    return f"moved {moved}"
