"""``core.addresses``: one mailbox, one address, however it was spelt."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.addresses import EmailAddressField, email_key, mailbox_key, normalize_email

SAME_MAILBOX = {
    "target@example.net": [
        "target@example.net",
        '"target"@example.net',
        '"t\\arget"@example.net',
        '"\\t\\a\\r\\g\\e\\t"@example.net',
        "Target@EXAMPLE.net",
        '"Target"@Example.NET',
        "  target@example.net  ",
        "target@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.net",  # full-width letters
    ],
    "target@xn--exmple-cua.net": [
        "target@exämple.net",
        "target@xn--exmple-cua.net",
        "target@XN--EXMPLE-CUA.NET",
        "target@EXÄMPLE.net",
        "target@exa\u0308mple.net",  # the same "ä" as a + combining diaeresis
        '"TARGET"@exämple.net',
    ],
}


@pytest.mark.parametrize(
    ("typed", "key"),
    [(typed, key) for key, spellings in SAME_MAILBOX.items() for typed in spellings],
)
def test_spellings_of_one_mailbox_have_one_key(typed, key):
    assert email_key(typed) == key
    assert mailbox_key(typed) == key


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ('"t\\arget"@example.net', "target@example.net"),
        ("Target.Name@EXAMPLE.net", "Target.Name@example.net"),
        ('"Target"@Exämple.NET', "Target@xn--exmple-cua.net"),
        ("a.b+news@example.org", "a.b+news@example.org"),
        ("o'neil@example.ie", "o'neil@example.ie"),
        ("x@straße.de", "x@xn--strae-oqa.de"),  # IDNA 2008: "ß" is not "ss"
    ],
)
def test_the_stored_address_keeps_the_case_typed_before_the_at(typed, stored):
    assert normalize_email(typed) == stored
    assert normalize_email(stored) == stored  # normalising twice changes nothing


def test_a_sub_address_is_its_own_subscriber_but_the_same_mailbox_for_limits():
    assert email_key("Target+news@example.net") == "target+news@example.net"
    assert mailbox_key("Target+news@example.net") == "target@example.net"
    assert mailbox_key("+tag@example.net") == "+tag@example.net"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('"tar get"@example.net', "needs quotation marks"),
        ('"target@evil"@example.net', "needs quotation marks"),
        ('"a,b"@example.net', "needs quotation marks"),
        ('"".x@example.net', "Enter a valid email address."),
        ('""@example.net', "needs quotation marks"),
        ('ta"rg"et@example.net', "needs quotation marks"),
        ("target(comment)@example.net", "comment in brackets"),
        ("target@(comment)example.net", "comment in brackets"),
        ("target@[192.0.2.1]", "IP address"),
        ("target@[IPv6:2001:db8::1]", "IP address"),
        ("tar\x00get@example.net", "invisible or control character"),
        ("target\r\nBcc: x@example.net", "invisible or control character"),
        ("tar\u200bget@example.net", "invisible or control character"),
        ("target@exa\u202emple.net", "invisible or control character"),
        ('"tar\\\u0007get"@example.net', "invisible or control character"),
        ("tärget@example.net", "Letters other than a to z"),
        ("target@example.net.", "not a valid domain name"),
        ("target@", "Enter a valid email address."),
        ("target@exa..mple.net", "not a valid domain name"),
        ("target@-example.net", "not a valid domain name"),
        ("x" * 65 + "@example.net", "too long"),
        ("target@" + ".".join(["a" * 61] * 4) + ".net", "too long"),
        ("not an address", "Enter a valid email address."),
        ("target.@example.net", "Enter a valid email address."),
        ("", "Enter a valid email address."),
        (None, "Enter a valid email address."),
    ],
)
def test_addresses_that_cannot_be_normalised_safely_are_refused_clearly(typed, message):
    with pytest.raises(ValidationError) as raised:
        normalize_email(typed)
    assert message in raised.value.messages[0]


class Form(forms.Form):
    email = EmailAddressField(max_length=254)


def test_the_form_field_gives_the_normalised_address_or_a_clear_error():
    form = Form({"email": ' "Target"@EXÄMPLE.net '})
    assert form.is_valid()
    assert form.cleaned_data["email"] == "Target@xn--exmple-cua.net"
    form = Form({"email": '"tar get"@example.net'})
    assert not form.is_valid()
    assert "needs quotation marks" in form.errors["email"][0]
