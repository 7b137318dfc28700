"""E-mail alerts: who asked for what, and what each of them was sent.

A ``Subscription`` is one address and one saved filter of the newsroom list (the same
parameters the list and its feeds take: ``type``, ``region``, ``topic``, ``q``), sent
instantly or as a daily digest. An ``ArticleAlert`` records that an article is to be, or
was, announced to the subscribers it matches; a ``Delivery`` is one article (or one
announcement about it) owed to, then sent to, one subscriber: its unique constraint is
what makes every alert go out at most once, whatever retries, re-publications or edits.
"""

import secrets

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.datetimes import newsroom_zone_name
from core.fields import BoundedDateTimeField
from core.languages import default_language

# After this many hard bounces (a 5xx refusal of the address at send time) a
# subscription is suspended: mailing a dead address again hurts the sender's reputation.
MAX_BOUNCES = 3


def new_key() -> str:
    """128 random bits naming a subscription in its links (signed, see ``alerts.tokens``)."""
    return secrets.token_urlsafe(16)


class SubscriptionQuerySet(models.QuerySet):
    def for_address(self, email: str):
        """The subscriptions of the mailbox ``email`` (an address from
        ``core.addresses.normalize_email``), compared as the unique constraint does:
        case-insensitively, so ``Target@`` and ``target@`` are one mailbox."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.lower())

    def confirmed(self):
        return self.filter(status=Subscription.Status.CONFIRMED)

    def instant(self):
        return self.confirmed().filter(frequency=Subscription.Frequency.INSTANT)

    def daily(self):
        return self.confirmed().filter(frequency=Subscription.Frequency.DAILY)

    def daily_at(self, hour: int, zone: str | None = None):
        """Daily subscribers whose digest is at ``hour`` in ``zone`` (the newsroom's)."""
        return self.daily().filter(digest_hour=hour, digest_time_zone=zone or newsroom_zone_name())

    def digest_times(self) -> list[tuple[str, int]]:
        """Every (zone, hour) some confirmed daily subscriber has chosen."""
        return list(
            self.daily().order_by().values_list("digest_time_zone", "digest_hour").distinct()
        )


class Subscription(models.Model):
    """One journalist's alert: an address, a saved filter and how often to send.

    No account: the address is proven by the double opt-in (``confirmed_at``) and every
    later change is made through signed links carrying ``key``. Those pages are private,
    so there is no ``get_absolute_url``: the admin must not offer staff the link.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        SUSPENDED = "suspended", "Suspended (bounces)"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("As soon as each article is published")
        DAILY = "daily", _("One daily digest")

    email = models.EmailField(
        "e-mail",
        max_length=254,
        help_text="Normalised (core.addresses): unquoted, the domain in lower case and "
        "punycode; compared case-insensitively.",
    )
    query = models.CharField(
        "filter",
        max_length=600,
        blank=True,
        help_text="The saved filter, as the newsroom list's query string (type, region, "
        "topic, q). Empty: everything published.",
    )
    frequency = models.CharField(max_length=10, choices=Frequency, default=Frequency.INSTANT)
    digest_hour = models.PositiveSmallIntegerField(
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="For daily digests: the hour of the day, in the digest time zone.",
    )
    digest_time_zone = models.CharField(
        "digest time zone",
        max_length=64,
        default=newsroom_zone_name,
        help_text="The subscriber's own zone, in which the digest hour is read.",
    )
    language = models.CharField(
        max_length=10,
        default=default_language,
        help_text="The language of the page the alert was asked for on: the subscriber "
        "is sent the articles written in it, in mails written in it.",
    )
    status = models.CharField(max_length=15, choices=Status, default=Status.PENDING)
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    consent_text = models.TextField(
        help_text="The consent line the journalist saw when subscribing, word for word."
    )
    consented_at = BoundedDateTimeField(default=timezone.now)
    confirmation_sent_at = BoundedDateTimeField(null=True, blank=True)
    confirmed_at = BoundedDateTimeField(null=True, blank=True)
    unsubscribed_at = BoundedDateTimeField(null=True, blank=True)
    bounce_count = models.PositiveSmallIntegerField(
        default=0, help_text=f"Hard bounces at send time; suspended after {MAX_BOUNCES}."
    )
    last_bounce = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "subscriber"
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        indexes = [
            models.Index(
                fields=["status", "language", "query"], name="alert_subscription_lang_idx"
            ),
            models.Index(
                fields=["frequency", "digest_hour"],
                condition=models.Q(status="confirmed"),
                name="alert_subscription_digest_idx",
            ),
        ]
        constraints = [
            # One subscription per mailbox, filter and language: the address is normalised
            # before it is stored, and the part before the "@" compared case-insensitively.
            # The same filter in two languages is two subscriptions (two sets of articles).
            models.UniqueConstraint(
                Lower("email"), "query", "language", name="alert_one_per_mailbox_filter_language"
            ),
            models.CheckConstraint(
                condition=models.Q(digest_hour__lte=23), name="alert_digest_hour_in_day"
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.query or 'everything'}"

    @property
    def is_active(self):
        return self.status == self.Status.CONFIRMED


class ArticleAlert(models.Model):
    """The announcement of one article to its subscribers, once.

    Created when the article goes live or is scheduled (``due_at`` is its publication
    time); ``matched_at`` is set when the fan-out has worked out who is owed it. After
    that, nothing about the article (an edit, an unpublish and republish) alerts anyone.
    """

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="alert"
    )
    due_at = BoundedDateTimeField(help_text="The article's publication time when scheduled.")
    matched_at = BoundedDateTimeField(null=True, blank=True)
    matched_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at"]

    def __str__(self):
        return f"Alert for article {self.article_id}"


class Announcement(models.Model):
    """Something said to an article's subscribers after it went out, e.g. a correction
    an editor chose to tell them about (``alerts.services.announce``)."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="alert_announcements"
    )
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Announcement on article {self.article_id}"


