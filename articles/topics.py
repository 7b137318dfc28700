"""Choosing an article's topics in the admin: existing topics by autocomplete, new ones
only by those allowed to create them.

Topics are public (each has its page, ``/news/?topic=…``), so a typo in a free-text
field used to become a public topic. Writers now pick from the existing topics; staff
with ``taggit.add_tag`` (editors) may also type new ones, which are matched to an
existing topic whatever their case before anything is created.
"""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from taggit.utils import parse_tags

from articles.models import Article, TopicName
from core.admin_input import KeysOnlyMultipleChoiceField
from core.admin_languages import OtherLanguageForm, OtherLanguagesInlineMixin
from core.admin_search import ExactFirstSearchMixin
from core.languages import is_multilingual
from core.numbers import whole_number

ADD_TOPIC_PERMISSION = "taggit.add_tag"
CHANGE_TOPIC_PERMISSION = "taggit.change_tag"


class TopicsWidget(AutocompleteSelectMultiple):
    """The admin's autocomplete, which shows a crafted non-numeric value back as nothing
    rather than failing on it (Django looks the values up as ids as they came)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if whole_number(str(v))], attr)


class TopicsChoiceField(KeysOnlyMultipleChoiceField):
    """Existing topics by id; an empty value (a form posted by a script) means none."""

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            value = [item for item in value if item not in self.empty_values]
        return super().clean(value)

    def has_changed(self, initial, data):
        # The same empty value is no change either (it would count as an edit, and an
        # edit resets an approval and makes the saver the text's author).
        if isinstance(data, (list, tuple)):
            data = [item for item in data if item not in self.empty_values]
        return super().has_changed(initial, data)


class TopicsFormMixin(forms.Form):
    """The ``topics`` and ``new_topics`` fields of the article form.

    ``can_add_topics`` is set per request by the admin (like ``can_publish``); without
    it ``new_topics`` is removed, so a crafted POST cannot create a topic either.
    """

    can_add_topics = False

    topics = TopicsChoiceField(
        queryset=Tag.objects.order_by("name"),
        required=False,
        help_text="Type to find an existing topic, e.g. Refugees and migrants.",
    )
    new_topics = forms.CharField(
        label="New topics",
        required=False,
        max_length=500,
        help_text="Only for a topic that does not exist yet: it becomes public as soon as "
        "the article is. Separate topics with commas. An existing topic typed here in "
        "another case is used as it is.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "topics" in self.fields:
            field = self.fields["topics"]
            field.widget = TopicsWidget(
                Article._meta.get_field("topics"), admin.site, choices=field.choices
            )
        if not self.can_add_topics:
            self.fields.pop("new_topics", None)

    def clean_new_topics(self):
        value = self.cleaned_data.get("new_topics", "").strip()
        if not value:
            return []
        names = [value] if "," not in value and '"' not in value else parse_tags(value)
        limit = Tag._meta.get_field("name").max_length
        too_long = [name for name in names if len(name) > limit]
        if too_long:
            raise forms.ValidationError(
                "A topic has at most %(limit)d characters: %(names)s.",
                params={"limit": limit, "names": ", ".join(too_long)},
            )
        return names

    def clean(self):
        cleaned = super().clean()
        new_names = cleaned.get("new_topics") or []
        if "topics" in cleaned and new_names:
            chosen = list(cleaned["topics"] or [])
            existing = {
                tag.name.lower(): tag
                for tag in Tag.objects.filter(name__iregex=_any_of(new_names))
            }
            seen = {tag.pk for tag in chosen}
            for name in new_names:
                tag = existing.get(name.lower())
                if tag is None:
                    chosen.append(name)  # created by taggit when the form is saved
                elif tag.pk not in seen:
                    chosen.append(tag)
                    seen.add(tag.pk)
            cleaned["topics"] = chosen
        return cleaned


def _any_of(names):
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


class TopicNameForm(OtherLanguageForm):
    class Meta:
        model = TopicName
        fields = ["language", "name"]


class TopicNameInline(OtherLanguagesInlineMixin, admin.TabularInline):
    """The topic's name in each of the newsroom's other languages."""

    model = TopicName
    form = TopicNameForm
    verbose_name = _("name in another language")
    verbose_name_plural = _("Names in other languages")


class TopicAdmin(ExactFirstSearchMixin, admin.ModelAdmin):
    """Topics, for those who may edit them (editors). Writers see no "Tags" in the admin
    and are refused its pages; they still search topics through the article form's
    autocomplete, which needs only the view permission."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    exact_search_fields = ("name", "slug")
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TopicNameInline]

    def get_inlines(self, request, obj):
        # An English-only newsroom has no other language to name topics in.
        return self.inlines if is_multilingual() else []

    def has_module_permission(self, request):
        return request.user.has_perm(CHANGE_TOPIC_PERMISSION)

    def _require_change(self, request):
        if not request.user.has_perm(CHANGE_TOPIC_PERMISSION):
            raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        self._require_change(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._require_change(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._require_change(request)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._require_change(request)
        return super().delete_view(request, object_id, extra_context)


def register_topic_admin(site=admin.site):
    """Replace taggit's own Tag admin with ``TopicAdmin``."""
    if site.is_registered(Tag):
        site.unregister(Tag)
    site.register(Tag, TopicAdmin)
