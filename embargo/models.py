"""Embargoes: scheduled articles shown early to chosen journalists through personal links.

An article is *under embargo* while it is published and its publication time is still
ahead (``under_embargo``); that definition is deliberately independent of any other
review state an article may gain, so only that pair of facts opens an embargo link.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.fields import BoundedDateTimeField
from core.links import absolute_url

# A link stays valid this long after the lift unless it was given its own expiry.
DEFAULT_VALIDITY_AFTER_LIFT = timedelta(hours=48)
TOKEN_SALT = "embargo.EmbargoLink.token"  # noqa: S105 - a key salt, not a secret


def under_embargo(article) -> bool:
    """Published, with its publication time still ahead."""
    return article.status == "published" and article.published_at > timezone.now()


def hash_token(token: str) -> str:
    """What is stored and looked up: the token itself is never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


class JournalistContact(models.Model):
    """A journalist the press office shares embargoed articles with."""

    name = models.CharField(max_length=150, help_text="The journalist's name.")
    outlet = models.CharField(max_length=200, blank=True, help_text="Publication or agency.")
    email = models.EmailField(
        "e-mail", unique=True, help_text="Where personal embargo links are sent."
    )
    notes = models.CharField(
        max_length=300, blank=True, help_text="Internal: beats, languages, preferences."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "email"]
        verbose_name = "journalist contact"

    def __str__(self):
        return f"{self.name} ({self.outlet})" if self.outlet else self.name


class EmbargoLinkQuerySet(models.QuerySet):
    def active(self, *, at: datetime | None = None):
        """Not revoked and not past an explicit expiry (the default expiry follows the
        article's publication time and is checked by ``EmbargoLink.is_expired``)."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).exclude(expires_at__lte=at)


class EmbargoLink(models.Model):
    """One recipient's personal link to one embargoed article.

    The URL's token is ``HMAC(SECRET_KEY, nonce)``; only its SHA-256 is stored and looked
    up, so neither a copy of the database nor a timing difference gives a working link,
    while the e-mail task can still write the URL (a retry sends the same one).
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="embargo_links"
    )
    email = models.EmailField("recipient", help_text="The journalist the link was sent to.")
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    expires_at = BoundedDateTimeField(
        null=True,
        blank=True,
        help_text="Empty: 48 hours after the article's publication time, wherever it moves.",
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    send_email = models.BooleanField(
        default=True, editable=False, help_text="False when the link was handed out by hand."
    )
    # Delivery: the invitation, then a notice each time the publication time moves; the
    # times record when each was queued in the outbox, which sends and retries it.
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    notified_published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The publication time the recipient was last told.",
    )

    objects = EmbargoLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "embargo link"
        indexes = [models.Index(fields=["article", "revoked_at"], name="embargolink_article_idx")]
        constraints = [
            # One live link per recipient and article: sharing again replaces it.
            models.UniqueConstraint(
                fields=["article", "email"],
                condition=models.Q(revoked_at__isnull=True),
                name="embargolink_one_active_per_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.article_id}"

    def get_absolute_url(self):
        return reverse("embargo:article", kwargs={"token": self.token})

    @classmethod
    def issue(cls, *, article, email: str, **fields) -> tuple["EmbargoLink", str]:
        """A new (unsaved) link and its token: the only moment the token is known
        without SECRET_KEY."""
        link = cls(article=article, email=email, nonce=secrets.token_hex(32), **fields)
        token = link.token
        link.token_hash = hash_token(token)
        return link, token

    @property
    def token(self) -> str:
        # 256 bits: an HMAC-SHA256 of a 256-bit random nonce.
        return salted_hmac(TOKEN_SALT, self.nonce, algorithm="sha256").hexdigest()

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token_hash, hash_token(token))

    @property
    def absolute_url(self) -> str:
        return absolute_url(self.get_absolute_url())

    def effective_expiry(self) -> datetime:
        if self.expires_at is not None:
            return self.expires_at
        return self.article.published_at + DEFAULT_VALIDITY_AFTER_LIFT

    def is_expired(self, *, at: datetime | None = None) -> bool:
        return self.effective_expiry() <= (at or timezone.now())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class EmbargoOpening(models.Model):
    """One visit to an embargo link: who opened the article early, and when."""

    link = models.ForeignKey(EmbargoLink, on_delete=models.CASCADE, related_name="openings")
    opened_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    client_hash = models.CharField(
        "client address (hashed)",
        max_length=64,
        blank=True,
        help_text="A keyed hash of the visitor's IP address: the same address gives the "
        "same value, the address itself is not kept.",
    )
    user_agent = models.CharField("browser", max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "embargo link opening"

    def __str__(self):
        return f"{self.link.email} at {self.opened_at:%Y-%m-%d %H:%M}"
