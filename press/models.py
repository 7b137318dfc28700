"""The press office: the people journalists can reach and quote, and their inquiries."""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.datetimes import in_two_zones, in_zone, zone_choices
from core.fields import BoundedDateTimeField
from core.languages import default_language
from core.phones import international_phone_validator
from outbox.models import Message


def format_deadline(value) -> str:
    """A time as the press office reads it, in the newsroom's zone with its offset, e.g.
    "Tuesday, December 1, 2026, 4:00 PM (America/New_York, UTC-05:00)"."""
    return in_zone(value)


def outbox_state(rows) -> str:
    """Where an e-mail stands in the outbox (``outbox.Message`` rows about it), in the
    words the admin shows staff; the same for an inquiry's own e-mails and for the
    replies and notices on its thread."""
    if not rows:
        return "Queued"
    if all(row.state == Message.State.SENT for row in rows):
        return "Sent"
    for row in rows:
        if row.state == Message.State.GAVE_UP:
            return f"Failed, gave up after {row.attempts} attempts"
    for row in rows:
        if row.state == Message.State.RETRYING:
            return f"Failed, retrying at {format_deadline(row.next_attempt_at)}"
    if any(row.state == Message.State.SENDING for row in rows):
        return "Sending"
    return "Queued"


# A contact card keeps the family and given names apart (vCard's N), and no rule splits a
# full name right in every culture ("Li Wei", "Gabriel García Márquez"), so staff say.
NAME_HELP = "The full name as it is shown, e.g. “Inés Calder”."
GIVEN_NAME_HELP = (
    "For contact cards: the given name(s), e.g. “Inés”. Empty for someone known by one name."
)
FAMILY_NAME_HELP = (
    "For contact cards: the family name, however many words, e.g. “Calder” or “García "
    "Márquez”; for someone known by one name, that name."
)


