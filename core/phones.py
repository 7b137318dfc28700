"""Telephone numbers as staff type them, and as ``tel:`` links (RFC 3966) dial them.

Staff write numbers the way people read them ("+1 (212) 555-0100 ext. 12"); a ``tel:``
URI may not contain spaces and, for a number to be dialable from anywhere, must be global
(start with "+"). One place turns the first into the second.
"""

import re

from django.core.validators import RegexValidator

# The country code is required: journalists call from anywhere, and a number without it
# cannot be a global tel: URI.
international_phone_validator = RegexValidator(
    r"^\+[0-9][0-9 ()./-]{3,}((\s*(ext\.?|x)\s*)[0-9]{1,6})?$",
    "Start with + and the country code, then digits, spaces and ( ) - . only, for "
    "example +1 212 555 0100 or +1 212 555 0100 ext. 12.",
)

_EXTENSION = re.compile(r"\s*(?:ext\.?|x)\s*([0-9]{1,6})\s*$", re.IGNORECASE)


def tel_uri(number: str) -> str:
    """``"+1 (212) 555-0100 ext. 12"`` → ``"tel:+12125550100;ext=12"``; ``""`` when the
    number has no country code (or no digits), since that would not be a global number."""
    number = (number or "").strip()
    extension = ""
    match = _EXTENSION.search(number)
    if match:
        extension = f";ext={match[1]}"
        number = number[: match.start()]
    digits = "".join(
        character for character in number if character.isascii() and character.isdigit()
    )
    if not number.startswith("+") or len(digits) < 4:
        return ""
    return f"tel:+{digits}{extension}"
