"""The outbox's direct writing of simple mails: the very bytes Django's SMTP backend
would send (but for the Date and Message-ID, which differ per send), and Django's own
way for anything that is not simple."""

import email.policy
from email import message_from_bytes

import pytest

from outbox import wire
from outbox.models import Message
from outbox.sending import as_email

ALERT_BODY = (
    "Press release · December 7, 2026\n\nMexico and the USA must protect asylum seekers\n\n"
    "Read it: https://newsroom.example.org/news/protect/\n\n—\n"
    "Stop these alerts: https://newsroom.example.org/alerts/unsubscribe/k:sig/\n"
)


def _row(**fields):
    values = {
        "kind": "alerts.alert",
        "subject": "Press release: Mexico and the USA must protect asylum seekers",
        "body": ALERT_BODY,
        "from_email": "Newsroom <newsroom@localhost>",
        "recipients": "reporter1@outlet1.example.com",
        "reply_to": "press@example.org",
        "headers": {
            "List-Unsubscribe": f"<https://newsroom.example.org/alerts/unsubscribe/{'k' * 40}:s/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    }
    values.update(fields)
    return Message(**values)


def _django_bytes(row):
    # What django.core.mail.backends.smtp does with it.
    return as_email(row).message(policy=email.policy.SMTP).as_bytes()


def _without_varying(data: bytes) -> bytes:
    return b"".join(
        line
        for line in data.splitlines(keepends=True)
        if not line.startswith((b"Date: ", b"Message-ID: "))
    )


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"body": "Plain ASCII.\nTwo lines, and a blank one after.\n\n"},
        {"body": "No newline at the end — and non-ASCII"},
        {"body": "Windows\r\nline ends\r\n.leading dot\n"},
        {"body": "x" * 998 + "\n"},
        {"reply_to": ""},
        {"reply_to": "press@example.org\nDesk <desk@example.org>"},
        {"recipients": "one@example.com\ntwo@example.net"},
        {"headers": {}},
        {"from_email": "newsroom@localhost"},
    ],
)
def test_a_simple_mail_is_written_as_django_writes_it(fields):
    row = _row(**fields)
    simple = wire.simple_bytes(row)
    assert simple is not None
    sender, recipients, data = simple
    assert sender == (row.from_email.rsplit("<", 1)[-1].rstrip(">"))
    assert recipients == row.recipient_list
    assert _without_varying(data) == _without_varying(_django_bytes(row))
    parsed = message_from_bytes(data, policy=email.policy.default)
    assert parsed["Date"] and parsed["Message-ID"]


@pytest.mark.parametrize(
    "fields",
    [
        {"html_body": "<p>Hello</p>"},
        {"subject": "Réfugiés au Mexique"},
        {"subject": "=?utf-8?q?looks_encoded?="},
        {"subject": "Two  spaces"},
        {"from_email": "Presse Réfugiés <press@example.org>"},
        {"from_email": '"Newsroom, Press" <press@example.org>'},
        {"recipients": "josé@example.com"},
        {"reply_to": "press@exämple.org"},
        {"body": "x" * 999 + "\n"},
        {"body": ""},
        {"headers": {"X-Tag": "Ünïcode"}},
        {"headers": {"Message-ID": "<fixed@example.org>"}},
        {"headers": {"Sender": "bounces@example.org"}},
        {"headers": {"List-Unsubscribe": "<https://x.example/" + "u" * 990 + ">"}},
    ],
)
def test_anything_else_is_left_to_the_email_package(fields):
    assert wire.simple_bytes(_row(**fields)) is None


def test_localtime_dates_are_left_to_the_email_package(settings):
    settings.EMAIL_USE_LOCALTIME = True
    assert wire.simple_bytes(_row()) is None
