from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.generic import DetailView, ListView, TemplateView

from articles.filters import RELEVANCE_CANDIDATES, ArticleFilterSet
from articles.models import Article, SlugRedirect
from articles.pagination import NewsroomPaginator, PageLinks, StrictPageMixin, page_number
from articles.related import related_articles
from articles.structured_data import news_article_json_ld
from articles.versions import (
    Version,
    hreflang_alternates,
    in_language_order,
    live_versions,
    og_locale,
)
from core.cache import cached, do_not_store, prefetch
from core.languages import current_language, is_multilingual, language_codes, language_name


class ArticleListView(StrictPageMixin, ListView):
    """The newsroom: live articles, newest first, filtered and searched by URL parameters."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 20
    paginator_class = NewsroomPaginator

    def get_queryset(self):
        self.filterset = ArticleFilterSet(self.request.GET, queryset=Article.objects.listed())
        return self.filterset.qs.for_cards()

    def get_paginator(self, queryset, per_page, **kwargs):
        count_key = self.filterset.cache_parts()
        page_key = self.filterset.cache_parts(sort=True)
        # What the page asks core.cache for, in one round trip: its count and ids, the
        # site settings, the rendered filter form.
        number = page_number(self.request.GET.get(self.page_kwarg) or "1")
        prefetch(
            *NewsroomPaginator.cache_entries(count_key, page_key, number or 0),
            ("site-settings",),
            ("fragment-filter-form", self.filterset.form_parts()),
        )
        return super().get_paginator(
            queryset,
            per_page,
            count_key=count_key,
            page_key=page_key,
            # Once a page's ids are known (kept under the content epoch), its rows are
            # read by id, without the filters: a search, a grouping or a deep page then
            # costs what /news/ costs.
            rows=Article.objects.live().for_cards(),
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return context | {
            "filterset": self.filterset,
            "links": PageLinks.build(self.request, context["page_obj"], self.filterset.params()),
            "feed_query": self.filterset.querystring(sort=False),
            "filters_described": self.filterset.describe(),
            # The rendered filter form: its region select alone has ~250 options, and
            # rendering it through the form machinery on every request cost more than
            # everything else on the page. Not kept when it shows invalid values back:
            # each garbage value would be an entry of its own.
            "filter_form_parts": self.filterset.form_parts(),
            "filter_form_cached": not self.filterset.notices,
            # Said on the page: a common word is ranked among its newest matches only.
            "relevance_bounded": self.filterset.relevance_bounded(context["paginator"].count),
            "relevance_candidates": f"{RELEVANCE_CANDIDATES:,}",
        }

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.filterset.notices:
            # Each garbage value (?year=<random>) would otherwise be a page-cache entry.
            do_not_store(response)
        return response


class FeedHelpView(TemplateView):
    """How to follow a list in a feed reader: where the visible "RSS feed" links lead.

    A browser shows a feed as raw XML (and browsers are removing XSLT, which used to
    dress feeds up), so a person gets this page: the list's addresses to copy into a
    reader, and e-mail alerts for the same filters. The list's ``<link rel="alternate">``
    tags keep pointing at the feeds themselves, for readers that discover them.
    """

    template_name = "articles/feed_help.html"

    def get_context_data(self, **kwargs):
        # Only the parameters are read: nothing is listed, so no query for articles.
        self.filterset = ArticleFilterSet(self.request.GET, queryset=Article.objects.none())
        query = self.filterset.querystring(sort=False)
        described = self.filterset.describe()
        return super().get_context_data(**kwargs) | {
            "about": "list",
            "heading": f"“{described}”" if described else gettext("the newsroom"),
            "filters_described": described,
            "notices": self.filterset.notices,
            "feeds": [
                ("rss", "RSS", reverse("articles:feed") + query),
                ("atom", "Atom", reverse("articles:feed_atom") + query),
            ],
            "alerts_url": reverse("alerts:subscribe") + query,
            "alerts_label": gettext("this list") if query else gettext("new articles"),
            "back_url": reverse("articles:list") + query,
            "back_label": gettext("Back to the list"),
        }

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.filterset.notices:
            # Each garbage value (?year=<random>) would otherwise be a page-cache entry.
            do_not_store(response)
        return response


class ArticleDetailView(DetailView):
    """One live article with its photo, downloads, spokespeople and related reading.

    The page's HTML is kept as cached fragments named by the article and the content
    epoch (``fragment_parts``), so a warm request reads the article row
    (which also proves it is still live) and nothing else. On a miss, everything the
    fragments need is loaded lazily in a fixed number of queries. The staff preview
    subclasses this with a queryset that includes drafts and passes ``is_preview=True``.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    related_limit = 4
    prefetch = ("regions", "topics", "attachments", "spokespeople", "notes")

    def get_queryset(self):
        return Article.objects.live().select_related("hero_photo", "media_kit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parts = context["fragment_parts"] = self.fragment_parts(context.get("is_preview", False))
        multilingual = is_multilingual()
        # What the template and this method ask core.cache for, in one round trip.
        prefetch(
            ("article-json-ld", *parts),
            ("fragment-article-meta", parts),
            ("fragment-article-main", parts),
            ("site-settings",),
            *([("article-versions", *parts)] if multilingual else []),
        )
        context["related_articles"] = SimpleLazyObject(
            lambda: related_articles(article=self._prefetched(), limit=self.related_limit)
        )
        # The story's live versions: read on every request (the header's language
        # switcher is outside the fragments), kept like them, so a warm page still
        # reads only the article. None on a site in one language.
        versions = (
            cached("article-versions", lambda: live_versions(self.object), *parts)
            if multilingual
            else []
        )
        context["json_ld"] = cached(
            "article-json-ld",
            lambda: news_article_json_ld(
                article=self._prefetched(), request=self.request, versions=versions
            ),
            *context["fragment_parts"],
        )
        if multilingual:
            context |= self.language_context(versions, public=not context.get("is_preview"))
        return context

    def language_context(self, versions, *, public):
        """The header's switcher (``translations``: code, native name, URL, this version
        included), the article's "read in" line, and for search engines the ``hreflang``
        alternates and Open Graph locales. Only live versions are named; the alternates
        only on the live page itself (never a preview's or an embargoed one's)."""
        article = self.object
        is_live = any(version.pk == article.pk for version in versions)
        shown = versions
        if not is_live:
            # A preview or an embargoed article: itself, unlinked, among the live ones.
            itself = Version(
                article.pk,
                article.language,
                article.get_absolute_url(),
                not article.translation_of_id,
            )
            shown = in_language_order([*versions, itself])
        translations = [
            (version.language, language_name(version.language), version.path) for version in shown
        ]
        others = [version for version in versions if version.pk != article.pk]
        return {
            "translations": translations,
            "hreflang_alternates": (
                hreflang_alternates(versions, self.request.build_absolute_uri)
                if is_live and public
                else []
            ),
            "og_locale": og_locale(article.language),
            "og_locale_alternates": [og_locale(version.language) for version in others],
        }

    def fragment_parts(self, is_preview):
        """What the article's fragments depend on besides the content epoch, which
        ``core.cache`` adds: every save moves it, and so does a scheduled article going
        live, so related reading picks that up at once."""
        origin = f"{self.request.scheme}://{self.request.get_host()}"
        return (origin, self.object.pk, is_preview)

    def _prefetched(self):
        if not getattr(self.object, "_prefetched_objects_cache", None):
            prefetch_related_objects([self.object], *self.prefetch)
        return self.object

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
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
        language = current_language()
        if self.object.language != language:
            return self.in_another_language(language)
        context = self.get_context_data(object=self.object)
        return self.render_to_response(context)

    def in_another_language(self, language):
        """The story asked for in a language it was not written in: its version in that
        language (301), or a 404 naming the languages it can be read in."""
        versions = {
            version.language: version
            for version in self.object.translation_group().live().only("slug", "title", "language")
        }
        if language in versions:
            return redirect(versions[language], permanent=True)
        response = TemplateResponse(
            self.request,
            "articles/not_in_language.html",
            {
                "language_asked": language_name(language),
                "versions": [
                    (code, language_name(code), versions[code])
                    for code in language_codes()
                    if code in versions
                ],
            },
            status=404,
        )
        return response
