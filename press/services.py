"""The press office's multi-step writes: taking in a media inquiry and telling people.

The rule throughout is "nothing lost": an inquiry is committed to the database before any
e-mail is attempted, and a failed e-mail is recorded on the inquiry and retried later
(``manage.py retry_inquiry_notifications``), never allowed to undo the inquiry.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.models import NewsroomSettings, Region
from core.cache import cache_available, cached
from press.models import MediaInquiry

logger = logging.getLogger(__name__)

# What a mail server can throw at us while sending (connection refused, timeouts, SMTP
# refusals). Anything else is a bug and should surface. Header values are made single
# line by one_line(), so Django's header-injection refusal cannot be triggered by input.
MAIL_ERRORS = (smtplib.SMTPException, OSError)

# Retries: the first retry after five minutes, doubling, capped at six hours; after
# MAX_NOTIFY_ATTEMPTS the inquiry stays in the "notification failed" admin filter for a
# person to handle.
MAX_NOTIFY_ATTEMPTS = 8
RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=6)

# Per-IP limits on the public form. Accepted submissions are what matter to the press
# office; the looser cap on every POST stops someone hammering the validation path.
SUBMISSION_LIMIT = (5, 600)
POST_LIMIT = (30, 600)

DELIVERY_FIELDS = [
    "notified_at",
    "acknowledged_at",
    "notify_attempts",
    "last_error",
    "next_attempt_at",
]


def one_line(value: str) -> str:
    """Collapse every kind of line break and whitespace run into one space.

    E-mail headers are built from what journalists type (name, subject); a CR or LF in a
    header would be header injection, which Django refuses with an error.
    """
    return " ".join(str(value).split())


def inquiry_recipients() -> list[str]:
    """The press office addresses: the newsroom settings' list, else PRESS_OFFICE_EMAIL."""
    configured = NewsroomSettings.load().inquiry_recipients
    recipients = [one_line(address) for address in configured.split(",") if address.strip()]
    return recipients or [settings.PRESS_OFFICE_EMAIL]


def region_choices() -> list:
    """Regional groupings with their countries, as optgroups for a select.

    One query, cached until any content changes (a region added in the admin shows in
    the form at once).
    """

    def build():
        rows = list(Region.objects.order_by("name").values_list("id", "slug", "name", "parent_id"))
        groupings = [row for row in rows if row[3] is None]
        choices = [("", "Not specific to a region")]
        for grouping_id, slug, name, _ in groupings:
            countries = [(r[1], r[2]) for r in rows if r[3] == grouping_id]
            choices.append((name, [(slug, f"{name} (whole region)"), *countries]))
        return choices

    return cached("press-region-choices", build)


def _retry_delay(attempts: int) -> timedelta:
    # The exponent is bounded so a large attempt count cannot overflow timedelta.
    return min(RETRY_BASE * 2 ** min(max(attempts - 1, 0), 16), RETRY_CAP)


@transaction.atomic
def inquiry_submit(
    *,
    data: dict,
    ip: str | None,
    user_agent: str,
    spam_reason: str = "",
    rate_limit_skipped: bool = False,
) -> MediaInquiry:
    """Store a media inquiry from the public form and, unless it is spam, schedule e-mail.

    ``data`` is the form's cleaned data. Suspected spam is stored with its reason and
    no e-mail goes out; staff can rescue it with ``inquiry_mark_not_spam``. An inquiry
    taken while the rate limit could not be checked is flagged for review.
    """
    region_slug = data.get("region") or ""
    region = Region.objects.filter(slug=region_slug).first() if region_slug else None
    inquiry = MediaInquiry.objects.create(
        name=one_line(data["name"]),
        email=data["email"],
        outlet=one_line(data["outlet"]),
        phone=one_line(data.get("phone") or ""),
        deadline=data.get("deadline"),
        subject=one_line(data["subject"]),
        message=data["message"],
        region=region,
        topic=one_line(data.get("topic") or ""),
        consent=bool(data.get("consent")),
        status=MediaInquiry.Status.SPAM if spam_reason else MediaInquiry.Status.NEW,
        spam_reason=spam_reason[:200],
        ip_address=ip or None,
        user_agent=(user_agent or "")[:300],
        rate_limit_skipped=rate_limit_skipped,
    )
    if not spam_reason:
        # robust: the inquiry is already committed; an unexpected error while e-mailing is
        # logged and left for the retry command rather than shown to the journalist as
        # a failure (which would make them send it again).
        transaction.on_commit(partial(inquiry_notify, inquiry=inquiry), robust=True)
    return inquiry


def _notification_message(inquiry: MediaInquiry, recipients: list[str]) -> EmailMessage:
    context = {
        "inquiry": inquiry,
        "admin_url": settings.SITE_URL
        + reverse("admin:press_mediainquiry_change", args=[inquiry.pk]),
        "time_zone": settings.TIME_ZONE,
    }
    deadline = (
        f" (deadline {timezone.localtime(inquiry.deadline):%b %d, %H:%M})"
        if inquiry.deadline
        else ""
    )
    return EmailMessage(
        subject=one_line(f"[{inquiry.reference}] Media inquiry: {inquiry.subject}{deadline}"),
        body=render_to_string("emails/inquiry_notification.txt", context),
        to=recipients,
        reply_to=[inquiry.email],
    )