class Spokesperson(models.Model):
    """Someone journalists can request for an interview, quoted in articles."""

    name = models.CharField(max_length=150, help_text=NAME_HELP)
    given_name = models.CharField(max_length=150, blank=True, help_text=GIVEN_NAME_HELP)
    family_name = models.CharField(max_length=150, help_text=FAMILY_NAME_HELP)
    slug = models.SlugField(max_length=160, unique=True)
    role = models.CharField(max_length=200, help_text='For example "Americas Director".')
    expertise = models.TextField(
        blank=True, help_text="Subjects this person can speak on, one short paragraph."
    )
    languages = models.CharField(
        max_length=200, blank=True, help_text='Languages for interviews, e.g. "English, Spanish".'
    )
    topics = models.CharField(
        max_length=300,
        blank=True,
        help_text='Topics this person speaks to, comma-separated, e.g. "Refugees and '
        'migrants, Detention".',
    )
    email = models.EmailField(
        "direct e-mail",
        blank=True,
        help_text="Shown publicly. Empty: journalists go through the press office.",
    )
    phone = models.CharField(
        "direct phone",
        max_length=40,
        blank=True,
        validators=[international_phone_validator],
        help_text="Shown publicly, with the country code. Empty: not shown.",
    )
    photo = models.ForeignKey(
        "media_library.Photo",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spokespeople",
        help_text="A portrait from the media library.",
    )
    regions = models.ManyToManyField(
        "articles.Region",
        blank=True,
        related_name="spokespeople",
        help_text="Regions and countries this person speaks to.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Untick to hide from the press contacts page."
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "spokespeople"

    def __str__(self):
        return f"{self.name}, {self.role}"

    def get_absolute_url(self):
        return reverse("press:contacts") + f"#{self.slug}"

    @property
    def topic_list(self):
        return split_topics(self.topics)


def split_topics(value: str) -> list[str]:
    """ "Death penalty, Torture" → ["Death penalty", "Torture"]."""
    return [topic.strip() for topic in value.split(",") if topic.strip()]


def _default_time_zone():
    return settings.TIME_ZONE


def _time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PressContactQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class PressContact(models.Model):
    """A member of the press office whom journalists can call or write to directly."""

    name = models.CharField(max_length=150, help_text=NAME_HELP)
    given_name = models.CharField(max_length=150, blank=True, help_text=GIVEN_NAME_HELP)
    family_name = models.CharField(max_length=150, help_text=FAMILY_NAME_HELP)
    role = models.CharField(max_length=200, help_text='For example "Press Officer, Americas".')
    email = models.EmailField(help_text="Shown publicly on the press contacts page.")
    phone = models.CharField(
        max_length=40,
        blank=True,
        validators=[international_phone_validator],
        help_text="Shown publicly; include the country code.",
    )
    regions = models.ManyToManyField(
        "articles.Region",
        blank=True,
        related_name="press_contacts",
        help_text="Regions and countries this contact covers.",
    )
    topics = models.CharField(
        max_length=300,
        blank=True,
        help_text='Topics covered, comma-separated, e.g. "Refugees and migrants, Death penalty".',
    )
    time_zone = models.CharField(
        max_length=64,
        choices=_time_zone_choices,
        default=_default_time_zone,
        help_text="Where this contact works, so journalists know when to call.",
    )
    sort_order = models.PositiveIntegerField(
        default=0, help_text="Lower numbers are listed first."
    )
    is_active = models.BooleanField(
        default=True, help_text="Untick to hide from the press contacts page."
    )

    objects = PressContactQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return f"{self.name}, {self.role}"

    @property
    def topic_list(self):
        return split_topics(self.topics)


def urgency_ordering() -> list:
    """The press desk's order: open inquiries first, the most overdue or soonest due on
    top and those without a deadline after them; answered, closed and spam last, newest
    first. The inquiry admin's default order."""
    open_statuses = [MediaInquiry.Status.NEW, MediaInquiry.Status.IN_PROGRESS]
    settled = models.Case(
        models.When(status__in=open_statuses, then=models.Value(0)), default=models.Value(1)
    )
    return [settled.asc(), models.F("deadline").asc(nulls_last=True), "-created_at"]


class MediaInquiryQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[MediaInquiry.Status.NEW, MediaInquiry.Status.IN_PROGRESS])

    def overdue(self, *, at=None):
        """Open inquiries whose deadline has passed."""
        return self.open().filter(deadline__lt=at or timezone.now())

    def due_today(self, *, at=None):
        """Open inquiries whose deadline is still ahead today, in the newsroom's time zone."""
        now = at or timezone.now()
        local = timezone.localtime(now)
        tomorrow = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return self.open().filter(deadline__gte=now, deadline__lt=tomorrow)

    def unassigned(self):
        """Open inquiries nobody has taken on."""
        return self.open().filter(assignee__isnull=True)

    def by_urgency(self):
        """See ``urgency_ordering``."""
        return self.order_by(*urgency_ordering())

    def notification_failed(self):
        """Real inquiries whose notification to the press office the outbox could not
        send yet, or gave up on."""
        failed = Message.objects.filter(
            kind="press.inquiry_notification",
            state__in=[Message.State.RETRYING, Message.State.GAVE_UP],
        )
        return self.exclude(status=MediaInquiry.Status.SPAM).filter(
            pk__in=failed.values("object_id")
        )

    def unsent(self):
        """Real inquiries with an e-mail (notification or acknowledgement) not yet queued
        in the outbox."""
        return self.exclude(status=MediaInquiry.Status.SPAM).filter(
            models.Q(notified_at__isnull=True) | models.Q(acknowledged_at__isnull=True)
        )

    def delivery_gave_up(self):
        """Real inquiries with an e-mail the outbox gave up on: for staff to re-send."""
        gave_up = Message.objects.filter(
            kind__in=["press.inquiry_notification", "press.inquiry_acknowledgement"],
            state=Message.State.GAVE_UP,
        )
        return self.exclude(status=MediaInquiry.Status.SPAM).filter(
            pk__in=gave_up.values("object_id")
        )


