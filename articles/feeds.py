"""RSS 2.0 and Atom feeds of the newsroom, honouring the list's filters.

``/news/feed/?type=report&region=americas`` is "reports on the Americas": the same
parameters as the list page, through the same FilterSet, newest first. Each item carries
its photo as ``media:content`` (Media RSS), with alt text and credit. An RSS
``<enclosure>`` needs the file's length in bytes, which is not stored with renditions and
would cost a storage request per item to find, so Media RSS is used instead; feed readers
that show images understand it.

Each item's XML is rendered once and kept through ``core.cache.cached_many``, like the
list's cards: keyed by the feed type, the site's origin (links are absolute), the
article's id and ``updated_at``, under the content epoch. A warm feed reads the fifty
articles' dates, fetches the fifty items in one cache round trip and writes them out
as they are; only the misses load their full rows, regions, topics and photos.
"""

from dataclasses import dataclass, replace
from io import StringIO

from django.contrib.syndication.views import Feed
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, rfc3339_date
from django.utils.xmlutils import SimplerXMLGenerator

from articles.filters import ArticleFilterSet
from articles.models import Article
from articles.regions import region_name
from articles.topic_names import topic_name
from core.cache import cached_many, do_not_store
from core.languages import default_language
from core.models import SiteSettings
from media_library.models import texts_prefetch

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


class RenderedItemsMixin:
    """Items that carry their XML already rendered (``item["xml"]``) are written as is."""

    item_element = "item"

    def write_items(self, handler):
        for item in self.items:
            if "xml" in item:
                # Written verbatim: it is XML this class rendered (see render_item).
                handler.ignorableWhitespace(item["xml"])
            else:
                self.write_item(handler, item)

    def write_item(self, handler, item):
        handler.startElement(self.item_element, self.item_attributes(item))
        self.add_item_elements(handler, item)
        handler.endElement(self.item_element)

    def render_item(self, item) -> str:
        """The XML of one item, exactly as ``write`` would write it."""
        out = StringIO()
        self.write_item(SimplerXMLGenerator(out, "utf-8", short_empty_elements=True), item)
        return out.getvalue()


class MediaRssFeed(RenderedItemsMixin, Rss201rev2Feed):
    """RSS 2.0 with each item's photo as Media RSS ``media:content``."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # RSS has no "updated" of its own: a corrected or updated article says when in
        # Atom's element (the namespace is declared for atom:link already).
        if item["updateddate"] and item["pubdate"] and item["updateddate"] > item["pubdate"]:
            handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        _add_media_content(handler, item)


class MediaAtomFeed(RenderedItemsMixin, Atom1Feed):
    """Atom with each entry's photo as Media RSS ``media:content``."""

    item_element = "entry"

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
    # The articles to render as items (the misses); None: the filtered list's newest.
    articles: list | None = None


class ArticleFeed(Feed):
    """The latest live articles matching the request's filters, as RSS 2.0."""

    feed_type = MediaRssFeed
    language = None  # the page's: each language has its own feed, and says so

    def get_object(self, request, *args, **kwargs):
        filterset = ArticleFilterSet(request.GET, queryset=Article.objects.listed())
        # Read by __call__: the Feed instance is shared, the request is not.
        request.feed_filters_ignored = bool(filterset.notices)
        return FeedRequest(request, filterset, SiteSettings.load().localised())

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

    def get_feed(self, obj, request):
        """The channel, with each item's XML from the cache or rendered for the misses."""
        articles = list(
            obj.filterset.qs.order_by("-published_at", "-id").only(
                "pk", "updated_at", "published_at", "substantively_updated_at"
            )[:FEED_ITEMS]
        )
        origin = f"{request.scheme}://{request.get_host()}"
        keys = {(self.feed_type.__name__, origin, a.pk, a.updated_at): a for a in articles}

        def render(misses):
            full = _load({article.pk for article in misses.values()}, request)
            feed = super(ArticleFeed, self).get_feed(
                replace(obj, articles=[full[a.pk] for a in misses.values()]), request
            )
            return {
                parts: feed.render_item(item)
                for parts, item in zip(misses, feed.items, strict=True)
            }

        rendered = cached_many("feed-item", keys, render)
        feed = super().get_feed(replace(obj, articles=[]), request)
        # Only the dates are read from these (lastBuildDate, Atom's updated).
        feed.items = [
            {
                "pubdate": article.published_at,
                "updateddate": self.item_updateddate(article),
                "xml": rendered[parts],
            }
            for parts, article in keys.items()
        ]
        return feed

    def items(self, obj):
        return obj.articles if obj.articles is not None else []

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
            *(region_name(region) for region in article.regions.all()),
            *(topic_name(topic, article.language) for topic in article.topics.all()),
        ]

    def item_extra_kwargs(self, article):
        return {"photo": article.feed_photo}


def _load(ids, request):
    """Everything the items of ``ids`` show, in three queries, by id."""
    articles = list(Article.objects.filter(pk__in=ids).select_related("hero_photo"))
    prefetch_related_objects(articles, "regions", "topics")
    # The photos' alt text in each article's language (a feed is in one language).
    for language in {a.language for a in articles if a.hero_photo_id} - {default_language()}:
        prefetch_related_objects(
            [a for a in articles if a.hero_photo_id and a.language == language],
            texts_prefetch("hero_photo__texts", language),
        )
    for article in articles:
        article.feed_photo = _feed_photo(request, article)
    return {article.pk: article for article in articles}


def _feed_photo(request, article):
    photo = article.hero_photo
    og = photo.rendition("og") if photo else None
    if og is None:
        return None
    return {
        "url": request.build_absolute_uri(og.url),
        "width": og.width,
        "height": og.height,
        # In the feed's language, which is the article's.
        "description": article.hero_alt,
        "credit": photo.credit,
    }


class ArticleAtomFeed(ArticleFeed):
    """The same feed as Atom."""

    feed_type = MediaAtomFeed