class DeliveryQuerySet(models.QuerySet):
    def unsent(self):
        """Owed and not yet handed to the outbox."""
        return self.filter(sent_at__isnull=True)


class Delivery(models.Model):
    """An article (or an announcement about it) owed to one subscriber, then sent.

    Rows are written when the article is matched, before anything is sent; the mail is
    rendered into the outbox (``outbox.Message``, which sends and retries it) and
    ``sent_at`` records that hand-over. The unique constraints mean a subscriber can be
    owed an article, and an announcement, once.
    """

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="alert_deliveries"
    )
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    in_digest = models.BooleanField(
        default=False, help_text="Waits for the subscriber's daily digest."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = BoundedDateTimeField(
        null=True, blank=True, help_text="When the mail was handed to the outbox."
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "article"],
                condition=models.Q(announcement__isnull=True),
                name="alert_delivery_once_per_article",
            ),
            models.UniqueConstraint(
                fields=["subscription", "announcement"],
                condition=models.Q(announcement__isnull=False),
                name="alert_delivery_once_per_announcement",
            ),
        ]
        indexes = [
            models.Index(
                fields=["article", "in_digest"],
                condition=models.Q(sent_at__isnull=True),
                name="alert_delivery_unsent_idx",
            ),
        ]

    def __str__(self):
        return f"Article {self.article_id} to subscription {self.subscription_id}"


class DigestRun(models.Model):
    """One hour's slot of daily digests: created when it is scheduled, so the slot's
    task is enqueued once, and claimed when it runs, so it is sent once."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    slot_at = BoundedDateTimeField(unique=True, help_text="The hour the digests are for.")
    state = models.CharField(max_length=10, choices=State, default=State.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-slot_at"]

    def __str__(self):
        return f"Digests of {self.slot_at:%Y-%m-%d %H:%M} UTC"
