from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.languages import is_multilingual, other_languages
from core.models import SiteSettings

# The admin is named after the site too, read when a page is drawn, so a new name shows
# without a restart.
_site_name = lazy(lambda: SiteSettings.load().name, str)
admin.site.site_header = _site_name()
admin.site.site_title = format_lazy("{} admin", _site_name())


def _translation_field(code, field):
    return f"{field}__{code}"


class SiteSettingsForm(forms.ModelForm):
    """The settings, plus each visitor-facing text in every other language (kept in
    ``translations``). Empty: the pages of that language show the default text."""

    class Meta:
        model = SiteSettings
        fields = []  # the admin's fieldsets name them

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.translations if isinstance(self.instance.translations, dict) else {}
        for code, _language in other_languages():
            texts = saved.get(code) if isinstance(saved.get(code), dict) else {}
            for field in SiteSettings.TRANSLATED_FIELDS:
                name = _translation_field(code, field)
                if name in self.fields and isinstance(texts.get(field), str):
                    self.fields[name].initial = texts[field]

    def clean(self):
        cleaned = super().clean()
        saved = self.instance.translations if isinstance(self.instance.translations, dict) else {}
        # Languages no longer configured keep their texts, for when they come back.
        translations = {code: texts for code, texts in saved.items() if isinstance(texts, dict)}
        for code, _language in other_languages():
            texts = {
                field: cleaned.get(_translation_field(code, field), "").strip()
                for field in SiteSettings.TRANSLATED_FIELDS
            }
            texts = {field: text for field, text in texts.items() if text}
            if texts:
                translations[code] = texts
            else:
                translations.pop(code, None)
        self.instance.translations = translations
        return cleaned


def site_settings_form():
    """``SiteSettingsForm`` with a field per text and language, as configured now."""
    declared = {}
    for code, language in other_languages():
        for field in SiteSettings.TRANSLATED_FIELDS:
            model_field = SiteSettings._meta.get_field(field)
            declared[_translation_field(code, field)] = forms.CharField(
                label=format_lazy("{} ({})", model_field.verbose_name.capitalize(), language),
                required=False,
                max_length=model_field.max_length,
                widget=forms.Textarea(attrs={"rows": 3})
                if isinstance(model_field, models.TextField)
                else forms.TextInput(attrs={"class": "vLargeTextField"}),
            )
    return type("SiteSettingsForm", (SiteSettingsForm,), declared)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row of settings: the list goes straight to it, and it cannot be added twice or
    deleted."""

    fieldsets = [
        ("Site and newsroom page", {"fields": ["name", "mission", "intro", "lead_article"]}),
        (
            "Press office",
            {"fields": ["press_email", "press_phone", "out_of_hours_phone", "inquiry_recipients"]},
        ),
        ("Corrections", {"fields": ["corrections_policy"]}),
        ("Editorial review", {"fields": ["require_second_person"]}),
    ]

    autocomplete_fields = ["lead_article"]
    form = SiteSettingsForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        return super().get_form(request, obj, change, form=site_settings_form(), **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not is_multilingual():
            return fieldsets
        return [
            *fieldsets,
            *(
                (
                    format_lazy(_("Texts in {language}"), language=language),
                    {
                        "fields": [
                            _translation_field(code, field)
                            for field in SiteSettings.TRANSLATED_FIELDS
                        ],
                        "description": _(
                            "What visitors read on this language's pages. A text left "
                            "empty shows the default language's."
                        ),
                    },
                )
                for code, language in other_languages()
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        # Who must approve what is the editors' decision, not the press office's.
        if not request.user.has_perm("articles.publish_article"):
            return [*super().get_readonly_fields(request, obj), "require_second_person"]
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = SiteSettings.objects.get_or_create(pk=1)[0]
        return redirect("admin:core_sitesettings_change", row.pk)
