"""Querysets: the one definition of what the public may see."""

from django.db import models
from django.utils import timezone


class ArticleQuerySet(models.QuerySet):
    def live(self, *, at=None):
        """Published articles whose publication time has come.

        Every public view, feed, sitemap, search and cache goes through this: drafts and
        scheduled articles are never public. Scheduled articles appear on their own at
        their time because the comparison is made at query time, not by a cron job.
        """
        return self.filter(status="published", published_at__lte=at or timezone.now())

    def for_cards(self):
        """What a card shows, and no more: list pages never need the body, and a card
        cached by ``articles.cards`` needs no rendition data (misses load it in one query).
        """
        return self.select_related("hero_photo").defer("body", "hero_photo__renditions")

    def scheduled(self, *, at=None):
        return self.filter(status="published", published_at__gt=at or timezone.now())

    def drafts(self):
        return self.filter(status="draft")

    def in_region(self, region):
        """Articles tagged with ``region`` or, for a grouping, any of its countries."""
        from articles.models import Region  # noqa: PLC0415 - models import this module

        return self.in_region_ids(Region.objects.self_and_descendants(region).values("pk"))

    def in_region_ids(self, region_ids):
        """Articles tagged with any of ``region_ids`` (a list, or a subquery of ids)."""
        # EXISTS rather than a join: an article in two countries of a grouping must
        # still appear once.
        tagged = self.model.regions.through.objects.filter(
            article_id=models.OuterRef("pk"), region_id__in=region_ids
        )
        return self.filter(models.Exists(tagged))


class RegionQuerySet(models.QuerySet):
    def groupings(self):
        return self.filter(parent__isnull=True)

    def countries(self):
        return self.filter(parent__isnull=False)

    def self_and_descendants(self, region):
        return self.filter(models.Q(pk=region.pk) | models.Q(parent_id=region.pk))
