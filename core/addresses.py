"""The one normaliser of e-mail addresses typed by people.

Many spellings deliver to one mailbox: ``"target"@example.net``, ``"t\\arget"@example.net``,
``target@EXAMPLE.net`` and ``target@exämple.net`` / ``target@xn--exmple-cua.net``. A
limit or a uniqueness rule that compares the strings as typed counts each spelling
apart, so every address is normalised here before it is stored, counted or compared:

- ``normalize_email(value)`` is the address to store and deliver to: the part before the
  "@" unquoted and as typed, the domain lower-case and IDNA-encoded (punycode);
- ``email_key(value)`` is what two addresses are compared by (uniqueness): the same, with
  the part before the "@" in lower case too;
- ``mailbox_key(value)`` is what a limit per mailbox counts: ``email_key`` without a
  "+tag" (``target+1@`` reaches ``target@``'s mailbox at most providers);
- ``EmailAddressField`` is the form field that does it, with a clear message for what
  cannot be normalised safely.

Refused, with a message saying why: a quoted part before the "@" that needs its quotes
(spaces, "@", commas… inside), comments in brackets, IP-address domains, control and
invisible characters, and letters outside ASCII before the "@" (they need SMTPUTF8,
which the mail sending here does not do; Django's own validator refuses them too).
"""

import string
import unicodedata

import idna
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_LENGTH = 254  # RFC 5321's limit on a forward path, less its angle brackets
MAX_LOCAL_LENGTH = 64
# RFC 5322 "atext": what a dot-atom (an unquoted part before the "@") is made of.
ATEXT = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~")

INVALID = "Enter a valid email address."
MESSAGES = {
    "invisible": "This address contains an invisible or control character. Type it again "
    "without it.",
    "comment": "Remove the comment in brackets from this address.",
    "quoted": "Addresses whose part before the @ needs quotation marks (spaces, @, commas "
    "or other special characters) cannot be used here. Give an address without quotation "
    "marks.",
    "ip_literal": "Give an address at a domain name, not at an IP address in brackets.",
    "non_ascii_local": "Letters other than a to z before the @ cannot be used here yet. Give "
    "another address.",
    "domain": "The part after the @ is not a valid domain name.",
    "too_long": f"This address is too long (at most {MAX_LENGTH} characters, "
    f"{MAX_LOCAL_LENGTH} before the @).",
}


def _error(code: str) -> ValidationError:
    return ValidationError(MESSAGES.get(code, INVALID), code=code)


def _is_dot_atom(text: str) -> bool:
    return bool(text) and all(atom and set(atom) <= ATEXT for atom in text.split("."))


def _unquote(quoted: str) -> str:
    """The content of a quoted string (``"…"``), quoted pairs (``\\x``) resolved."""
    chars = iter(quoted[1:-1])
    out = []
    for char in chars:
        if char == "\\":
            char = next(chars, None)
            if char is None:
                raise _error("invalid")
        elif char == '"':
            raise _error("invalid")
        out.append(char)
    return "".join(out)


def _split(value: str) -> tuple[str, str]:
    """(local part, domain); a quoted local part may hold an "@" of its own."""
    if value.startswith('"'):
        # Find the closing quote, skipping quoted pairs.
        index, escaped = 1, False
        while index < len(value):
            char = value[index]
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                break
            index += 1
        local, rest = value[: index + 1], value[index + 1 :]
        if not rest.startswith("@") or len(local) < 2 or not local.endswith('"'):
            raise _error("invalid")
        return local, rest[1:]
    local, at, domain = value.rpartition("@")
    if not at:
        raise _error("invalid")
    return local, domain


def _local_part(local: str) -> str:
    if local.startswith('"'):
        unquoted = _unquote(local)
        # Only when the content is a plain dot-atom do the quotes change nothing.
        if not _is_dot_atom(unquoted):
            if not unquoted.isascii():
                raise _error("non_ascii_local")
            raise _error("quoted")
        return unquoted
    if "(" in local or ")" in local:
        raise _error("comment")
    if not local.isascii():
        raise _error("non_ascii_local")
    if '"' in local or "\\" in local:
        # Quotes around part of it only (obsolete syntax).
        raise _error("quoted")
    if not _is_dot_atom(local):
        raise _error("invalid")
    return local


def _domain(domain: str) -> str:
    if not domain:
        raise _error("invalid")
    if domain.startswith("["):
        raise _error("ip_literal")
    if "(" in domain or ")" in domain:
        raise _error("comment")
    if domain.endswith("."):
        # A root-anchored name ("example.net."): refused rather than guessed at.
        raise _error("domain")
    try:
        # IDNA 2008 with UTS #46 mapping (non-transitional, as browsers and registries
        # now use: "ß" stays "ß"): lower-cases, maps full-width forms and checks labels.
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise _error("domain") from None
    return ascii_domain.lower()


def _parts(value) -> tuple[str, str]:
    if not isinstance(value, str) or not value.strip():
        raise _error("invalid")
    # NFC, as RFC 6532 asks of internationalised addresses: it only joins characters
    # with their combining accents, so it never changes which mailbox is named. NFKC
    # would: it folds "compatibility" characters (ligatures, superscripts, full-width
    # letters) into other letters, which a mail server compares as different. The
    # domain gets the compatibility folding that is right for domains from IDNA's
    # UTS #46 mapping below; the part before the "@" must be ASCII anyway.
    value = unicodedata.normalize("NFC", value.strip())
    if any(unicodedata.category(char)[0] == "C" or char in "\u2028\u2029" for char in value):
        raise _error("invisible")
    local, domain = _split(value)
    local, domain = _local_part(local), _domain(domain)
    if len(local) > MAX_LOCAL_LENGTH or len(local) + 1 + len(domain) > MAX_LENGTH:
        raise _error("too_long")
    address = f"{local}@{domain}"
    # What comes out is a plain address Django's mail sending takes as it is.
    try:
        validate_email(address)
    except ValidationError:
        raise _error("invalid") from None
    return local, domain


def normalize_email(value) -> str:
    """The address to store and deliver to; ValidationError (with a message for the
    person who typed it) when it cannot be normalised safely.

    The part before the "@" keeps the case it was typed in: RFC 5321 lets a server tell
    ``Ana@`` from ``ana@``, so delivery uses the address as given.
    """
    local, domain = _parts(value)
    return f"{local}@{domain}"


def email_key(value) -> str:
    """What addresses are compared by: ``normalize_email`` with the part before the "@"
    in lower case too.

    Nearly every provider treats that part case-insensitively, and comparing it so is the
    safe side for a limit or a uniqueness rule: ``Target@`` and ``target@`` counting as
    one mailbox at worst refuses a rare duplicate, while counting them apart lets anyone
    multiply a limit by varying the case.
    """
    local, domain = _parts(value)
    return f"{local.lower()}@{domain}"


def mailbox_key(value) -> str:
    """What a limit per mailbox counts: ``email_key`` without a "+tag" after the first
    "+" (sub-addressing: most providers deliver ``target+x@`` to ``target@``).

    Provider-specific rules (Gmail ignoring dots) are left alone: they are not general.
    """
    local, _, domain = email_key(value).rpartition("@")
    base = local.split("+", 1)[0]
    return f"{base or local}@{domain}"


class EmailAddressField(forms.EmailField):
    """An e-mail field whose cleaned value is ``normalize_email``'s, with a clear message
    for an address that cannot be normalised."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return normalize_email(value)
