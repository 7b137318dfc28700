"""The sitemap: every live article with its last change, and the newsroom's own pages.

Built to work at 100,000 articles: items are read as (slug, updated_at) pairs from the
live index, 5,000 per sitemap page, and ``/sitemap.xml`` becomes a sitemap index as soon
as there is more than one page. Neither view loads every article to find the latest
change: that is one ``MAX(updated_at)`` query.

Every live version of a story is a ``<url>`` at its own language's address, and a story
with more than one live version lists them all as ``xhtml:link`` alternates (hreflang,
x-default), read for the whole sitemap page in one query.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from articles.models import Article
from articles.pagination import page_number
from articles.versions import article_path, hreflang_alternates, live_versions_of_groups
from core.languages import language_codes

SITEMAP_LIMIT = 5000


def _origin(sitemap, site, protocol):
    return f"{sitemap.get_protocol(protocol)}://{sitemap.get_domain(site)}"


class ArticleSitemap(Sitemap):
    """Live articles, newest first, each at its own language's address."""

    limit = SITEMAP_LIMIT
    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.live()
            .order_by("-published_at", "-id")
            .values_list("slug", "updated_at", "language", "pk", "translation_of_id")
        )

    def location(self, item):
        return article_path(item[2], item[0])

    def lastmod(self, item):
        return item[1]

    def get_urls(self, page=1, site=None, protocol=None):
        """The page's urls, each with the hreflang alternates of its story (none for a
        story in one language): one query for the whole page."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = _origin(self, site, protocol)
        groups = live_versions_of_groups({self.group(url["item"]) for url in urls})
        for url in urls:
            versions = groups.get(self.group(url["item"]), [])
            url["alternates"] = [
                {"lang_code": code, "location": location}
                for code, location in hreflang_alternates(versions, origin.__add__)
            ]
        return urls

    @staticmethod
    def group(item):
        """The id of the item's translation group (its source's)."""
        return item[4] or item[3]

    def get_latest_lastmod(self):
        return Article.objects.live().aggregate(latest=Max("updated_at"))["latest"]


class PagesSitemap(Sitemap):
    """The home page and the newsroom list, in every language, each page's languages
    as its alternates."""

    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return [(name, code) for name in ("home", "articles:list") for code in language_codes()]

    def location(self, item):
        name, code = item
        with translation.override(code):
            return reverse(name)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        if len(language_codes()) < 2:
            return urls
        origin = _origin(self, site, protocol)
        for url in urls:
            name = url["item"][0]
            pages = [(other, origin + self.location((name, other))) for other in language_codes()]
            url["alternates"] = [
                {"lang_code": other, "location": location}
                for other, location in [*pages, ("x-default", pages[0][1])]
            ]
        return urls


SITEMAPS = {"pages": PagesSitemap, "articles": ArticleSitemap}


def strict_page(view):
    """``?p=`` is a page number as the list's ``page`` is (ASCII digits), or absent."""

    def checked(request, *args, **kwargs):
        if "p" in request.GET and page_number(request.GET["p"]) is None:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return checked


@strict_page
def sitemap_xml(request):
    """One sitemap while everything fits on a page, a sitemap index beyond that."""
    if ArticleSitemap().paginator.num_pages > 1:
        return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")
    return sitemap_views.sitemap(request, SITEMAPS)


@strict_page
def sitemap_section(request, section):
    """One section of the sitemap index, paginated with ``?p=``."""
    return sitemap_views.sitemap(request, SITEMAPS, section=section)
