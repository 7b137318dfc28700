"""Which media must be withheld for an embargo, and who may fetch them meanwhile.

A photo or document is *public* once any live article, or anything else the public sees
(a spokesperson's portrait), uses it; until then, if an embargoed article uses it, its
files are withheld (``media_library.gating``). Releasing at the lift is a task scheduled
for the publication time (``embargo.tasks.sync_article_media``); if the worker is late,
the fallback view still serves the files of a live article (``in_public_use``).
"""

from articles.models import Article
from embargo.models import under_embargo
from media_library import gating
from media_library.models import Document, Photo


def in_public_use(obj) -> bool:
    """Whether the public may see this photo or document now."""
    live = Article.objects.live()
    if isinstance(obj, Photo):
        return live.filter(hero_photo=obj).exists() or obj.spokespeople.exists()
    return live.filter(attachments=obj).exists()


def article_media(article) -> list:
    photos = list(Photo.objects.filter(pk=article.hero_photo_id)) if article.hero_photo_id else []
    return photos + list(Document.objects.filter(articles=article))


def sync(*, article_id: int) -> str:
    """Withhold or release one article's media according to its state now."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return "no article"
    changed = 0
    if article.is_live:
        for obj in article_media(article):
            if obj.withheld:
                changed += _set(obj, withheld=False)
        return f"released {changed}"
    if under_embargo(article):
        for obj in article_media(article):
            if not obj.withheld and not in_public_use(obj):
                changed += _set(obj, withheld=True)
        return f"withheld {changed}"
    return "nothing to do"


def _set(obj, *, withheld: bool) -> int:
    if isinstance(obj, Photo):
        return int(gating.photo_set_withheld(obj, withheld))
    return int(gating.document_set_withheld(obj, withheld))
