"""The sitemap: every live article with its last change, and the newsroom's own pages.

Built to work at 100,000 articles: items are read as (slug, updated_at) pairs from the
live index, 5,000 per sitemap page, and ``/sitemap.xml`` becomes a sitemap index as soon
as there is more than one page. Neither view loads every article to find the latest
change: that is one ``MAX(updated_at)`` query.
"""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import Http404
from django.urls import reverse

from articles.models import Article
from articles.pagination import page_number

SITEMAP_LIMIT = 5000


class ArticleSitemap(Sitemap):
    """Live articles, newest first."""

    limit = SITEMAP_LIMIT
    changefreq = "weekly"

    def items(self):
        return (
            Article.objects.live()
            .order_by("-published_at", "-id")
            .values_list("slug", "updated_at")
        )

    def location(self, item):
        return reverse("articles:detail", kwargs={"slug": item[0]})

    def lastmod(self, item):
        return item[1]

    def get_latest_lastmod(self):
        return Article.objects.live().aggregate(latest=Max("updated_at"))["latest"]


class PagesSitemap(Sitemap):
    """The home page and the newsroom list."""

    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["home", "articles:list"]

    def location(self, item):
        return reverse(item)


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
