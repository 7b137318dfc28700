"""Article cards, rendered once and kept in the cache.

A card's HTML depends on the article, its photo and the card template. It is kept
through ``core.cache`` under the content epoch (any edit moves it) and the deployed
templates' version (a deploy), so a stale card is never asked for again. Any list page
— whatever its filters — then renders its twenty cards with one cache round trip
instead of twenty template renders.
"""

from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.models import Article
from core.cache import cached_many
from core.languages import default_language
from media_library.models import Photo, PhotoText, remember_text

CARD_TEMPLATE = "includes/cards/article_card.html"


def render_cards(articles, *, eager=3):
    """HTML of each article's card, in order; the first ``eager`` load photos at once.

    ``articles`` are articles, or anything with the ``pk`` of a live one (a list page's
    ``articles.pagination.Listed``): a card in the cache needs nothing else, and the rows
    of those that are not are read in one query. One whose row is no longer live is left
    out."""
    items = {(article.pk, index < eager): article for index, article in enumerate(articles)}

    def render(misses):
        misses = _with_rows(misses)
        _load_renditions(list(misses.values()))
        return {
            parts: render_to_string(CARD_TEMPLATE, {"article": article, "eager": parts[1]})
            for parts, article in misses.items()
        }

    html = cached_many("card", items, render)
    # Rendered by our own template.
    return [mark_safe(html[parts]) for parts in items if parts in html]


def _with_rows(misses):
    """``misses`` with every stand-in replaced by its live article, read in one query."""
    wanted = {item.pk for item in misses.values() if not isinstance(item, Article)}
    if not wanted:
        return misses
    rows = Article.objects.live().for_cards().in_bulk(wanted)
    return {
        parts: item if isinstance(item, Article) else rows[item.pk]
        for parts, item in misses.items()
        if isinstance(item, Article) or item.pk in rows
    }


def _load_renditions(articles):
    """Fill in rendition data deferred by ``ArticleQuerySet.for_cards`` and the photos'
    texts in their article's language, in one query (a list in another language asks
    the database what the default list asks)."""
    photos = {}
    for article in articles:
        photo = article.hero_photo if article.hero_photo_id else None
        if photo is None:
            continue
        deferred = "renditions" in photo.get_deferred_fields()
        other = article.language != default_language()
        if deferred or other:
            photos.setdefault((photo.pk, article.language), []).append((photo, deferred))
    if not photos:
        return
    languages = {language for _pk, language in photos if language != default_language()}
    columns = {}
    names = {language: index for index, language in enumerate(sorted(languages))}
    for language, index in names.items():
        text = PhotoText.objects.filter(photo=OuterRef("pk"), language=language)
        columns[f"alt_{index}"] = Subquery(text.values("alt_text")[:1])
        columns[f"caption_{index}"] = Subquery(text.values("caption")[:1])
    rows = {
        row["pk"]: row
        for row in Photo.objects.filter(pk__in={pk for pk, _language in photos})
        .annotate(**columns)
        .values("pk", "renditions", *columns)
    }
    for (pk, language), uses in photos.items():
        row = rows.get(pk, {})
        for photo, deferred in uses:
            if deferred:
                photo.renditions = row.get("renditions") or {}
            if language in names:
                index = names[language]
                remember_text(
                    photo, language, row.get(f"alt_{index}"), row.get(f"caption_{index}")
                )
