"""The article admin's languages: which language an article is in, its versions in the
others, and "Translate into …".

``LanguagesAdminMixin`` goes before ``admin.ModelAdmin`` in ``ArticleAdmin``. All of it
appears only when the newsroom publishes in more than one language (``LANGUAGES``); an
English-only newsroom's admin is exactly as it was.

- The add form asks for the article's language. After that it is read-only: a version in
  another language is another article (another address, text, workflow and history).
- The change form's "Versions" panel lists the translation group, with a "Translate into
  …" button for each language that has no version yet (``desk.services.article_translate``:
  a draft in the writer's ordinary workflow, prefilled from the source).
- On a translation, the fields the group shares with its source (``articles.translations``)
  are read-only, with a link to the source where they are edited.
- The list has a language column and a language filter, read from the rows themselves.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.models import Article
from articles.translations import SHARED_FIELDS, SHARED_RELATIONS
from core.http import not_allowed
from core.languages import (
    default_language,
    is_multilingual,
    language_choices,
    language_codes,
    language_name,
)
from desk.services import TranslationRefused, article_translate

SHARED = (*SHARED_FIELDS, *SHARED_RELATIONS)
LANGUAGE_FIELD = "language"
LANGUAGE_SHOWN = "language_shown"


class LanguageFilter(admin.SimpleListFilter):
    title = gettext_lazy("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return language_choices()

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def shared_note(source: Article) -> str:
    link = format_html('<a href="{}">{}</a>', change_url(source), source.title)
    return format_html(_("Shared with the source: edit them on {source}."), source=link)


def versions(article: Article, user) -> dict:
    """The "Versions" panel of ``article``'s change form: its group, and the languages
    it may still be translated into."""
    group = {
        version.language: version
        for version in article.translation_group()
        .with_pending_flag()
        .only("pk", "title", "language", "status", "review_state", "published_at")
    }
    source_id = article.group_id
    order = {code: n for n, code in enumerate(language_codes())}
    rows = [
        {
            "article": version,
            "language": language_name(version.language),
            "code": version.language,
            "state": version.state,
            "is_source": version.pk == source_id,
            "is_this": version.pk == article.pk,
            "url": change_url(version),
        }
        for version in sorted(group.values(), key=lambda v: (order.get(v.language, 99), v.pk))
    ]
    missing = [
        {"code": code, "label": _("Translate into %(language)s") % {"language": name}}
        for code, name in language_choices()
        if code not in group
    ]
    return {
        "rows": rows,
        "missing": missing if user.has_perm("articles.add_article") else [],
        "translate_url": reverse("admin:articles_article_translate", args=[source_id]),
        "is_translation": bool(article.translation_of_id),
    }


class LanguagesAdminMixin:
    """For ``ArticleAdmin``: see the module's docstring."""

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["articles/admin_languages.css"]})

    # --- the list -----------------------------------------------------------------------

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if is_multilingual():
            at = columns.index("headline") + 1 if "headline" in columns else len(columns)
            columns.insert(at, "language_column")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, LanguageFilter] if is_multilingual() else filters

    @admin.display(description=gettext_lazy("Language"), ordering="language")
    def language_column(self, obj):
        return format_html('<span lang="{}">{}</span>', obj.language, language_name(obj.language))

    # --- the form -----------------------------------------------------------------------

    @admin.display(description=gettext_lazy("Language"))
    def language_shown(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return format_html('<span lang="{}">{}</span>', obj.language, language_name(obj.language))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not is_multilingual():
            return fieldsets
        field = LANGUAGE_FIELD if obj is None else LANGUAGE_SHOWN
        source = obj.translation_of if obj is not None and obj.translation_of_id else None
        changed = []
        for n, (name, options) in enumerate(fieldsets):
            options = dict(options)
            fields = list(options.get("fields", ()))
            if n == 0:
                fields.insert(0, field)
            if source is not None:
                # Topics are chosen (and new ones made) on the source only.
                fields = [name for name in fields if name != "new_topics"]
            if source is not None and set(SHARED) & set(_flat(fields)):
                note = shared_note(source)
                described = options.get("description")
                if described:
                    note = format_html("{} {}", described, note)
                options["description"] = note
            options["fields"] = fields
            changed.append((name, options))
        return changed

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if is_multilingual() and obj is not None:
            fields.append(LANGUAGE_SHOWN)
        if obj is not None and obj.translation_of_id:
            fields.extend(field for field in SHARED if field not in fields)
        return fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == LANGUAGE_FIELD:
            return forms.TypedChoiceField(
                label=_("Language"),
                choices=language_choices(),
                initial=default_language(),
                help_text=_(
                    "The language the article is written in. It cannot change later: a "
                    "version in another language is made with “Translate into …”."
                ),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and is_multilingual():
            context["versions"] = versions(obj, request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- "Translate into …" -------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/translate/",
                self.admin_site.admin_view(self.translate_view),
                name="{}_{}_translate".format(*info),
            ),
            *super().get_urls(),
        ]

    def translate_view(self, request, object_id):
        if request.method != "POST":
            return not_allowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        if not is_multilingual():
            raise Http404
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404
        language = request.POST.get("language", "")
        try:
            translation = article_translate(source=source, language=language, user=request.user)
        except TranslationRefused as refusal:
            self.message_user(
                request, _("Nothing was made: %s") % " ".join(refusal.messages), messages.ERROR
            )
            return redirect(change_url(source))
        self.message_user(
            request,
            _(
                "Made a draft in %(language)s from “%(title)s”: translate its words here, "
                "then submit it for review like any article."
            )
            % {"language": language_name(translation.language), "title": source.title},
            messages.SUCCESS,
        )
        return redirect(change_url(translation))


def _flat(fields):
    for field in fields:
        if isinstance(field, list | tuple):
            yield from field
        else:
            yield field
