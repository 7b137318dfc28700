"""Querysets: the one definition of what the public may see, and of what a region covers."""

from django.db import models
from django.utils import timezone

from core.languages import current_language


class IdAmong(models.Func):
    """``pk`` among the ids ``ids`` (a queryset of one column) returns, read ids first.

    On PostgreSQL ``id = ANY(ARRAY(subquery))``: the subquery runs once, first, and the
    articles are then read by primary key. As EXISTS or IN, PostgreSQL may instead walk
    the publication-time index testing each row, expecting a page's worth of a rare
    country's articles soon; they are not spread evenly over time, so it read most of
    the table (the admin's list for Mexico at 500,000 articles: 1,028 ms, against 104 ms
    this way). A country has at most a few percent of the articles, so reading all of
    them by key stays cheap. Elsewhere ``id IN (subquery)``.
    """

    arg_joiner = " IN "
    template = "%(expressions)s"
    output_field = models.BooleanField()

    def __init__(self, ids):
        super().__init__(models.F("pk"), models.Subquery(ids))

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            arg_joiner=" = ANY(ARRAY",
            template="%(expressions)s)",
            **extra_context,
        )


# An article with changes waiting for review (``desk.pending``): a pending version
# that has not been sent back.
PENDING = {"pending_change__isnull": False, "pending_change__rejected_at__isnull": True}


class ArticleQuerySet(models.QuerySet):
    def live(self, *, at=None):
        """Published articles whose publication time has come.

        Every public view, feed, sitemap, search and cache goes through this: drafts and
        scheduled articles are never public. Scheduled articles appear on their own at
        their time because the comparison is made at query time, not by a cron job.
        """
        return self.filter(status="published", published_at__lte=at or timezone.now())

    def listed(self, *, language=None, at=None):
        """The live articles of one language's lists (the page's, by default): what
        ``/news/`` shows in the default language and ``/es/news/`` in Spanish."""
        return self.live(at=at).filter(language=language or current_language())

    def for_cards(self):
        """What a card shows, and no more: list pages never need the body, and a card
        cached by ``articles.cards`` needs no rendition data (misses load it in one query).
        """
        return self.select_related("hero_photo").defer("body", "hero_photo__renditions")

    def scheduled(self, *, at=None):
        return self.filter(status="published", published_at__gt=at or timezone.now())

    def drafts(self):
        return self.filter(status="draft")

    def in_state(self, state):
        """Articles in one of the states staff see (``articles.states.State``): the query
        reading of ``state_of``. An unknown state matches nothing."""
        match state:
            case "live":
                return self.live().exclude(**PENDING)
            case "live_pending":
                return self.live().filter(**PENDING)
            case "scheduled":
                return self.scheduled()
            case "draft" | "unpublished":
                return self.filter(status=state, review_state="draft")
            case "in_review" | "changes_requested" | "approved":
                return self.exclude(status="published").filter(review_state=state)
        return self.none()

    def with_pending_flag(self):
        """Each article's ``pending_flag`` (changes waiting for review) in the same
        query, so that ``Article.state`` asks nothing more per row."""
        pending = self.model.pending_change.related.related_model.objects.filter(
            article=models.OuterRef("pk"), rejected_at__isnull=True
        )
        return self.annotate(pending_flag=models.Exists(pending))

    def in_region(self, region):
        """Articles on ``region``; for a grouping, on it or on any of its countries."""
        return self.in_regions([region])

    def in_regions(self, regions):
        """Articles on any of ``regions`` (Regions, or anything with ``pk`` and
        ``parent_id``): the one place that says "a grouping includes its countries".

        A grouping is matched through the stored groupings (``ArticleGrouping``, kept by
        ``articles.regions.sync_groupings``): one indexed lookup instead of testing every
        one of its countries; a country, from its own rows first (``IdAmong``). EXISTS
        and IN rather than joins: an article in two countries of a grouping must still
        appear once.
        """
        grouping_ids = [region.pk for region in regions if region.parent_id is None]
        country_ids = [region.pk for region in regions if region.parent_id is not None]
        condition = models.Q()
        if grouping_ids:
            condition |= models.Exists(
                self.model.groupings.through.objects.filter(
                    article_id=models.OuterRef("pk"), grouping_id__in=grouping_ids
                )
            )
        if country_ids:
            condition |= self._tagged_with(country_ids)
        return self.filter(condition) if condition else self.none()

    def in_region_ids(self, region_ids):
        """Articles tagged with any of ``region_ids`` (a list, or a subquery of ids) itself,
        without expanding groupings: for callers that already know the exact regions."""
        return self.filter(self._tagged_with(region_ids))

    def _tagged_with(self, region_ids):
        through = self.model.regions.through.objects
        return IdAmong(through.filter(region_id__in=region_ids).values("article_id"))


class RegionQuerySet(models.QuerySet):
    def groupings(self):
        return self.filter(parent__isnull=True)

    def countries(self):
        return self.filter(parent__isnull=False)

    def named(self, values):
        """Regions named by slug or ISO 3166-1 alpha-2 code, in any case (``MX``, ``mx``)."""
        values = [value.strip() for value in values if isinstance(value, str) and value.strip()]
        return self.filter(
            models.Q(slug__in=[value.lower() for value in values])
            | models.Q(iso_code__in=[value.upper() for value in values if len(value) == 2])
        )

    def expand(self, values):
        """The regions named by ``values`` (slugs or ISO codes, any case) and, for each
        grouping among them, its countries: what "articles on these regions" covers."""
        named = self.model.objects.named(values).values("pk")
        return self.filter(models.Q(pk__in=named) | models.Q(parent_id__in=named))
