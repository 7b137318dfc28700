from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView, ListView

from articles.models import Article, NewsroomSettings, SlugRedirect
from articles.related import related_articles
from articles.structured_data import news_article_json_ld


class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.live().select_related("hero_photo")


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
