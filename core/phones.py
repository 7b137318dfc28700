"""Telephone numbers as staff type them, and as ``tel:`` links (RFC 3966) dial them.

Staff write numbers the way people read them ("+1 (212) 555-0100 ext. 12"); a ``tel:``
URI may not contain spaces and, for a number to be dialable from anywhere, must be global
(start with "+"). Which numbers exist, and how long each country's are, is Google's
libphonenumber (the ``phonenumbers`` port): one place turns the first into the second.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# What a number may look like as typed, before libphonenumber judges the digits: it is
# stored and shown as typed, so no letters (but an extension's), line breaks or markup;
# phonenumbers.parse alone would find a number inside "call +1 212 555 0100".
_AS_TYPED = re.compile(r"^\+[0-9][0-9 ()./-]*((\s*(ext\.?|x)\s*)[0-9]{1,6})?$", re.IGNORECASE)


def _parse(number: str) -> phonenumbers.PhoneNumber | None:
    """The number with its country code, or None. No default region: a number without
    "+" and the country code is not global."""
    number = (number or "").strip()
    if not number.startswith("+"):
        return None
    try:
        return phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None


@deconstructible(path="core.phones.InternationalPhoneValidator")
class InternationalPhoneValidator:
    """A number with its country code that exists in that country's numbering plan.

    ``is_valid_number``, not only ``is_possible_number``: possible checks the length for
    the country, valid also checks the plan (area codes and ranges in service), which
    catches the typos a journalist would dial in vain ("+1 012 555 0100"). The
    fictional ranges demo and test data use (+1 NXX 555 01xx, +44 20 7946 0xxx) are
    valid in the plan. A new range unknown to an old libphonenumber would be refused:
    keep ``phonenumbers`` up to date (its metadata follows the national plans).
    """

    message = (
        "Enter a phone number that exists, starting with + and the country code, for "
        "example +1 212 555 0100 or +1 212 555 0100 ext. 12."
    )
    code = "invalid"

    def __call__(self, value):
        parsed = _parse(value) if _AS_TYPED.match(str(value).strip()) else None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other):
        return isinstance(other, InternationalPhoneValidator)

    def __hash__(self):
        return hash(InternationalPhoneValidator)


# The country code is required: journalists call from anywhere, and a number without it
# cannot be a global tel: URI.
international_phone_validator = InternationalPhoneValidator()


def tel_uri(number: str) -> str:
    """``"+1 (212) 555-0100 ext. 12"`` → ``"tel:+12125550100;ext=12"`` (E.164 and the
    extension); ``""`` when the number has no country code or cannot be a number there
    (``is_possible_number``: a link is offered for anything dialable-looking already
    stored, the validator is what refuses numbers that do not exist)."""
    parsed = _parse(number)
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        return ""
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    extension = f";ext={parsed.extension}" if parsed.extension else ""
    return f"tel:{e164}{extension}"
