"""The admin's inlines of texts in the newsroom's other languages (a photo's alt text and
caption, a topic's name): one row per language, at most one per configured language.

The language is a select of ``LANGUAGES`` as configured now, not a choice on the model
field: the setting comes from the environment, and a change of it must not be a
migration.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.languages import other_languages


class OtherLanguageForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"), choices=[("", "---------"), *other_languages()]
        )


class OtherLanguagesInlineMixin:
    extra = 0

    def get_max_num(self, request, obj=None, **kwargs):
        return len(other_languages())
