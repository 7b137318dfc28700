"""Every mail goes through the outbox: no app talks to a mail backend itself."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "media_library", "articles", "press", "alerts", "embargo", "desk", "interchange"]
APPS.append("newsroom")
# Sending a mail directly: Django's helpers, a backend's connection, EmailMessage.send().
DIRECT_SENDING = re.compile(
    r"\b(?:mail\.)?(?:send_mail|send_mass_mail|mail_admins|mail_managers)\(|"
    r"\bmail\.get_connection\(|"
    r"from django\.core\.mail import [^\n]*\b(?:send_mail|send_mass_mail|mail_admins|"
    r"mail_managers|get_connection)\b|"
    r"\.send\(\)"
)


def direct_sending(source: str) -> list[str]:
    # A definition is not a call: the error handler's ``send_mail`` hook queues in the
    # outbox, and the ``mail_admins`` task left for reports queued before the upgrade.
    return [
        line.strip()
        for line in source.splitlines()
        if DIRECT_SENDING.search(line) and not line.lstrip().startswith("def ")
    ]


def test_no_app_sends_mail_outside_the_outbox():
    offenders = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if lines := direct_sending(path.read_text()):
                offenders[path.relative_to(ROOT).as_posix()] = lines
    assert offenders == {}


@pytest.mark.parametrize(
    "line",
    [
        "mail.send_mail(subject, body, None, to)",
        "from django.core.mail import send_mail",
        "    message.send()",
        "mail_admins(subject, message)",
        "with mail.get_connection() as connection:",
    ],
)
def test_the_check_sees_direct_sending(line):
    assert direct_sending(line) == [line.strip()]
