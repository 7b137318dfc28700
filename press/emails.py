"""The press office's e-mails, subjects and bodies both rendered from templates (as
``django.contrib.auth`` renders ``registration/password_reset_subject.txt``).

Only the tasks in ``press/tasks.py`` send them; nothing here talks to a mail server.
"""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from core.models import SiteSettings
from press.models import MediaInquiry

# What a mail server can throw at us while sending (connection refused, timeouts, SMTP
# refusals). Anything else is a bug and should surface.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def inquiry_recipients() -> list[str]:
    """The press office addresses: the site settings' list, else PRESS_OFFICE_EMAIL."""
    configured = SiteSettings.load().inquiry_recipients
    recipients = [address.strip() for address in configured.split(",") if address.strip()]
    return recipients or [settings.PRESS_OFFICE_EMAIL]


def _render(name: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    # A subject is one header line, whatever line breaks the template has.
    subject = "".join(subject.splitlines()).strip()
    return subject, render_to_string(f"emails/{name}.txt", context)


def inquiry_notification(inquiry: MediaInquiry) -> EmailMessage:
    """The press office's copy of an inquiry: everything the journalist sent, a link to
    the admin, and Reply-To the journalist."""
    admin_path = reverse("admin:press_mediainquiry_change", args=[inquiry.pk])
    subject, body = _render(
        "inquiry_notification",
        {"inquiry": inquiry, "admin_url": settings.SITE_URL + admin_path},
    )
    return EmailMessage(
        subject=subject, body=body, to=inquiry_recipients(), reply_to=[inquiry.email]
    )


def inquiry_acknowledgement(inquiry: MediaInquiry) -> EmailMessage:
    """The journalist's receipt: the reference and the deadline they gave.

    It goes to whatever address was typed into a public form, so it echoes none of the
    free text (name, outlet, message) that would let someone use it to send their words
    to a stranger; only the subject, which the form keeps to one short line.
    """
    site_settings = SiteSettings.load()
    subject, body = _render(
        "inquiry_acknowledgement", {"inquiry": inquiry, "site_settings": site_settings}
    )
    return EmailMessage(
        subject=subject, body=body, to=[inquiry.email], reply_to=[site_settings.press_email]
    )
