"""Article cards, rendered once and kept in the cache.

A card's HTML depends only on the article, its photo and the card template, so it is
cached under a key made of exactly those versions: an edit changes ``updated_at`` and
so the key, and stale cards simply stop being asked for. Any list page — whatever its
filters — then renders its twenty cards with one cache round trip instead of twenty
template renders.
"""

import hashlib
from functools import cache as memoize

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from media_library.models import Photo

CARD_TEMPLATE = "includes/cards/article_card.html"
CARD_TIMEOUT = 60 * 60 * 24


@memoize
def _template_version():
    """A new card template (a deploy) must not be served cards made with the old one."""
    source = get_template(CARD_TEMPLATE).template.source
    return hashlib.md5(source.encode(), usedforsecurity=False).hexdigest()[:8]


def _key(article, eager):
    photo = article.hero_photo if article.hero_photo_id else None
    return ":".join(
        str(part)
        for part in (
            "card",
            _template_version(),
            article.pk,
            article.updated_at.timestamp(),
            article.hero_photo_id or 0,
            photo.updated_at.timestamp() if photo else 0,
            int(eager),
        )
    )


def render_cards(articles, *, eager=3):
    """HTML of each article's card, in order; the first ``eager`` load photos at once."""
    articles = list(articles)
    keys = [_key(article, index < eager) for index, article in enumerate(articles)]
    found = cache.get_many(keys)
    _load_renditions([a for a, key in zip(articles, keys, strict=True) if key not in found])
    missing = {}
    cards = []
    for index, (article, key) in enumerate(zip(articles, keys, strict=True)):
        html = found.get(key)
        if html is None:
            html = render_to_string(CARD_TEMPLATE, {"article": article, "eager": index < eager})
            missing[key] = html
        cards.append(mark_safe(html))  # rendered by our own autoescaping template
    if missing:
        cache.set_many(missing, CARD_TIMEOUT)
    return cards


def _load_renditions(articles):
    """Fill in rendition data deferred by ``ArticleQuerySet.for_cards``, in one query."""
    photos = [
        article.hero_photo
        for article in articles
        if article.hero_photo_id and "renditions" in article.hero_photo.get_deferred_fields()
    ]
    if photos:
        found = dict(
            Photo.objects.filter(pk__in={p.pk for p in photos}).values_list("pk", "renditions")
        )
        for photo in photos:
            photo.renditions = found.get(photo.pk, {})
