from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.addresses import EmailAddressField, email_key
from core.languages import language_name
from embargo.formats import embargo_time
from embargo.models import JournalistContact
from embargo.services import parse_recipients


def _key(email: str) -> str:
    """The mailbox an address names; a contact saved before addresses were normalised
    may not normalise, and is then compared as it is, in lower case."""
    try:
        return email_key(email)
    except ValidationError:
        return email.lower()


class JournalistContactForm(forms.ModelForm):
    """A saved contact: the address normalised (``core.addresses``), one per mailbox."""

    email = EmailAddressField(
        label="E-mail",
        max_length=JournalistContact._meta.get_field("email").max_length,
        help_text=JournalistContact._meta.get_field("email").help_text,
    )

    class Meta:
        model = JournalistContact
        fields = ["name", "outlet", "email", "notes"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        key = email_key(email)
        others = JournalistContact.objects.exclude(pk=self.instance.pk)
        # Few contacts, and older ones may be spelt otherwise: compared one by one.
        for other in others.only("name", "email"):
            if _key(other.email) == key:
                raise ValidationError(
                    f"{other.name} already has this address.", code="duplicate_contact"
                )
        return email


class TranslationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{language_name(obj.language)}: {obj.title} ({embargo_time(obj.published_at)})"


class ShareForm(forms.Form):
    """Who receives a personal link: pasted addresses, saved contacts, or both; and,
    for an article with scheduled translations, which of them to share as well (all, by
    default: a story released in several languages goes out in all of them)."""

    recipients = forms.CharField(
        label="E-mail addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 60}),
        help_text="One per line, or separated by commas. “Name <address>” works too.",
    )
    contacts = forms.ModelMultipleChoiceField(
        label="Saved press contacts",
        queryset=JournalistContact.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_at = forms.DateTimeField(
        label="Links expire at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Optional, in the newsroom's time zone. Empty: 48 hours after the "
        "publication time, following it if it moves.",
    )

    def __init__(self, *args, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        scheduled = (
            article.translation_group().scheduled().exclude(pk=article.pk).order_by("language")
            if article is not None
            else None
        )
        if scheduled is not None and scheduled.exists():
            self.fields["translations"] = TranslationChoiceField(
                label="Scheduled translations to share as well",
                queryset=scheduled,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text="Each recipient's link offers every version ticked here; each "
                "lifts at its own publication time.",
            )
            if not self.is_bound:
                self.initial["translations"] = list(scheduled.values_list("pk", flat=True))

    def clean_recipients(self):
        parsed = parse_recipients(self.cleaned_data["recipients"])
        if parsed.errors:
            # Nothing is sent while any address is wrong; the text stays in the box.
            raise forms.ValidationError(parsed.errors)
        return parsed.emails

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return expires_at

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        emails = list(cleaned.get("recipients") or [])
        seen = {_key(email) for email in emails}
        for contact in cleaned.get("contacts") or []:
            if _key(contact.email) not in seen:
                seen.add(_key(contact.email))
                emails.append(contact.email)
        if not emails:
            raise forms.ValidationError("Paste at least one address or pick a saved contact.")
        cleaned["emails"] = emails
        return cleaned
