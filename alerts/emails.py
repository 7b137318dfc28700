"""The alert e-mails, subjects and bodies rendered from templates (``templates/emails/``).

They are queued in the outbox (``outbox/``), which sends them with header lines unfolded,
so ``List-Unsubscribe`` stays one readable URL. Every mail that goes out because of a
subscription carries RFC 8058 one-click unsubscription (``List-Unsubscribe`` with the
signed link, ``List-Unsubscribe-Post``) and a link to the journalist's preferences.
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from alerts.filtering import describe
from alerts.models import Subscription
from alerts.tokens import token_for
from core.datetimes import zone_label
from core.links import absolute_url
from core.models import SiteSettings


def _render(name: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    # A subject is one header line, whatever line breaks the template (or a title) has.
    subject = " ".join(subject.split())
    return subject, render_to_string(f"emails/{name}.txt", context)


absolute = absolute_url


def links(subscription: Subscription) -> dict:
    return {
        "unsubscribe_url": absolute(
            reverse("alerts:unsubscribe", args=[token_for(subscription, "unsubscribe")])
        ),
        "preferences_url": absolute(
            reverse("alerts:preferences", args=[token_for(subscription, "preferences")])
        ),
    }


class Shared:
    """What every mail of a batch has in common, worked out once for the batch rather
    than once per mail (10,000 mails would read the site settings 10,000 times)."""

    def __init__(self):
        self.site_settings = SiteSettings.load()
        self._described = {}

    def describe(self, query: str) -> str:
        if query not in self._described:
            self._described[query] = describe(query)
        return self._described[query]


def _list_message(
    subscription: Subscription, name: str, context: dict, shared: Shared | None = None
) -> EmailMessage:
    shared = shared or Shared()
    site_settings = shared.site_settings
    urls = links(subscription)
    context = {
        **context,
        **urls,
        "subscription": subscription,
        "filter_described": shared.describe(subscription.query),
        "site_settings": site_settings,
    }
    subject, body = _render(name, context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.email],
        reply_to=[site_settings.press_email],
        headers={
            "List-Unsubscribe": f"<{urls['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Not something to answer with a vacation notice.
            "Auto-Submitted": "auto-generated",
        },
    )


def confirmation(subscription: Subscription) -> EmailMessage:
    """The double opt-in mail: what was asked for, and the link (valid seven days) to a
    page whose button confirms. Nothing else is ever sent to an unconfirmed address."""
    site_settings = SiteSettings.load()
    subject, body = _render(
        "alert_confirmation",
        {
            "subscription": subscription,
            "filter_described": describe(subscription.query),
            "confirm_url": absolute(
                reverse("alerts:confirm", args=[token_for(subscription, "confirm")])
            ),
            "site_settings": site_settings,
            "time_zone": zone_label(subscription.digest_time_zone),
        },
    )
    return EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.email],
        reply_to=[site_settings.press_email],
        headers={"Auto-Submitted": "auto-generated"},
    )


def already_subscribed(subscription: Subscription) -> EmailMessage:
    """Someone asked again for an alert this address already has: say so, with the
    preferences link (never on the page, which answers every request alike)."""
    return _list_message(subscription, "alert_already_subscribed", {})


def alert(
    subscription: Subscription, article, *, announcement=None, shared: Shared | None = None
) -> EmailMessage:
    """One article, as soon as it is published (or an announcement about it)."""
    return _list_message(
        subscription,
        "alert_announcement" if announcement else "alert_article",
        {
            "article": article,
            "announcement": announcement,
            "article_url": absolute(article.get_absolute_url()),
        },
        shared,
    )


def digest(
    subscription: Subscription, items: list[dict], *, shared: Shared | None = None
) -> EmailMessage:
    """The daily digest: each item is {"article", "announcement", "article_url"}."""
    return _list_message(subscription, "alert_digest", {"items": items}, shared)
