"""What the article page offers journalists to download: its photos at full size, its
report's PDF and its media kit (see ``press.downloads``)."""

from dataclasses import dataclass

from django import template
from django.db.models import prefetch_related_objects
from django.urls import reverse

from press import downloads, media_kit

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


def _download_url(context, article, name, **kwargs):
    """The public download URL, or on an embargo page the one through its link."""
    token = context.get("embargo_token")
    if token:
        return reverse(f"embargo:{name}", kwargs={"token": token, **kwargs})
    return reverse(f"downloads:{name}", kwargs={"slug": article.slug, **kwargs})


@register.simple_tag(takes_context=True)
def photo_download(context, article, photo):
    """The full-size download of one of the article's photos, or None."""
    if photo is None:
        return None
    item = next((p for p in _contents(article).photos if p.photo.pk == photo.pk), None)
    if item is None:
        return None
    url = _download_url(context, article, "photo_download", photo_id=photo.pk)
    return Offer(url=url, size=item.file.size, width=item.file.width, height=item.file.height)


@register.simple_tag(takes_context=True)
def media_kit_download(context, article):
    """The article's media kit; its size is known once the current one is built."""
    kit = downloads.current_kit(article, _contents(article))
    url = _download_url(context, article, "media_kit")
    return Offer(url=url, size=kit.size if kit is not None else None)


@register.simple_tag
def report_download(article):
    """The document to offer first, under the standfirst: a report's PDF."""
    documents = [d for _name, d in _contents(article).documents]
    return documents[0] if documents else None
