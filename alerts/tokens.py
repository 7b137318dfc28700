"""The links in alert e-mails: a subscription's random key, signed per purpose.

The key (128 random bits) names the subscription; the HMAC (``django.core.signing``,
SHA-256 with ``SECRET_KEY``) proves the link was made here for that purpose, so a copy
of the database alone cannot forge one, and a preferences link cannot confirm or
unsubscribe. Confirmation links carry their time and expire after seven days.
"""

from datetime import timedelta

from django.core import signing

from alerts.models import Subscription

CONFIRM_MAX_AGE = timedelta(days=7)
PURPOSES = ("confirm", "unsubscribe", "preferences")


def _signer(purpose: str) -> signing.Signer:
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown token purpose {purpose!r}.")
    salt = f"alerts.{purpose}"
    if purpose == "confirm":
        return signing.TimestampSigner(salt=salt)
    return signing.Signer(salt=salt)


def token_for(subscription: Subscription, purpose: str) -> str:
    return _signer(purpose).sign(subscription.key)


def subscription_for(token: str, purpose: str) -> Subscription | None:
    """The subscription a link names, or None for a forged, altered, expired or stale
    link (one whose subscription was erased): all answered the same way."""
    try:
        if purpose == "confirm":
            key = _signer(purpose).unsign(token, max_age=CONFIRM_MAX_AGE)
        else:
            key = _signer(purpose).unsign(token)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(key=key).first()
