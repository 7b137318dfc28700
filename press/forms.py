"""The public media inquiry form, with its spam defences."""

import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import RegexValidator
from django.utils import timezone

from articles.regions import region_choices
from press.services import one_line

# The product rule: spam defences must never turn away a person who takes three seconds or more,
# so the minimum stays well below three.
MIN_FILL_SECONDS = 2
STARTED_SALT = "press.inquiry.started"
DEADLINE_INPUT_FORMAT = "%Y-%m-%dT%H:%M"

COMMON_TOPICS = [
    "Arms control",
    "Business and human rights",
    "Children's rights",
    "Climate justice",
    "Death penalty",
    "Detention",
    "Discrimination",
    "Freedom of expression",
    "Gender and sexuality",
    "Indigenous peoples",
    "International justice",
    "Refugees and migrants",
    "Surveillance and technology",
    "Torture",
    "War and armed conflict",
]

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()./-]{3,}((\s*(ext\.?|x)\s*)[0-9]{1,6})?$",
    "Use digits, spaces and + ( ) - only, for example +1 212 555 0100.",
)


class DatalistTextInput(forms.TextInput):
    """A text input that suggests values from a ``<datalist>`` yet accepts any text."""

    template_name = "press/widgets/datalist.html"

    def __init__(self, options, attrs=None):
        super().__init__(attrs)
        self.options = options

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id', name)}_options"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["options"] = self.options
        return context


def _started_token() -> str:
    return signing.dumps(time.time(), salt=STARTED_SALT)


class MediaInquiryForm(forms.Form):
    """What a journalist tells the press office.

    After validation, ``spam_reason`` says why the submission looks automated (empty for
    a person). Spam is not refused: the view stores it as spam and answers as if it were
    accepted, so a bot learns nothing and staff can rescue a real journalist.
    """

    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="We send the reference number of your inquiry here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    outlet = forms.CharField(
        label="Outlet or organisation",
        max_length=200,
        help_text='Who you write or broadcast for, or "Freelance".',
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    phone = forms.CharField(
        label="Phone (optional)",
        max_length=40,
        required=False,
        validators=[phone_validator],
        help_text="With the country code, if you would like a call back.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    deadline = forms.DateTimeField(
        label="Your deadline (optional)",
        required=False,
        input_formats=[DEADLINE_INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=f"Date and time in the newsroom's time zone, {settings.TIME_ZONE}.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DEADLINE_INPUT_FORMAT),
    )
    subject = forms.CharField(label="Subject", max_length=200)
    message = forms.CharField(
        label="Your question",
        max_length=5000,
        help_text="What you need: an interview, a comment, data, a photo. Up to 5,000 characters.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    region = forms.ChoiceField(
        label="Region or country (optional)",
        required=False,
        choices=lambda: [("", "Not specific to a region"), *region_choices()],
    )
    topic = forms.CharField(
        label="Topic (optional)",
        max_length=100,
        required=False,
        help_text="Pick a common topic or type your own.",
        widget=DatalistTextInput(COMMON_TOPICS),
    )
    consent = forms.BooleanField(
        label="The press office may contact me about this inquiry and keep my details "
        "for that purpose.",
        error_messages={"required": "Please agree, so that we can answer you."},
    )
    # Spam defences. The honeypot is hidden by a CSS class (not an inline style: the
    # Content-Security-Policy forbids those) and out of the tab order; people never
    # fill it in, form-filling bots do.
    fax = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    honeypot_field = "fax"
    # Short names for the error summary at the top of the page.
    summary_labels = {"consent": "Consent", "deadline": "Deadline", "message": "Question"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.spam_reason = ""
        if not self.is_bound:
            self.initial["started"] = _started_token()
        now = timezone.localtime()
        self.fields["deadline"].widget.attrs["min"] = now.strftime(DEADLINE_INPUT_FORMAT)

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != self.honeypot_field]

    def error_summary(self):
        """(field id, short label, first error) for each invalid visible field."""
        return [
            (field.auto_id, self.summary_labels.get(field.name, field.label), field.errors[0])
            for field in self.visible_fields()
            if field.errors
        ]

    # The two hidden fields are cut to length rather than validated: an error on a field
    # nobody can see would only puzzle a person, and bots get no feedback either way.
    def clean_fax(self):
        return self.cleaned_data["fax"][:200]

    def clean_started(self):
        return self.cleaned_data["started"][:200]

    def clean_name(self):
        return one_line(self.cleaned_data["name"])

    def clean_outlet(self):
        return one_line(self.cleaned_data["outlet"])

    def clean_subject(self):
        return one_line(self.cleaned_data["subject"])

    def clean_topic(self):
        return one_line(self.cleaned_data["topic"])

    def clean_phone(self):
        return one_line(self.cleaned_data["phone"])

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        # The input has minute precision, so "now" typed a few seconds late still counts.
        if deadline is not None and deadline < timezone.now() - timedelta(minutes=1):
            raise forms.ValidationError(
                "This deadline has passed. Give a future date and time, or leave it empty.",
                code="past_deadline",
            )
        return deadline

    def clean(self):
        cleaned = super().clean()
        self.spam_reason = self._spam_reason(cleaned)
        return cleaned

    def _spam_reason(self, cleaned) -> str:
        if cleaned.get(self.honeypot_field):
            return "Hidden honeypot field was filled in."
        try:
            started = float(signing.loads(cleaned.get("started") or "", salt=STARTED_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            return "Form timing token missing or altered."
        elapsed = time.time() - started
        if elapsed < MIN_FILL_SECONDS:
            return f"Sent {max(elapsed, 0):.1f} s after the form was shown."
        return ""
