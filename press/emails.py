"""The press office's e-mails, subjects and bodies both rendered from templates (as
``django.contrib.auth`` renders ``registration/password_reset_subject.txt``).

The tasks in ``press/tasks.py`` queue them in the outbox; nothing here talks to a mail server.
"""

from email.utils import formataddr

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.languages import is_multilingual, language_name
from core.links import absolute_url
from core.models import SiteSettings
from press.models import InquiryMessage, MediaInquiry


def inquiry_recipients() -> list[str]:
    """Who is told of each inquiry: the site settings' list of recipients, else the press
    address the site advertises (itself PRESS_OFFICE_EMAIL until the settings name one)."""
    site_settings = SiteSettings.load()
    configured = site_settings.inquiry_recipients
    recipients = [address.strip() for address in configured.split(",") if address.strip()]
    return recipients or [site_settings.press_email]


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
        {
            "inquiry": inquiry,
            "admin_url": absolute_url(admin_path),
            # The language the journalist wrote from, where there is a choice of them.
            "language_name": language_name(inquiry.language) if is_multilingual() else "",
        },
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
    # In the language of the form the journalist used, wherever it is rendered.
    with translation.override(inquiry.language):
        subject, body = _render(
            "inquiry_acknowledgement", {"inquiry": inquiry, "site_settings": site_settings}
        )
    return EmailMessage(
        subject=subject, body=body, to=[inquiry.email], reply_to=[site_settings.press_email]
    )


def press_office_sender(site_settings: SiteSettings) -> str:
    """The press office address as sender: "Newsroom press office <press@…>"."""
    return formataddr((f"{site_settings.name} press office", site_settings.press_email))


def inquiry_reply(message: InquiryMessage) -> EmailMessage:
    """A press officer's answer to the journalist: from the press office address, the
    inquiry's reference in the subject, the officer's words as plain text.

    Plain text only (never an HTML part), so nothing the officer pastes can become markup
    in the journalist's mail client; the subject goes through ``_render``, one line.
    """
    site_settings = SiteSettings.load()
    inquiry = message.inquiry
    signature = reply_signature(message.author, site_settings)
    subject, body = _render(
        "inquiry_reply",
        {
            "inquiry": inquiry,
            "message": message,
            "signature": signed_off(message.body, signature),
            "site_settings": site_settings,
        },
    )
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=press_office_sender(site_settings),
        to=[message.recipient],
        reply_to=[site_settings.press_email],
    )


def reply_signature(author, site_settings: SiteSettings) -> list[str]:
    """The lines signed under every reply: the officer, the press office, its contacts.
    The reply form shows them as a preview under the message box."""
    contacts = site_settings.press_email
    if site_settings.press_phone:
        contacts += f" \N{MIDDLE DOT} {site_settings.press_phone}"
    lines = [_person_name(author), f"{site_settings.name} press office", contacts]
    if site_settings.out_of_hours_phone:
        lines.append(f"Out of hours: {site_settings.out_of_hours_phone}")
    return lines


def _comparable(line: str) -> str:
    return " ".join(line.split()).casefold()


def signature_to_add(body: str, signature: list[str]) -> list[str]:
    """What of ``signature`` is still to be appended to ``body``: none of it when the
    officer already signed off with it, the rest when they typed its first lines (their
    name, say), all of it otherwise. A sign-off is never written twice."""
    ending = [_comparable(line) for line in body.splitlines() if line.strip()]
    wanted = [_comparable(line) for line in signature]
    for typed in range(len(wanted), 0, -1):
        if ending[-typed:] == wanted[:typed]:
            return signature[typed:]
    return signature


def signed_off(body: str, signature: list[str]) -> str:
    """The text that follows the officer's words: the signature after a "--" line; only
    its missing lines, right under theirs, when they began it themselves; nothing when
    they signed it all."""
    missing = signature_to_add(body, signature)
    if not missing:
        return ""
    separator = "\n" if len(missing) < len(signature) else "\n\n--\n"
    return separator + "\n".join(missing)


def inquiry_assignment(message: InquiryMessage) -> EmailMessage:
    """The notice to a press officer that an inquiry is theirs now, with its deadline
    and a link to it in the admin (not the journalist's message: that stays in the
    admin, where only the press office can read it)."""
    inquiry = message.inquiry
    admin_path = reverse("admin:press_mediainquiry_change", args=[inquiry.pk])
    subject, body = _render(
        "inquiry_assignment",
        {
            "inquiry": inquiry,
            "assigned_by": _person_name(message.author),
            "admin_url": absolute_url(admin_path),
        },
    )
    return EmailMessage(subject=subject, body=body, to=[message.recipient])


def inquiry_message(message: InquiryMessage) -> EmailMessage:
    """The e-mail for a row of an inquiry's thread, whatever its kind."""
    builders = {
        InquiryMessage.Kind.REPLY: inquiry_reply,
        InquiryMessage.Kind.ASSIGNMENT: inquiry_assignment,
    }
    return builders[message.kind](message)


def _person_name(user) -> str:
    if user is None:
        return "The press office"
    return user.get_full_name() or user.get_username()