def _acknowledgement_message(inquiry: MediaInquiry) -> EmailMessage:
    newsroom = NewsroomSettings.load()
    context = {"inquiry": inquiry, "newsroom": newsroom, "time_zone": settings.TIME_ZONE}
    return EmailMessage(
        subject=one_line(f"We received your inquiry {inquiry.reference}"),
        body=render_to_string("emails/inquiry_acknowledgement.txt", context),
        to=[inquiry.email],
        reply_to=[newsroom.press_email],
    )


def inquiry_notify(*, inquiry: MediaInquiry) -> bool:
    """Send whatever is still unsent for an inquiry: the press office's notification
    and the journalist's acknowledgement. Returns True when both have gone out.

    Safe to call again: each e-mail is sent once, its time recorded. A failure is
    recorded (``last_error``, ``notify_attempts``, ``next_attempt_at``) instead of raised.
    """
    if inquiry.status == MediaInquiry.Status.SPAM:
        return False
    now = timezone.now()
    errors = []
    updates = {}
    if inquiry.notified_at is None:
        try:
            _notification_message(inquiry, inquiry_recipients()).send()
        except MAIL_ERRORS as error:
            logger.warning("Press office notification for %s failed: %r", inquiry.reference, error)
            errors.append(f"press office: {error!r}")
        else:
            updates["notified_at"] = now
    if inquiry.acknowledged_at is None:
        try:
            _acknowledgement_message(inquiry).send()
        except MAIL_ERRORS as error:
            logger.warning("Acknowledgement for %s failed: %r", inquiry.reference, error)
            errors.append(f"acknowledgement: {error!r}")
        else:
            updates["acknowledged_at"] = now
    attempts = inquiry.notify_attempts + 1
    updates.update(
        notify_attempts=F("notify_attempts") + 1,
        last_error="; ".join(errors)[:500],
        next_attempt_at=now + _retry_delay(attempts) if errors else None,
    )
    # An UPDATE of these columns only, so a press officer editing the inquiry at the same
    # moment loses nothing.
    MediaInquiry.objects.filter(pk=inquiry.pk).update(**updates)
    inquiry.refresh_from_db(fields=DELIVERY_FIELDS)
    return not errors


def inquiries_retry_notifications(*, limit: int = 100) -> tuple[int, int]:
    """Retry due, unsent inquiry e-mails; returns (succeeded, failed).

    Each inquiry is locked while it is handled, and on PostgreSQL a row another run holds
    is skipped, so overlapping cron runs never send the same e-mail twice.
    """
    due = MediaInquiry.objects.pending_notification(max_attempts=MAX_NOTIFY_ATTEMPTS)
    succeeded = failed = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            candidates = due.filter(pk=pk).order_by()
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            inquiry = candidates.first()
            if inquiry is None:
                continue
            if inquiry_notify(inquiry=inquiry):
                succeeded += 1
            else:
                failed += 1
    return succeeded, failed


@transaction.atomic
def inquiry_mark_not_spam(*, inquiry: MediaInquiry) -> MediaInquiry:
    """Rescue an inquiry the form took for spam: back to new, and tell everyone now."""
    inquiry.status = MediaInquiry.Status.NEW
    inquiry.spam_reason = ""
    inquiry.notify_attempts = 0
    inquiry.next_attempt_at = None
    inquiry.save(
        update_fields=["status", "spam_reason", "notify_attempts", "next_attempt_at", "updated_at"]
    )
    transaction.on_commit(partial(inquiry_notify, inquiry=inquiry), robust=True)
    return inquiry


def inquiries_mark_spam(*, inquiries, user) -> int:
    """Move inquiries to spam, noting who did it; nothing is deleted."""
    return inquiries.exclude(status=MediaInquiry.Status.SPAM).update(
        status=MediaInquiry.Status.SPAM,
        spam_reason=f"Marked as spam by {user.get_username()}"[:200],
        updated_at=timezone.now(),
    )


def inquiries_assign(*, inquiries, assignee) -> int:
    """Give inquiries to a press officer; new ones become in progress."""
    now = timezone.now()
    inquiries.filter(status=MediaInquiry.Status.NEW).update(
        status=MediaInquiry.Status.IN_PROGRESS, updated_at=now
    )
    return inquiries.update(assignee=assignee, updated_at=now)


def inquiries_mark_answered(*, inquiries) -> int:
    now = timezone.now()
    return inquiries.exclude(status=MediaInquiry.Status.SPAM).update(
        status=MediaInquiry.Status.ANSWERED, answered_at=now, updated_at=now
    )


class RateLimit:
    """A fixed-window counter per key in Django's cache (Redis in production).

    ``cache.add`` then ``cache.incr`` keeps it atomic on Redis. It fails open: while the
    cache is down nothing is counted and nothing is refused (``checked()`` says so), so a
    journalist is never turned away because Redis is.
    """

    def __init__(self, name: str, limit: int, window: int):
        self.name, self.limit, self.window = name, limit, window

    def _key(self, ident: str) -> str:
        return f"ratelimit:{self.name}:{ident}"

    @staticmethod
    def checked() -> bool:
        """False when the last counts could not be read or written."""
        return cache_available()

    def exceeded(self, ident: str) -> bool:
        return (cache.get(self._key(ident)) or 0) >= self.limit

    def hit(self, ident: str) -> int:
        key = self._key(ident)
        if cache.add(key, 1, self.window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:
            # Expired between add and incr: start a new window.
            cache.set(key, 1, self.window)
            return 1


inquiry_submissions = RateLimit("inquiry-submit", *SUBMISSION_LIMIT)
inquiry_posts = RateLimit("inquiry-post", *POST_LIMIT)
