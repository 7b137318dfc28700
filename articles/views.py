import hashlib
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView, ListView

from articles.filters import ArticleFilterSet
from articles.models import Article, NewsroomSettings, SlugRedirect
from articles.pagination import NewsroomPaginator, PageLinks
from articles.related import related_articles
from articles.structured_data import news_article_json_ld
from newsroom.cache import content_version


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
        count_key = self.filterset.cache_key()
        return super().get_paginator(queryset, per_page, count_key=count_key, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {
            "filterset": self.filterset,
            "newsroom": NewsroomSettings.load(),
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

    A fixed number of queries whatever the article carries. The staff preview subclasses
    this with a queryset that includes drafts and passes ``is_preview=True``.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    related_limit = 4

    def get_queryset(self):
        return (
            Article.objects.live()
            .select_related("hero_photo")
            .prefetch_related("regions", "topics", "attachments", "spokespeople")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related_articles"] = related_articles(
            article=self.object, limit=self.related_limit
        )
        context["newsroom"] = NewsroomSettings.load()
        context["json_ld"] = news_article_json_ld(article=self.object, request=self.request)
        return context

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
