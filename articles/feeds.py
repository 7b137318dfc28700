"""RSS 2.0 and Atom feeds of the newsroom, honouring the list's filters.

``/news/feed/?type=report&region=americas`` is "reports on the Americas": the same
parameters as the list page, through the same FilterSet, newest first. Each item carries
its photo as ``media:content`` (Media RSS), with alt text and credit. An RSS
``<enclosure>`` needs the file's length in bytes, which is not stored with renditions and
would cost a storage request per item to find, so Media RSS is used instead; feed readers
that show images understand it.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from articles.filters import ArticleFilterSet
from articles.models import Article
from core.cache import do_not_store
from core.models import SiteSettings

FEED_ITEMS = 50
MEDIA_NS = "http://search.yahoo.com/mrss/"


def _add_media_content(handler, item):
    photo = item.get("photo")
    if not photo:
        return
    handler.startElement(
        "media:content",
        {
            "url": photo["url"],
            "medium": "image",
            "type": "image/jpeg",
            "width": str(photo["width"]),
            "height": str(photo["height"]),
        },
    )
    if photo["description"]:
        handler.addQuickElement("media:description", photo["description"])
    if photo["credit"]:
        handler.addQuickElement("media:credit", photo["credit"])
    handler.endElement("media:content")


class MediaRssFeed(Rss201rev2Feed):
    """RSS 2.0 with each item's photo as Media RSS ``media:content``."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        _add_media_content(handler, item)


class MediaAtomFeed(Atom1Feed):
    """Atom with each entry's photo as Media RSS ``media:content``."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        _add_media_content(handler, item)


@dataclass(frozen=True)
class FeedRequest:
    """What one request's feed is built from (a Feed instance is shared by all requests)."""

    request: HttpRequest
    filterset: ArticleFilterSet
    site_settings: SiteSettings


class ArticleFeed(Feed):
    """The latest live articles matching the request's filters, as RSS 2.0."""

    feed_type = MediaRssFeed
    language = "en"

    def get_object(self, request, *args, **kwargs):
        filterset = ArticleFilterSet(request.GET, queryset=Article.objects.live())
        # Read by __call__: the Feed instance is shared, the request is not.
        request.feed_filters_ignored = bool(filterset.notices)
        return FeedRequest(request, filterset, SiteSettings.load())

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        if getattr(request, "feed_filters_ignored", False):
            # Each garbage value (?year=<random>) would otherwise be a page-cache entry.
            do_not_store(response)
        return response

    def title(self, obj):
        described = obj.filterset.describe()
        name = obj.site_settings.name
        return f"{name}: {described}" if described else name

    def description(self, obj):
        return obj.site_settings.mission

    subtitle = description

    def link(self, obj):
        return reverse("articles:list") + obj.filterset.querystring(sort=False)

    def feed_url(self, obj):
        return obj.request.path + obj.filterset.querystring(sort=False)

    def items(self, obj):
        articles = list(
            obj.filterset.qs.order_by("-published_at", "-id")
            .select_related("hero_photo")
            .prefetch_related("regions", "topics")[:FEED_ITEMS]
        )
        for article in articles:
            article.feed_photo = _feed_photo(obj.request, article.hero_photo)
        return articles

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.summary

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.substantively_updated_at or article.published_at

    def item_categories(self, article):
        # .all() reads the prefetched rows; taggit's names() would query per item.
        return [
            article.get_kind_display(),
            *(region.name for region in article.regions.all()),
            *(topic.name for topic in article.topics.all()),
        ]

    def item_extra_kwargs(self, article):
        return {"photo": article.feed_photo}


def _feed_photo(request, photo):
    og = photo.rendition("og") if photo else None
    if og is None:
        return None
    return {
        "url": request.build_absolute_uri(og.url),
        "width": og.width,
        "height": og.height,
        "description": "" if photo.is_decorative else photo.alt_text,
        "credit": photo.credit,
    }


class ArticleAtomFeed(ArticleFeed):
    """The same feed as Atom."""

    feed_type = MediaAtomFeed
