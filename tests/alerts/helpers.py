"""Subscribers, links and mail servers for the alerts' tests."""

import smtplib
from email import message_from_bytes
from urllib.parse import urlparse

from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from alerts.models import Subscription
from alerts.tokens import token_for
from tests.outbox.helpers import delivered

BOUNCING = {"default": {"BACKEND": "tests.alerts.helpers.BouncingBackend"}}


def subscriber(email="reporter@example.com", query="", **fields) -> Subscription:
    """A confirmed subscription (pass status= for another)."""
    fields.setdefault("status", Subscription.Status.CONFIRMED)
    if fields["status"] == Subscription.Status.CONFIRMED:
        fields.setdefault("confirmed_at", timezone.now())
    return Subscription.objects.create(
        email=email, query=query, consent_text="We will e-mail you…", **fields
    )


def link(subscription, purpose) -> str:
    names = {"confirm": "confirm", "unsubscribe": "unsubscribe", "preferences": "preferences"}
    return f"/press/alerts/{names[purpose]}/{token_for(subscription, purpose)}/"


def path_of(url: str) -> str:
    return urlparse(url).path


def sent_to(address) -> list:
    """What reached the mail server for ``address``, once the outbox sent what is due."""
    return [message for message in delivered() if address in message.to]


class BouncingBackend(EmailBackend):
    """The local memory backend behind a mail server that refuses some addresses:
    ``bounce…@`` permanently (550), ``busy…@`` for now (450). Counts its connections."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            if address.startswith("bounce"):
                raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})
            if address.startswith("busy"):
                raise smtplib.SMTPRecipientsRefused({address: (450, b"4.2.1 Try later")})
        return super().send_messages(messages)


class RefusingSink:
    """An aiosmtpd handler that keeps what it is sent, as ``tests.smtp``'s sink does, and
    refuses ``bounce…@`` recipients permanently (550) at RCPT, as a real server would."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted"
