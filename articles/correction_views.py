"""``/news/corrections/`` and its RSS feed: every public correction and clarification,
newest first, each linked to its article.

Only notes of live articles are listed (``ArticleNoteQuerySet.public``). Both pages are
in ``PAGE_CACHE_PATHS``; a note's save or deletion moves the content version
(``invalidate_on_change`` in ``ArticlesConfig.ready``), so the cached pages follow.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView

from articles.notes import ArticleNote
from articles.pagination import PageLinks, StrictPageMixin
from core.models import SiteSettings

FEED_ITEMS = 50


def public_corrections():
    return (
        ArticleNote.objects.public()
        .corrections()
        .select_related("article")
        .only(
            "kind",
            "text",
            "published_at",
            "article__title",
            "article__slug",
            "article__language",
            "article__kind",
        )
        .order_by("-published_at", "-id")
    )


class CorrectionListView(StrictPageMixin, ListView):
    """Corrections and clarifications, newest first, twenty a page."""

    template_name = "articles/corrections.html"
    context_object_name = "notes"
    paginate_by = 20

    def get_queryset(self):
        return public_corrections()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links"] = PageLinks.build(self.request, context["page_obj"], [])
        return context


class CorrectionFeedHelpView(TemplateView):
    """How to follow corrections in a feed reader (see ``articles.views.FeedHelpView``)."""

    template_name = "articles/feed_help.html"
    extra_context = {
        "about": "corrections",
        "heading": _("corrections and clarifications"),
        "notices": [],
        "feeds": [("rss", "RSS", reverse_lazy("articles:corrections_feed"))],
        "back_url": reverse_lazy("articles:corrections"),
        "back_label": _("Back to corrections and clarifications"),
    }


class CorrectionFeed(Feed):
    """The latest corrections and clarifications as RSS 2.0."""

    language = None  # the page's: each language has its own feed, and says so

    def get_object(self, request, *args, **kwargs):
        return SiteSettings.load().localised()

    def title(self, site_settings):
        return gettext("%(site)s: corrections and clarifications") % {"site": site_settings.name}

    def description(self, site_settings):
        return site_settings.corrections_policy

    def link(self):
        return reverse("articles:corrections")

    def items(self):
        return public_corrections()[:FEED_ITEMS]

    def item_title(self, note):
        return f"{note.get_kind_display()}: {note.article.title}"

    def item_description(self, note):
        return note.text

    def item_link(self, note):
        return note.get_absolute_url()

    def item_pubdate(self, note):
        return note.published_at

    def item_categories(self, note):
        return [note.get_kind_display()]
