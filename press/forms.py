"""The public media inquiry form, with its spam defences."""

import secrets
import time
from datetime import UTC, timedelta

from django import forms
from django.core import signing
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.regions import region_choices
from core.addresses import EmailAddressField
from core.datetimes import get_zone, newsroom_zone_name, zone_choices, zone_label
from core.validators import validate_date_in_range
from press.models import MediaInquiry
from press.services import one_line

# The product rule: spam defences must never turn away a person who takes three seconds or more,
# so the minimum stays well below three.
MIN_FILL_SECONDS = 2
# The form's token expires after this: a form left open longer is shown again, with what
# was typed, to be sent once more (never refused, never taken for spam).
TOKEN_MAX_AGE = 4 * 60 * 60
STARTED_SALT = "press.inquiry.started"
DEADLINE_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
TOO_FAST_MESSAGE = _(
    "That was very fast — please check your message and press “Send inquiry” "
    "again. Nothing has been sent yet."
)
EXPIRED_MESSAGE = _(
    "This form was open for more than %(hours)s hours, so for your security it has to be "
    "sent again. Everything you typed is still here: check it and press “Send inquiry”."
)

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
    _("Use digits, spaces and + ( ) - only, for example +1 212 555 0100."),
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


def started_token(*, started: float | None = None) -> str:
    """The form's hidden token: when the form was shown and a single-use key, signed.

    The time is the spam rule's (sent too soon after the form was shown) and the
    expiry's; the key makes a second POST of the same form find the first inquiry.
    """
    payload = {"t": time.time() if started is None else started, "k": secrets.token_urlsafe(18)}
    return signing.dumps(payload, salt=STARTED_SALT)


def _max_length(name: str) -> int:
    return MediaInquiry._meta.get_field(name).max_length


class WallClockField(forms.DateTimeField):
    """A date and time as typed, naive: the form's time zone field says where it is.

    Parsed as if in UTC, which has no skipped or repeated hours, so a time that does not
    exist in the newsroom's zone but does in the journalist's is not refused on the way.
    """

    def to_python(self, value):
        with timezone.override(UTC):
            result = super().to_python(value)
        return timezone.make_naive(result, UTC) if result is not None else None


class SingleLineField(forms.CharField):
    """Text that ends up in an e-mail header or a one-line column: every line break and
    whitespace run becomes one space, here and only here."""

    def to_python(self, value):
        return one_line(super().to_python(value))


