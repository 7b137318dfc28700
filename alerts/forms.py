"""The subscribe and preferences forms: an address, a filter of the newsroom list and a
frequency. The filter's fields are the list's own (``articles.filters``), so an alert
accepts exactly the regions, topics and types the list does."""

import copy

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from alerts.filtering import ALERT_FILTERS, canonical_query, filterset
from alerts.models import Subscription
from articles.regions import region_choices
from articles.search import MAX_QUERY_LENGTH, clean_query
from core.addresses import EmailAddressField
from core.datetimes import newsroom_zone_name, zone_choices
from core.languages import is_multilingual, language_choices

HOUR_CHOICES = [(hour, f"{hour:02d}:00") for hour in range(24)]
LABELS = {
    "q": _("Words to look for (optional)"),
    "type": _("Types"),
    "region": _("Region or country"),
    "topic": _("Topic"),
}
HELP = {
    "q": _("As in the newsroom's search, e.g. asylum or “death penalty”."),
    "type": _("None ticked: every type."),
}


class PreferencesForm(forms.Form):
    # The preferences page lets the subscriber change the language their alerts are in;
    # a new subscription takes the language of the page it is asked for on.
    offers_language = True

    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscription.Frequency.choices,
        initial=Subscription.Frequency.INSTANT,
        widget=forms.RadioSelect,
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Time of the daily digest"),
        coerce=int,
        choices=HOUR_CHOICES,
        initial=8,
        help_text=_("In your time zone, below. Only for the daily digest."),
    )
    # A browser running scripts picks the subscriber's own zone (static/js/time_zone.js).
    digest_time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=zone_choices,
        required=False,
        help_text=_("The digest comes at that hour where you are."),
        widget=forms.Select(attrs={"data-time-zone": "", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        list_form = filterset(QueryDict()).form
        for name in ALERT_FILTERS:
            field = copy.deepcopy(list_form.fields[name])
            field.label = LABELS[name]
            field.help_text = HELP.get(name, "")
            field.required = False
            self.fields[name] = field
        # The list offers only regions with live articles; an alert is for what is still
        # to come, so every region can be followed.
        region = self.fields["region"]
        region.offered = region_choices
        region.choices = region_choices
        self.fields["q"].widget.attrs["maxlength"] = MAX_QUERY_LENGTH
        if self.offers_language and is_multilingual():
            self.fields["language"] = forms.ChoiceField(
                label=_("Language"),
                choices=language_choices,
                help_text=_(
                    "You are sent the articles published in this language, and the "
                    "e-mails are written in it."
                ),
            )
        self.order_fields(
            ["email", "language", *ALERT_FILTERS, "frequency", "digest_hour", "digest_time_zone"]
        )
        if not self.is_bound and not self.initial.get("digest_time_zone"):
            self.initial["digest_time_zone"] = newsroom_zone_name()
            # Only a fresh form takes the browser's zone: a saved choice stays.
            self.fields["digest_time_zone"].widget.attrs["data-prefill"] = ""

    def clean_digest_time_zone(self):
        return self.cleaned_data["digest_time_zone"] or newsroom_zone_name()

    def clean_q(self):
        return clean_query(self.cleaned_data.get("q")).text

    def query(self) -> str:
        """The chosen filter as the list's normalised query string ("" for everything)."""
        data = QueryDict(mutable=True)
        for name in ALERT_FILTERS:
            value = self.cleaned_data.get(name)
            data.setlist(name, list(value) if isinstance(value, list | tuple) else [value or ""])
        return canonical_query(data)

    def error_summary(self):
        """(field id, label, first error) for each invalid field, for the summary box."""
        return [
            (field.auto_id, field.label, field.errors[0])
            for field in self.visible_fields()
            if field.errors
        ]

    @staticmethod
    def initial_from(subscription_or_params) -> dict:
        """Initial values from a saved filter or the list's query parameters; values the
        list would not accept are left out."""
        if isinstance(subscription_or_params, Subscription):
            params = QueryDict(subscription_or_params.query)
        else:
            params = subscription_or_params
        pairs = filterset(params).params(sort=False)
        initial = {"type": [value for name, value in pairs if name == "type"]}
        initial.update((name, value) for name, value in pairs if name in ("q", "region", "topic"))
        return initial


class SubscribeForm(PreferencesForm):
    offers_language = False

    # Normalised (unquoted, punycode domain) before any limit or uniqueness check.
    email = EmailAddressField(
        label=_("Your e-mail address"),
        max_length=Subscription._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
