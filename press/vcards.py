"""Contact cards (vCard 3.0, RFC 2426, with RFC 6350's escaping) for the press contacts
page: a journalist saves a spokesperson or press officer to their phone in one tap."""

from core.phones import tel_uri


def escape(value: str) -> str:
    """A text value: backslash, comma and semicolon escaped, line breaks as ``\\n``."""
    value = str(value).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded: CRLF and a space, never inside a UTF-8
    # character.
    out, current = [], b""
    for character in line:
        encoded = character.encode()
        if len(current) + len(encoded) > 75:
            out.append(current.decode())
            current = b" "
        current += encoded
    out.append(current.decode())
    return "\r\n".join(out)


def vcard(
    *,
    name: str,
    given_name: str = "",
    family_name: str = "",
    organisation: str,
    role: str = "",
    email: str = "",
    phone: str = "",
    note: str = "",
    url: str = "",
) -> str:
    """One card; empty values are left out.

    ``name`` is the name as shown (FN); ``given_name`` and ``family_name`` go into N's
    fields, which address books sort and greet by. Without them the whole name is the
    family part (N is required in 3.0).
    """
    family, given = (family_name, given_name) if family_name or given_name else (name, "")
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{escape(name)}",
        f"N:{escape(family)};{escape(given)};;;",
        f"ORG:{escape(organisation)}",
    ]
    if role:
        lines.append(f"TITLE:{escape(role)}")
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{escape(email)}")
    uri = tel_uri(phone)
    if uri:
        # The dialable form, so the card works from any country.
        lines.append(f"TEL;TYPE=WORK,VOICE:{uri.removeprefix('tel:').replace(';ext=', ' ext. ')}")
    if note:
        lines.append(f"NOTE:{escape(note)}")
    if url:
        lines.append(f"URL:{escape(url)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)
