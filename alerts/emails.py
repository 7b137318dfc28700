"""The alert e-mails, subjects and bodies rendered from templates (``templates/emails/``).

They are queued in the outbox (``outbox/``), which sends them with header lines unfolded,
so ``List-Unsubscribe`` stays one readable URL. Every mail that goes out because of a
subscription carries RFC 8058 one-click unsubscription (``List-Unsubscribe`` with the
signed link, ``List-Unsubscribe-Post``) and a link to the journalist's preferences.

Every mail is in its subscription's language (``Subscription.language``, the page it
was asked for on), whatever language is active where it is rendered (a worker, the
admin): its text, its dates, the filter described and the links to the alert pages,
which open in that language.
"""

import re
from functools import wraps

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language

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


def in_subscription_language(render):
    """Render the mail for the subscription (the first argument) in its language."""

    @wraps(render)
    def wrapper(subscription, *args, **kwargs):
        if get_language() == subscription.language:
            # A fan-out's batch is in one language: activated once for all of it.
            return render(subscription, *args, **kwargs)
        with translation.override(subscription.language):
            return render(subscription, *args, **kwargs)

    return wrapper


def links(subscription: Subscription, shared: "Shared | None" = None) -> dict:
    path = shared.path if shared else lambda name, token: reverse(name, args=[token])
    return {
        "unsubscribe_url": absolute(
            path("alerts:unsubscribe", token_for(subscription, "unsubscribe"))
        ),
        "preferences_url": absolute(
            path("alerts:preferences", token_for(subscription, "preferences"))
        ),
    }


# A signed token is URL-safe as it is (base 64 and colons): the URL resolver need not
# quote it.
_URL_SAFE = re.compile(r"[A-Za-z0-9_:-]+\Z")
_STAND_IN = "0token0"
# Mails whose text depends on the subscriber only through the filter described and the
# two links (the templates use no other field of the subscription): one fan-out renders
# each once per filter, with stand-ins for the links (NUL cannot occur in stored text).
PER_FILTER = frozenset({"alert_article", "alert_announcement"})
_LINK_STAND_INS = {
    "unsubscribe_url": "\x00unsubscribe_url\x00",
    "preferences_url": "\x00preferences_url\x00",
}


class Shared:
    """What every mail of a batch has in common, worked out once for the batch rather
    than once per mail (10,000 mails would read the site settings 10,000 times, resolve
    the same URL patterns 20,000 times and render the same text 10,000 times)."""

    def __init__(self):
        self.site_settings = SiteSettings.load()
        self._described = {}
        self._paths = {}
        self._rendered = {}

    def describe(self, query: str) -> str:
        key = (query, get_language())
        if key not in self._described:
            self._described[key] = describe(query)
        return self._described[key]

    def path(self, name: str, token: str) -> str:
        """``reverse(name, args=[token])``, the pattern resolved once per batch."""
        if not _URL_SAFE.match(token):
            return reverse(name, args=[token])
        key = (name, get_language())
        if key not in self._paths:
            head, _, tail = reverse(name, args=[_STAND_IN]).rpartition(_STAND_IN)
            self._paths[key] = (head, tail)
        head, tail = self._paths[key]
        return f"{head}{token}{tail}"

    def render(self, name: str, context: dict, urls: dict, query: str) -> tuple[str, str]:
        """Subject and body; for ``PER_FILTER`` mails, rendered once per filter."""
        if name not in PER_FILTER:
            return _render(name, {**context, **urls})
        key = (name, query, get_language())
        if key not in self._rendered:
            # Without the subscription: no subscriber's data can reach another's mail.
            shared_context = {**context, **_LINK_STAND_INS, "subscription": None}
            self._rendered[key] = _render(name, shared_context)
        subject, body = self._rendered[key]
        for field, stand_in in _LINK_STAND_INS.items():
            subject = subject.replace(stand_in, urls[field])
            body = body.replace(stand_in, urls[field])
        return subject, body


def _list_message(
    subscription: Subscription, name: str, context: dict, shared: Shared | None = None
) -> EmailMessage:
    shared = shared or Shared()
    site_settings = shared.site_settings
    urls = links(subscription, shared)
    context = {
        **context,
        "subscription": subscription,
        "filter_described": shared.describe(subscription.query),
        "site_settings": site_settings,
    }
    subject, body = shared.render(name, context, urls, subscription.query)
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


@in_subscription_language
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


@in_subscription_language
def already_subscribed(subscription: Subscription) -> EmailMessage:
    """Someone asked again for an alert this address already has: say so, with the
    preferences link (never on the page, which answers every request alike)."""
    return _list_message(subscription, "alert_already_subscribed", {})


@in_subscription_language
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


@in_subscription_language
def digest(
    subscription: Subscription, items: list[dict], *, shared: Shared | None = None
) -> EmailMessage:
    """The daily digest: each item is {"article", "announcement", "article_url"}."""
    return _list_message(subscription, "alert_digest", {"items": items}, shared)
