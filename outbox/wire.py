"""A queued mail as the bytes an SMTP server receives, without Python's e-mail package
where it is not needed.

Building a message with ``email.message.EmailMessage`` parses every header it is given
(addresses, dates, message ids) and folds it again on output: about two thirds of a
fan-out's time went there. Nearly every mail the site sends is a plain-text one with
ASCII headers and simple addresses, for which that work changes nothing; for those,
``simple_bytes()`` writes the same bytes directly (tests/outbox/test_wire.py holds it
to what Django writes). Anything else (an HTML alternative, a non-ASCII subject or
display name, a line over 998 characters, a header the e-mail package would parse)
returns None, and the caller builds the message the usual way.
"""

import re
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.core.mail.utils import DNS_NAME

from outbox.models import Message

# RFC 5322 allows 998 characters a line; the outbox's messages are built with that limit.
MAX_LINE = 998
_LOCAL = r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_BARE = re.compile(rf"({_LOCAL}@{_DOMAIN})\Z")
_NAMED = re.compile(rf"[A-Za-z0-9]+(?: [A-Za-z0-9]+)* <({_LOCAL}@{_DOMAIN})>\Z")
# Printable ASCII, single spaces, nothing that reads as an RFC 2047 encoded word.
_TEXT = re.compile(r"(?!.*=\?)[!-~]+(?: [!-~]+)*\Z")
_NAME = re.compile(r"[A-Za-z0-9-]+\Z")
# Headers the e-mail package parses (and may rewrite), or that this module writes.
_PARSED = frozenset(
    {
        "subject", "date", "resent-date", "orig-date", "sender", "resent-sender", "to",
        "resent-to", "cc", "resent-cc", "bcc", "resent-bcc", "from", "resent-from",
        "reply-to", "mime-version", "content-type", "content-disposition",
        "content-transfer-encoding", "message-id",
    }
)  # fmt: skip


def _address(value: str) -> str | None:
    """The addr-spec of a simple address (``a@b.c`` or ``Name <a@b.c>``), else None."""
    match = _BARE.match(value) or _NAMED.match(value)
    return match.group(1) if match else None


def _line(name: str, value: str) -> bytes | None:
    if len(name) + 2 + len(value) > MAX_LINE:
        return None
    return f"{name}: {value}\r\n".encode("ascii")


def simple_bytes(row: Message) -> tuple[str, list[str], bytes] | None:
    """(envelope sender, envelope recipients, message bytes) for a simple mail, or None
    if the e-mail package must build this one."""
    if row.html_body or not row.body or settings.EMAIL_USE_LOCALTIME:
        return None
    to = row.recipient_list
    reply_to = [line for line in row.reply_to.splitlines() if line]
    sender = _address(row.from_email)
    recipients = [_address(address) for address in to]
    if sender is None or not to or None in recipients:
        return None
    if any(_address(address) is None for address in reply_to):
        return None
    if not _TEXT.match(row.subject):
        return None
    extra = []
    for name, value in (row.headers or {}).items():
        if not isinstance(value, str) or not _NAME.match(name) or not _TEXT.match(value):
            return None
        if name.lower() in _PARSED:
            return None
        extra.append((name, value))
    lines = row.body.encode("utf-8").splitlines()
    if max(len(line) for line in lines) > MAX_LINE:
        return None
    payload = b"\r\n".join(lines) + b"\r\n"
    cte = "7bit" if payload.isascii() else "8bit"
    headers = [
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", cte),
        ("MIME-Version", "1.0"),
        ("Subject", row.subject),
        ("From", row.from_email),
        ("To", ", ".join(to)),
    ]
    if reply_to:
        headers.append(("Reply-To", ", ".join(reply_to)))
    headers += [
        ("Date", format_datetime(datetime.now(UTC))),
        ("Message-ID", make_msgid(domain=DNS_NAME)),
        *extra,
    ]
    out = []
    for name, value in headers:
        line = _line(name, value)
        if line is None:
            return None
        out.append(line)
    return sender, recipients, b"".join(out) + b"\r\n" + payload
