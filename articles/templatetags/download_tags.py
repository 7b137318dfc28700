"""What the article page offers journalists to download: its photos at full size, its
report's PDF and its media kit (see ``articles.downloads``)."""

from dataclasses import dataclass

from django import template
from django.db.models import prefetch_related_objects
from django.urls import reverse

from articles import downloads, media_kit

register = template.Library()


@dataclass(frozen=True)
class Offer:
    """A download as a page links it."""

    url: str
    size: int | None
    width: int = 0
    height: int = 0


def _contents(article):
    """The article's kit contents, worked out once per page."""
    found = getattr(article, "_kit_contents", None)
    if found is None:
        missing = [
            name
            for name in ("attachments", "spokespeople")
            if name not in getattr(article, "_prefetched_objects_cache", {})
        ]
        if missing:
            # Loaded once here, and the page's other includes read them from memory.
            prefetch_related_objects([article], *missing)
        found = article._kit_contents = media_kit.kit_contents(article)
    return found


@register.simple_tag
def photo_download(article, photo):
    """The full-size download of one of the article's photos, or None."""
    if photo is None:
        return None
    item = next((p for p in _contents(article).photos if p.photo.pk == photo.pk), None)
    if item is None:
        return None
    url = reverse("articles:photo_download", kwargs={"slug": article.slug, "photo_id": photo.pk})
    return Offer(url=url, size=item.file.size, width=item.file.width, height=item.file.height)


@register.simple_tag
def media_kit_download(article):
    """The article's media kit; its size is known once the current one is built."""
    kit = downloads.current_kit(article, _contents(article))
    url = reverse("articles:media_kit", kwargs={"slug": article.slug})
    return Offer(url=url, size=kit.size if kit is not None else None)


@register.simple_tag
def report_download(article):
    """The document to offer first, under the standfirst: a report's PDF."""
    documents = [d for _name, d in _contents(article).documents]
    return documents[0] if documents else None
