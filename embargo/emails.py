"""The e-mails recipients of embargo links get, rendered from templates.

``embargo.tasks`` queues them in the outbox.
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from core.models import SiteSettings
from embargo.formats import embargo_time
from embargo.models import under_embargo


def _render(name: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    subject = "".join(subject.splitlines()).strip()
    return subject, render_to_string(f"emails/{name}.txt", context)


def _context(link) -> dict:
    article = link.article
    return {
        "link": link,
        "article": article,
        "url": link.absolute_url,
        "embargoed_until": embargo_time(article.published_at),
        "expires": embargo_time(link.effective_expiry()),
        "still_embargoed": under_embargo(article),
        "site_settings": SiteSettings.load(),
    }


def invitation(link) -> EmailMessage:
    """The personal link, the embargo time and the terms."""
    subject, body = _render("embargo_invitation", _context(link))
    return EmailMessage(subject=subject, body=body, to=[link.email])


def time_changed(link) -> EmailMessage:
    """The publication time moved: the new one (or that the embargo was lifted)."""
    subject, body = _render("embargo_time_changed", _context(link))
    return EmailMessage(subject=subject, body=body, to=[link.email])
