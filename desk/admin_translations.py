"""The article admin's side of stale translations (``desk.translation_status``).

``TranslationStatusAdminMixin`` goes before ``admin.ModelAdmin`` in ``ArticleAdmin``.
Everything it adds is there only when the newsroom publishes in more than one language
(``core.languages.is_multilingual``); an English-only admin is as it was.

- the list: an "Out of date" column and a filter, from one ``EXISTS`` per row of the
  page's query (``with_staleness``), never a query per row;
- the change form of a stale translation: what changed in the source since the
  translation's base, word by word, and "Mark as up to date" (POST);
- the translation-status view (``translations/``): one row per source article, a
  column per language with each version's state, stale ones marked, filterable by
  language and staleness.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from core.http import not_allowed
from core.languages import is_multilingual, language_codes, language_name
from core.numbers import whole_number
from desk.translation_status import mark_up_to_date, staleness, with_staleness

ROWS_PER_PAGE = 50


class StaleFilter(admin.SimpleListFilter):
    """Translations whose source has changed its words since (or not)."""

    title = _("translation")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("1", _("Out of date")), ("0", _("Up to date"))]

    def queryset(self, request, queryset):
        if self.value() not in ("1", "0"):
            return queryset
        if "is_stale" not in queryset.query.annotations:
            queryset = with_staleness(queryset)
        return queryset.filter(translation_of__isnull=False, is_stale=self.value() == "1")


class TranslationStatusAdminMixin:
    """See the module docstring. Needs ``ModelAdmin`` after it in the bases."""

    # --- the list -------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return with_staleness(queryset) if is_multilingual() else queryset

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not is_multilingual():
            return columns
        # In the state's column, under the badge: a fifth column does not fit a laptop.
        if "state_badge" in columns:
            return [
                "state_and_freshness" if column == "state_badge" else column for column in columns
            ]
        return [*columns, "state_and_freshness"]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, StaleFilter] if is_multilingual() else filters

    @admin.display(description=_("State"), ordering="status")
    def state_and_freshness(self, obj):
        """The article's state, and for a translation its source has left behind, "Out of
        date" under it."""
        state = obj.state
        badge = format_html(
            '<span class="state-badge state-badge--{}">{}</span>', state, state.label
        )
        if not (obj.translation_of_id and getattr(obj, "is_stale", False)):
            return badge
        return format_html(
            '{}<span class="state-badge translation-badge--stale">{}</span>',
            badge,
            gettext("Out of date"),
        )

    def changelist_view(self, request, extra_context=None):
        if is_multilingual():
            url = reverse("admin:articles_article_translations")
            extra_context = {**(extra_context or {}), "translation_status_url": url}
        return super().changelist_view(request, extra_context)

    @property
    def media(self):
        media = super().media
        if is_multilingual():
            media += forms.Media(css={"all": ["desk/translations.css"]})
        return media

    # --- the change form ------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method in ("GET", "HEAD") and is_multilingual():
            article = self.get_object(request, unquote(object_id))
            if (
                article is not None
                and article.translation_of_id
                and self.has_view_or_change_permission(request, article)
            ):
                state = staleness(article)
                extra_context = {
                    **(extra_context or {}),
                    "translation_staleness": state if state and state.stale else None,
                }
        return super().change_view(request, object_id, form_url, extra_context)

    def mark_up_to_date_view(self, request, pk):
        if request.method != "POST":
            return not_allowed(["POST"])
        article = self.get_object(request, str(pk))
        if article is None:
            raise Http404("No such article.")
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if not article.translation_of_id:
            messages.error(request, gettext("This article is no translation: it has no source."))
            return redirect(change_url)
        version = whole_number(request.POST.get("source_version"))
        revision = (
            None
            if version is None
            else article.translation_of.revisions.filter(version=version).first()
        )
        if revision is None:
            messages.error(
                request,
                gettext(
                    "The form did not say which version of the source you read: nothing was "
                    "marked. Look at the changes again, then mark the translation up to date."
                ),
            )
            return redirect(change_url)
        mark_up_to_date(translation=article, revision=revision, user=request.user)
        self.log_change(request, article, [{"changed": {"fields": ["translation base"]}}])
        messages.success(
            request,
            gettext(
                "Marked up to date with version %(version)s of the source. The translation "
                "is shown as out of date again when the source's words next change."
            )
            % {"version": revision.version},
        )
        return redirect(change_url)

    # --- the translation-status view ------------------------------------------------------

    def translation_status_view(self, request):
        if request.method not in ("GET", "HEAD"):
            return not_allowed(["GET", "HEAD"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        codes = language_codes()
        language = request.GET.get("language", "")
        language = language if language in codes else ""
        stale_only = request.GET.get("stale") == "1"

        sources = Article.objects.filter(translation_of__isnull=True)
        translations = Article.objects.filter(translation_of=OuterRef("pk"))
        if language:
            in_language = translations.filter(language=language)
            sources = sources.filter(Q(language=language) | Exists(in_language))
            translations = in_language
        if stale_only:
            stale = with_staleness(translations).filter(is_stale=True)
            sources = sources.filter(Exists(stale))
        sources = (
            sources.with_pending_flag().only(*VERSION_FIELDS).order_by("-published_at", "-id")
        )
        page = Paginator(sources, ROWS_PER_PAGE).get_page(request.GET.get("p"))
        versions = (
            with_staleness(
                Article.objects.filter(translation_of__in=[source.pk for source in page])
            )
            .with_pending_flag()
            .only(*VERSION_FIELDS, "translation_of_id")
        )
        by_source = {}
        for version in versions:
            by_source.setdefault(version.translation_of_id, {})[version.language] = version
        rows = []
        for source in page:
            group = {source.language: source, **by_source.get(source.pk, {})}
            rows.append(
                {
                    "source": source,
                    "cells": [
                        {"version": group.get(code), "is_source": code == source.language}
                        for code in codes
                    ],
                }
            )

        def query(**changes):
            params = {"language": language, "stale": "1" if stale_only else ""} | changes
            return "?" + urlencode({key: value for key, value in params.items() if value})

        def link(label, selected, **changes):
            return {"label": label, "url": query(**changes), "selected": selected}

        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Translation status"),
            "subtitle": None,
            "languages": [(code, language_name(code)) for code in codes],
            "rows": rows,
            "page_obj": page,
            "language": language,
            "stale_only": stale_only,
            "language_links": [
                link(gettext("All languages"), not language, language=""),
                *(link(language_name(code), code == language, language=code) for code in codes),
            ],
            "stale_links": [
                link(gettext("All translations"), not stale_only, stale=""),
                link(gettext("Out of date"), stale_only, stale="1"),
            ],
            "page_query": query()[1:],
        }
        return TemplateResponse(request, "admin/articles/article/translation_status.html", context)

    # --- URLs -----------------------------------------------------------------------------

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path(
                "translations/",
                view(self.translation_status_view),
                name="articles_article_translations",
            ),
            path(
                "<int:pk>/translation/up-to-date/",
                view(self.mark_up_to_date_view),
                name="articles_article_mark_up_to_date",
            ),
            *super().get_urls(),
        ]


# What a cell needs of each version: its state, title and language (and no body).
VERSION_FIELDS = (
    "pk",
    "title",
    "language",
    "status",
    "published_at",
    "review_state",
)