class MediaInquiryForm(forms.Form):
    """What a journalist tells the press office.

    After validation, ``spam_reason`` says why the submission looks automated (empty for
    a person). Spam is not refused: the view stores it as spam and answers as if it were
    accepted, so a bot learns nothing and staff can rescue a real journalist. A form sent
    faster than ``MIN_FILL_SECONDS`` is the exception, because a person can be that fast:
    it is not stored, and comes back (``too_fast``) with everything kept, to be sent again.

    The deadline is typed in the journalist's own time zone (``time_zone``) and cleaned to
    an aware date-time, stored in UTC.
    """

    name = SingleLineField(
        label=_("Your name"),
        max_length=_max_length("name"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # Stored normalised (core.addresses): one spelling per mailbox, nothing unsafe.
    email = EmailAddressField(
        label=_("E-mail"),
        max_length=_max_length("email"),
        help_text=_("We send the reference number of your inquiry here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    outlet = SingleLineField(
        label=_("Outlet or organisation"),
        max_length=_max_length("outlet"),
        help_text=_('Who you write or broadcast for, or "Freelance".'),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    phone = SingleLineField(
        label=_("Phone (optional)"),
        max_length=_max_length("phone"),
        required=False,
        validators=[phone_validator],
        help_text=_("With the country code, if you would like a call back."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    # Cleaned before the deadline, which is read in it. A browser running scripts picks
    # the journalist's own zone (static/press/time_zone.js); otherwise the newsroom's.
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        required=False,
        choices=zone_choices,
        help_text=_("Your deadline is read in this zone."),
        widget=forms.Select(attrs={"data-time-zone": "", "autocomplete": "off"}),
    )
    deadline = WallClockField(
        label=_("Your deadline (optional)"),
        required=False,
        input_formats=[DEADLINE_INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DEADLINE_INPUT_FORMAT),
    )
    subject = SingleLineField(label=_("Subject"), max_length=_max_length("subject"))
    message = forms.CharField(
        label=_("Your question"),
        max_length=_max_length("message"),
        help_text=format_lazy(
            _("What you need: an interview, a comment, data, a photo. Up to {} characters."),
            number_format(_max_length("message"), force_grouping=True),
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    region = forms.ChoiceField(
        label=_("Region or country (optional)"),
        required=False,
        choices=lambda: [("", gettext("Not specific to a region")), *region_choices()],
    )
    topic = SingleLineField(
        label=_("Topic (optional)"),
        max_length=_max_length("topic"),
        required=False,
        help_text=_("Pick a common topic or type your own."),
        widget=DatalistTextInput(COMMON_TOPICS),
    )
    consent = forms.BooleanField(
        label=_(
            "The press office may contact me about this inquiry and keep my details "
            "for that purpose."
        ),
        error_messages={"required": _("Please agree, so that we can answer you.")},
    )
    # Spam defences. The honeypot is hidden by a CSS class (not an inline style: the
    # Content-Security-Policy forbids those) and out of the tab order; people never
    # fill it in, form-filling bots do.
    fax = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    honeypot_field = "fax"
    # Short names for the error summary at the top of the page.
    summary_labels = {
        "consent": _("Consent"),
        "deadline": _("Deadline"),
        "message": _("Question"),
        "time_zone": _("Time zone"),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.spam_reason = ""
        # The token's single-use key, for ``inquiry_submit(submission_key=…)``.
        self.submission_key = ""
        self.too_fast = False
        if not self.is_bound:
            self.initial["started"] = started_token()
            self.initial["time_zone"] = newsroom_zone_name()
            # Only a fresh form takes the browser's zone: a choice made stays made.
            self.fields["time_zone"].widget.attrs["data-prefill"] = ""
        if self.auto_id:
            self.fields["time_zone"].widget.attrs["data-deadline"] = self.auto_id % "deadline"
        zone = self._chosen_zone()
        now = timezone.localtime(timezone=zone)
        self.fields["deadline"].widget.attrs["min"] = now.strftime(DEADLINE_INPUT_FORMAT)
        # The zone and its offset right by the deadline; the script keeps it in step.
        self.fields["deadline"].help_text = gettext(
            "Date and time in your time zone, now %(zone)s."
        ) % {"zone": zone_label(zone.key)}

    def _chosen_zone(self):
        name = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        return get_zone(name)

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

    def clean_time_zone(self):
        return self.cleaned_data["time_zone"] or newsroom_zone_name()

    def clean_deadline(self):
        wall_clock = self.cleaned_data["deadline"]
        if wall_clock is None:
            return None
        if "time_zone" not in self.cleaned_data:
            return None  # the zone's own error says what to fix
        # The model's bound, checked here too (this form is not a ModelForm), and before
        # any conversion: year 9999 cannot be moved between zones.
        validate_date_in_range(wall_clock)
        zone = get_zone(self.cleaned_data["time_zone"])
        # A time the clocks repeat (autumn) is taken the first time round, the earlier
        # deadline; one they skip (spring) does not exist there and is refused.
        deadline = wall_clock.replace(tzinfo=zone, fold=0)
        if deadline.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall_clock:
            raise forms.ValidationError(
                _(
                    "%(time)s does not exist in %(zone)s: the clocks go forward then. "
                    "Give a time an hour later."
                ),
                code="skipped_time",
                params={"time": wall_clock.strftime("%H:%M on %B %-d, %Y"), "zone": zone.key},
            )
        validate_date_in_range(deadline)
        # The input has minute precision, so "now" typed a few seconds late still counts.
        if deadline < timezone.now() - timedelta(minutes=1):
            raise forms.ValidationError(
                _("This deadline has passed. Give a future date and time, or leave it empty."),
                code="past_deadline",
            )
        return deadline

    def clean(self):
        cleaned = super().clean()
        self.spam_reason = ""
        honeypot = bool(cleaned.get(self.honeypot_field))
        try:
            started, key = self._read_token(cleaned.get("started") or "")
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            self.spam_reason = (
                "Hidden honeypot field was filled in."
                if honeypot
                else "Form timing token missing or altered."
            )
            return cleaned
        self.submission_key = key
        if honeypot:
            self.spam_reason = "Hidden honeypot field was filled in."
            return cleaned
        elapsed = time.time() - started
        if elapsed > TOKEN_MAX_AGE:
            # The person is not turned away: the form comes back with everything typed
            # and a fresh token, "aged" so that sending at once is not taken for a bot.
            self.submission_key = ""
            self.reissue_token()
            raise forms.ValidationError(
                str(EXPIRED_MESSAGE) % {"hours": TOKEN_MAX_AGE // 3600}, code="expired"
            )
        if elapsed < MIN_FILL_SECONDS:
            # Too fast for most people, yet a person may be that fast (a pasted message,
            # autofill): nothing is stored and nothing promised; the form comes back with
            # everything kept and a fresh token, to be checked and sent again.
            self.too_fast = True
            self.submission_key = ""
            self.data = self.data.copy()
            self.data["started"] = started_token()
            raise forms.ValidationError(TOO_FAST_MESSAGE, code="too_fast")
        return cleaned

    @staticmethod
    def _read_token(token: str) -> tuple[float, str]:
        payload = signing.loads(token, salt=STARTED_SALT)
        if isinstance(payload, int | float):
            # A form shown before tokens carried a key: timed, but not single-use.
            return float(payload), ""
        return float(payload["t"]), str(payload["k"])[:64]

    def reissue_token(self):
        """Give the re-rendered form a fresh token that may be sent at once."""
        self.data = self.data.copy()
        self.data["started"] = started_token(started=time.time() - MIN_FILL_SECONDS)
