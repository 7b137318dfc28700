"""Phone numbers as typed, and the tel: URIs (RFC 3966) links are made of."""

import re

import pytest
from django.core.exceptions import ValidationError

from core.phones import InternationalPhoneValidator, international_phone_validator, tel_uri

# A global number: "+" and digits, an optional extension; no spaces or other characters.
TEL_URI = re.compile(r"^tel:\+[0-9]{4,}(;ext=[0-9]{1,6})?$")


@pytest.mark.parametrize(
    ("number", "uri"),
    [
        ("+1 212 555 0100", "tel:+12125550100"),
        ("+44 (20) 7946-0958", "tel:+442079460958"),
        ("+33 1.23.45.67.89", "tel:+33123456789"),
        ("  +1 212 555 0100 ext. 12 ", "tel:+12125550100;ext=12"),
        ("+1 212 555 0100 x7", "tel:+12125550100;ext=7"),
        ("212 555 0100", ""),
        ("", ""),
        ("+", ""),
        ("+١٢٣٤٥٦", ""),
        # Too short to be a number anywhere: no link that dials nothing.
        ("+1 212", ""),
        ("+999 123 4567", ""),
    ],
)
def test_tel_uri(number, uri):
    assert tel_uri(number) == uri
    assert uri == "" or TEL_URI.match(uri)


@pytest.mark.parametrize(
    "number",
    [
        "+1 212 555 0100",
        "+1 (212) 555-0100",
        "+44 20 7946 0958",
        "+44 (20) 7946-0958 ext. 12",
        "+1 212 555 0100 ext. 12",
        "+1 212 555 0100 x7",
        "+33 1.23.45.67.89",
    ],
)
def test_international_numbers_are_accepted(number):
    international_phone_validator(number)


@pytest.mark.parametrize(
    "number",
    [
        "212 555 0100",
        "+1 212 555 0100\nBcc: x",
        "call me",
        "+1 <script>",
        # A country code and an area code, but no number.
        "+1 212",
        # No country has the code 999.
        "+999 123 4567",
        # Right length, but no such area code in the North American plan.
        "+1 012 555 0100",
        "call +1 212 555 0100",
    ],
)
def test_other_numbers_are_refused(number):
    with pytest.raises(ValidationError) as error:
        international_phone_validator(number)
    assert "+1 212 555 0100" in error.value.messages[0]


def test_the_validator_is_one_rule_for_migrations():
    assert international_phone_validator == InternationalPhoneValidator()
    path, args, kwargs = international_phone_validator.deconstruct()
    assert path == "core.phones.InternationalPhoneValidator"
    assert (args, kwargs) == ((), {})