class MediaInquiry(models.Model):
    """A journalist's question to the press office, from the public inquiry form.

    Stored before anything else can fail: the e-mail to the press office and the
    acknowledgement to the journalist are queued in the outbox by a background task
    enqueued after the transaction commits (``press/tasks.py``). Each queued e-mail is
    recorded here (``notified_at``, ``acknowledged_at``) so that a retried or duplicated
    task never queues it twice; the outbox sends and retries it. Suspected spam is kept,
    with the reason, so that staff can rescue a real journalist.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in-progress", "In progress"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Spam"

    name = models.CharField(max_length=150)
    email = models.EmailField("e-mail", max_length=254)
    outlet = models.CharField("outlet or organisation", max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    deadline = BoundedDateTimeField(
        null=True,
        blank=True,
        help_text="When the journalist needs an answer (stored in UTC, shown in the "
        "newsroom's time zone).",
    )
    time_zone = models.CharField(
        "journalist's time zone",
        max_length=64,
        blank=True,
        choices=zone_choices,
        help_text="The zone the journalist gave their deadline in; their acknowledgement "
        "repeats it there. Empty: the newsroom's.",
    )
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    language = models.CharField(
        max_length=10,
        default=default_language,
        help_text="The language of the form the inquiry was sent from (/es/press/inquiry/: "
        "Spanish): the journalist's acknowledgement is written in it.",
    )
    region = models.ForeignKey(
        "articles.Region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_inquiries",
    )
    topic = models.CharField(max_length=100, blank=True)
    consent = models.BooleanField(
        default=False, help_text="The journalist agreed to be contacted about this inquiry."
    )
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.NEW,
        help_text="Spam is kept, not deleted: use “Not spam” to rescue a real inquiry.",
    )
    spam_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the form treated this as spam."
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_inquiries",
        limit_choices_to={"is_staff": True, "is_active": True},
        help_text="Who in the press office answers this.",
    )
    ip_address = models.GenericIPAddressField(
        "IP address", null=True, blank=True, help_text="For spotting abuse only."
    )
    rate_limit_skipped = models.BooleanField(
        "sent while rate limits were off",
        default=False,
        help_text="Taken while the cache was down, so the per-address limit could not be "
        "checked: look out for floods from one address.",
    )
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    answered_at = BoundedDateTimeField(null=True, blank=True)
    notified_at = BoundedDateTimeField(
        "press office notified",
        null=True,
        blank=True,
        help_text="When the e-mail to the press office was queued in the outbox.",
    )
    acknowledged_at = BoundedDateTimeField(
        "journalist acknowledged",
        null=True,
        blank=True,
        help_text="When the acknowledgement with the reference was queued for the journalist.",
    )
    submission_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The form's single-use token: a second POST of the same form finds this "
        "inquiry instead of storing another.",
    )

    # What the outbox holds for this inquiry (its notification and acknowledgement).
    outbox_mails = GenericRelation(Message, related_query_name="inquiry")

    objects = MediaInquiryQuerySet.as_manager()

    class Meta:
        verbose_name = "media inquiry"
        verbose_name_plural = "media inquiries"
        # Soonest deadline first; inquiries without a deadline after, newest first.
        ordering = [models.F("deadline").asc(nulls_last=True), "-created_at"]
        get_latest_by = "created_at"
        indexes = [
            models.Index(fields=["status", "deadline"], name="inquiry_status_deadline_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_key"],
                condition=~models.Q(submission_key=""),
                name="inquiry_submission_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.subject}"

    @property
    def reference(self):
        """The number the journalist quotes back, e.g. MI-2026-00042."""
        if self.pk is None:
            return ""
        year = (self.created_at or timezone.now()).year
        return f"MI-{year}-{self.pk:05d}"

    @property
    def deadline_text(self):
        """The deadline as every e-mail to staff and the admin write it, e.g. "Tuesday,
        December 1, 2026, 4:00 PM (America/New_York, UTC-05:00)"; empty without one."""
        return format_deadline(self.deadline) if self.deadline else ""

    @property
    def deadline_both_zones(self):
        """The deadline in the journalist's zone and the newsroom's, each with its offset;
        empty without one."""
        return in_two_zones(self.deadline, self.time_zone) if self.deadline else ""

    @property
    def delivery_state(self):
        """Where this inquiry's e-mails stand, in the words the admin shows staff."""
        if self.status == self.Status.SPAM:
            return "Not sent: spam"
        return outbox_state(list(self.outbox_mails.all()))

    @property
    def is_open(self):
        return self.status in (self.Status.NEW, self.Status.IN_PROGRESS)

    @property
    def is_overdue(self):
        return self.deadline is not None and self.is_open and self.deadline < timezone.now()

    def countdown(self, *, now=None) -> str:
        """How long until the deadline of an open inquiry, as the press office scans it:
        "due in 3 h", "overdue by 20 min"; empty when answered, closed or without one."""
        if self.deadline is None or not self.is_open:
            return ""
        left = self.deadline - (now or timezone.now())
        span = describe_span(abs(left))
        return f"due in {span}" if left >= timedelta(0) else f"overdue by {span}"


