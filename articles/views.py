import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView

from articles.filters import ArticleFilterSet
from articles.models import Article, SlugRedirect
from articles.pagination import NewsroomPaginator, PageLinks
from articles.related import related_articles
from articles.structured_data import news_article_json_ld
from newsroom.cache import content_epoch, content_version

# Rendered fragments live until their key changes (any edit changes it); this only bounds
# what an idle cache holds.
FRAGMENT_SECONDS = 60 * 60 * 24


class ArticleListView(ListView):
    """The newsroom: live articles, newest first, filtered and searched by URL parameters."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 20
    paginator_class = NewsroomPaginator

    def get_queryset(self):
        self.filterset = ArticleFilterSet(self.request.GET, queryset=Article.objects.live())
        return self.filterset.qs.for_cards()

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(
            queryset,
            per_page,
            count_key=self.filterset.cache_key(),
            page_key=self.filterset.cache_key(sort=True),
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {
            "filterset": self.filterset,
            "links": PageLinks.build(self.request, context["page_obj"], self.filterset.params()),
            "feed_query": self.filterset.querystring(sort=False),
            "filters_described": self.filterset.describe(),
            "filter_form_key": self.filter_form_key(),
        }

    def filter_form_key(self):
        """Names the rendered filter form: the exact query string and the content version.

        Its region select alone has ~250 options; rendering it through the form machinery
        on every request cost more than everything else on the page.
        """
        raw = urlencode(sorted(self.request.GET.lists()), doseq=True)
        digest = hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()
        return f"{digest}:{content_version()}"


class ArticleDetailView(DetailView):
    """One live article with its photo, downloads, spokespeople and related reading.

    The page's HTML is kept as cached fragments named by the article's version and the
    site's content version (``fragment_key``), so a warm request reads the article row
    (which also proves it is still live) and nothing else. On a miss, everything the
    fragments need is loaded lazily in a fixed number of queries. The staff preview
    subclasses this with a queryset that includes drafts and passes ``is_preview=True``.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    related_limit = 4
    prefetch = ("regions", "topics", "attachments", "spokespeople")

    def get_queryset(self):
        return Article.objects.live().select_related("hero_photo")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fragment_key"] = self.fragment_key(context.get("is_preview", False))
        context["related_articles"] = SimpleLazyObject(
            lambda: related_articles(article=self._prefetched(), limit=self.related_limit)
        )
        context["json_ld"] = cache.get_or_set(
            f"article-json-ld:{context['fragment_key']}",
            lambda: news_article_json_ld(article=self._prefetched(), request=self.request),
            FRAGMENT_SECONDS,
        )
        return context

    def fragment_key(self, is_preview):
        article = self.object
        origin = f"{self.request.scheme}://{self.request.get_host()}"
        raw = f"{origin}:{article.pk}:{article.updated_at.timestamp()}:{is_preview}"
        digest = hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest()
        # The epoch, not just the version: related reading must pick up an article the
        # moment its scheduled time comes.
        return f"{digest}:{content_epoch()}"

    def _prefetched(self):
        if not getattr(self.object, "_prefetched_objects_cache", None):
            prefetch_related_objects([self.object], *self.prefetch)
        return self.object

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = (
                SlugRedirect.objects.filter(
                    old_slug=kwargs["slug"], article__in=Article.objects.live()
                )
                .select_related("article")
                .first()
            )
            if moved is None:
                raise
            return redirect(moved.article, permanent=True)
