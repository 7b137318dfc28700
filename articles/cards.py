"""Article cards, rendered once and kept in the cache.

A card's HTML depends on the article, its photo and the card template. It is kept
through ``core.cache`` under the content epoch (any edit moves it) and the deployed
templates' version (a deploy), so a stale card is never asked for again. Any list page
— whatever its filters — then renders its twenty cards with one cache round trip
instead of twenty template renders.
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.cache import cached_many
from media_library.models import Photo

CARD_TEMPLATE = "includes/cards/article_card.html"


def render_cards(articles, *, eager=3):
    """HTML of each article's card, in order; the first ``eager`` load photos at once."""
    items = {(article.pk, index < eager): article for index, article in enumerate(articles)}

    def render(misses):
        _load_renditions(list(misses.values()))
        return {
            parts: render_to_string(CARD_TEMPLATE, {"article": article, "eager": parts[1]})
            for parts, article in misses.items()
        }

    html = cached_many("card", items, render)
    return [mark_safe(html[parts]) for parts in items]  # rendered by our own template


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
