"""The one region API for the rest of the code: the cached index, the grouped choices and
the stored groupings.

Queries live on the querysets: ``Region.objects.named()`` / ``expand()`` turn slugs or ISO
codes into regions, ``Article.objects.in_regions()`` finds the articles on them. This
module holds what is built from them: ``region_index()`` and ``region_choices()`` for
filters and forms (a grouping first, then its countries), and ``sync_groupings()``, which
keeps ``ArticleGrouping`` true after any write of articles' regions: ``groupings_follow``
calls it for every route (``articles.changes``).
"""

import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy

from articles.models import Article, ArticleGrouping, Region
from core.cache import cached
from core.localise import babel_locale, public_number

# Ids per query: well under SQLite's 999 bound parameters.
SYNC_BATCH = 500

# The regional groupings' names in the other languages, by slug (articles/regions_data.py
# stores them in the default language). A grouping added in the admin has none and keeps
# its stored name everywhere.
GROUPING_NAMES = {
    "africa": pgettext_lazy("region", "Africa"),
    "americas": pgettext_lazy("region", "Americas"),
    "asia-pacific": pgettext_lazy("region", "Asia-Pacific"),
    "europe-central-asia": pgettext_lazy("region", "Europe and Central Asia"),
    "middle-east-north-africa": pgettext_lazy("region", "Middle East and North Africa"),
}


class IndexedRegion(NamedTuple):
    """A region as the filters and forms need it, without a query."""

    pk: int
    slug: str
    name: str
    parent_id: int | None
    grouping: str | None  # the parent's slug; None for a grouping
    iso_code: str = ""

    @property
    def is_grouping(self):
        return self.parent_id is None


def region_name(region, language: str | None = None) -> str:
    """The name a visitor reads for ``region`` (a ``Region`` or an ``IndexedRegion``) in
    ``language`` (default: the page's).

    In the default language, the stored name, as the editors wrote it. In another, a
    country is named by CLDR's territory names ("Egipto", "مصر"), a regional grouping by
    the translation catalogue (``GROUPING_NAMES``); either falls back to the stored name
    when there is none.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:
        return region.name
    if region.iso_code:
        return babel_locale(language).territories.get(region.iso_code.upper(), region.name)
    english = GROUPING_NAMES.get(region.slug)
    if english is None:
        return region.name
    with translation.override(None):
        msgid = str(english)
    with translation.override(language):
        translated = str(english)
    # An untranslated grouping reads as stored, not as the catalogue's msgid.
    return region.name if translated == msgid else translated


def sort_key(name: str) -> str:
    # "Réunion" sorts with the R's and "São Tomé" before "Senegal", as readers expect;
    # the accents go, the letters stay (Arabic and other scripts too), the case is folded.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def region_index() -> dict[str, IndexedRegion]:
    """Every region by slug, in alphabetical order of its name in the page's language.

    Keyed by the content epoch and the language (``core.cache.cached``): a region added
    or renamed in the admin is offered and accepted on the next request, and a Spanish
    page never sees the English order, nor the reverse.
    """

    def build():
        rows = [
            IndexedRegion(*row)
            for row in Region.objects.values_list(
                "pk", "slug", "name", "parent_id", "parent__slug", "iso_code"
            )
        ]
        rows.sort(key=lambda region: sort_key(region_name(region)))
        return {region.slug: region for region in rows}

    return cached("regions-index", build, translation.get_language())


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The countries grouped under their regional groupings, as option groups for a
    select: each grouping's group offers the whole grouping first, then its countries,
    named and sorted in the page's language (``region_name``).

    The public filter, the admin's article list and the media inquiry form all offer
    these; each adds its own empty choice.
    """
    index = region_index()
    countries = {}
    for region in index.values():
        if not region.is_grouping:
            countries.setdefault(region.parent_id, []).append((region.slug, region_name(region)))
    groups = []
    for grouping in index.values():
        if grouping.is_grouping:
            name = region_name(grouping)
            # Translators: the choice of a whole regional grouping, e.g. "All of Africa".
            whole = gettext("All of %(region)s") % {"region": name}
            groups.append((name, [(grouping.slug, whole), *countries.get(grouping.pk, [])]))
    return groups