def describe_span(span: timedelta) -> str:
    """A length of time, rounded down to the unit that matters at that scale: minutes
    under an hour, hours under two days, then days."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    days = hours // 24
    return f"{days} days"


class InquiryNote(models.Model):
    """A staff-only, timestamped note on a media inquiry: who called whom, what was said."""

    inquiry = models.ForeignKey(MediaInquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(max_length=5000, help_text="Internal: never shown to the journalist.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note on {self.inquiry.reference}"


class InquiryMessageQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)


class InquiryMessage(models.Model):
    """An e-mail the press office sends about an inquiry: a reply to the journalist, or
    the notice to a press officer that the inquiry was given to them.

    The row is the thread's record: it is stored (with the
    officer's text) before anything is sent, then a task (``press/tasks.py``) queues it
    in the outbox under a de-duplication key; ``sent_at`` is recorded when the outbox
    has sent it, so a reply is never lost and never sent twice.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply to the journalist"
        ASSIGNMENT = "assignment", "Assignment notice"

    inquiry = models.ForeignKey(MediaInquiry, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The press officer who wrote the reply or made the assignment.",
    )
    recipient = models.EmailField(max_length=254, help_text="Where the e-mail goes.")
    body = models.TextField(
        max_length=10000,
        blank=True,
        help_text="The reply as written, in plain text. Empty for assignment notices, "
        "which are written from a template.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = BoundedDateTimeField(
        null=True, blank=True, help_text="When the mail server took it (from the outbox)."
    )

    # The outbox's row for this e-mail.
    outbox_mails = GenericRelation(Message, related_query_name="inquiry_message")

    objects = InquiryMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="reply") | ~models.Q(body=""),
                name="inquiry_reply_has_text",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.inquiry.reference}"

    @property
    def delivery_state(self):
        """Where this e-mail stands, in the words of the inquiry's thread."""
        if self.sent_at:
            return f"Sent {format_deadline(self.sent_at)}"
        return outbox_state(list(self.outbox_mails.all()))

    @property
    def failed(self):
        return self.sent_at is None and self.delivery_state.startswith("Failed")

    @property
    def last_error(self) -> str:
        """The outbox's last error for this e-mail, shown on the thread when it failed."""
        return " ".join(row.last_error for row in self.outbox_mails.all() if row.last_error)


class MediaKit(models.Model):
    """The stored media kit of an article: a ZIP of its downloadable photos, credits,
    attachments and text, built by a task (``press.media_kit``), never in a request.

    ``version`` hashes everything the file holds, so a kit is served only while it
    matches the article as it stands. ``queued_at`` says a build is queued, so that a
    burst of edits queues one build.
    """

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="media_kit"
    )
    version = models.CharField(max_length=64, blank=True, editable=False)
    path = models.CharField(max_length=255, blank=True, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    built_at = models.DateTimeField(null=True, blank=True, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "media kit"
        db_table = "articles_mediakit"  # kept from when the model lived in articles

    def __str__(self):
        return f"Media kit of article {self.article_id}"