def live_region_counts() -> dict[int, int]:
    """How many live articles each region has, by region id; regions with none are absent.

    A country counts the articles tagged with it; a grouping counts those tagged with it
    or any of its countries (through the stored groupings). One query, kept
    under the content epoch (``core.cache.cached``): any edit, or a scheduled article
    going live, recounts.
    """

    def build():
        live = Article.objects.listed()
        tagged = (
            Article.regions.through.objects.filter(article__in=live)
            .values_list("region_id")
            .annotate(n=Count("article_id"))
            .order_by()
        )
        grouped = (
            ArticleGrouping.objects.filter(article__in=live)
            .values_list("grouping_id")
            .annotate(n=Count("article_id"))
            .order_by()
        )
        counts = {}
        # A grouping appears twice when articles are tagged with it directly: its stored
        # groupings count those too, so the larger number is the right one.
        for region_id, n in tagged.union(grouped, all=True):
            counts[region_id] = max(n, counts.get(region_id, 0))
        return counts

    return cached("regions-live-counts", build)


def live_region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """``region_choices()`` narrowed to the regions that have live articles, each with
    its count: what the public filter offers, so no choice leads to an empty page."""
    counts = live_region_counts()
    index = region_index()
    groups = []
    for label, options in region_choices():
        offered = [
            (slug, f"{name} ({public_number(counts[index[slug].pk])})")
            for slug, name in options
            if counts.get(index[slug].pk)
        ]
        if offered:
            groups.append((label, offered))
    return groups


def sync_groupings(article_ids: Iterable[int]) -> None:
    """Make the stored groupings of ``article_ids`` match their regions.

    Every write of articles' regions calls it through ``groupings_follow`` (the admin,
    the services, the importer, the shell); a region moved to another grouping calls it
    through ``sync_region_groupings``. Idempotent, and cheap when nothing changed.
    """
    article_ids = sorted(set(article_ids))
    with transaction.atomic():
        for start in range(0, len(article_ids), SYNC_BATCH):
            _sync_batch(article_ids[start : start + SYNC_BATCH])


def _sync_batch(article_ids):
    through = Article.regions.through
    wanted = set(
        through.objects.filter(article_id__in=article_ids)
        .values_list("article_id", "region__parent_id", "region_id")
        .iterator()
    )
    wanted = {(article_id, parent_id or region_id) for article_id, parent_id, region_id in wanted}
    stored = {
        (article_id, grouping_id): pk
        for pk, article_id, grouping_id in ArticleGrouping.objects.filter(
            article_id__in=article_ids
        ).values_list("pk", "article_id", "grouping_id")
    }
    stale = [pk for pair, pk in stored.items() if pair not in wanted]
    if stale:
        ArticleGrouping.objects.filter(pk__in=stale).delete()
    missing = wanted - stored.keys()
    if missing:
        ArticleGrouping.objects.bulk_create(
            [ArticleGrouping(article_id=a, grouping_id=g) for a, g in sorted(missing)]
        )


def groupings_follow(sender, *, article_ids, changed, **kwargs) -> None:
    """``articles.changes.article_changed``: regions written, groupings follow at once
    (inside the writer's transaction, so its next read sees them)."""
    if "regions" in changed:
        sync_groupings(article_ids)


def sync_region_groupings(region_ids: Iterable[int]) -> None:
    """After regions moved between groupings (or were deleted): resync their articles."""
    region_ids = list(region_ids)
    article_ids = set(
        Article.regions.through.objects.filter(region_id__in=region_ids).values_list(
            "article_id", flat=True
        )
    )
    article_ids |= set(
        ArticleGrouping.objects.filter(grouping_id__in=region_ids).values_list(
            "article_id", flat=True
        )
    )
    sync_groupings(article_ids)
