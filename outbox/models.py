"""The outbox: every e-mail the site sends is first a row here.

Apps render a mail and queue it (``outbox.services.enqueue``) in the same transaction as
whatever caused it; the worker claims due rows in batches, sends them over one SMTP
connection and records each one as the server accepts it. See docs/outbox.md.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class MessageQuerySet(models.QuerySet):
    def pending(self):
        """Not sent and not given up: queued, waiting for a retry, or being sent."""
        return self.filter(state__in=Message.PENDING_STATES)

    def due(self, *, at):
        """Pending rows whose time has come: new, a retry whose pause is over, or a
        send whose lease ran out (its worker died)."""
        return self.pending().filter(next_attempt_at__lte=at)

    def about(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Message(models.Model):
    """One outgoing e-mail, rendered, with its delivery state.

    ``next_attempt_at`` is when a worker may take the row: at once for a new one, after
    the retry pause for a failed one, and when the lease ends for one being sent (set to
    ``leased_until`` by the claim), so one index finds every kind of due work.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Failed, will retry"
        GAVE_UP = "gave_up", "Given up"

    PENDING_STATES = (State.QUEUED, State.SENDING, State.RETRYING)

    kind = models.CharField(
        max_length=60,
        help_text="What sort of mail this is, named by the app that queued it "
        '(e.g. "alerts.alert", "press.reply").',
    )
    recipients = models.TextField(help_text="The To addresses, one a line.")
    from_email = models.CharField("from", max_length=320)
    reply_to = models.TextField(blank=True, help_text="Reply-To addresses, one a line.")
    subject = models.CharField(max_length=998)
    body = models.TextField(help_text="The plain-text body.")
    html_body = models.TextField(blank=True, help_text="An HTML alternative, if any.")
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=False, editable=False)
    leased_by = models.CharField(
        max_length=32, blank=True, help_text="The worker sending this right now."
    )
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    dedup_key = models.CharField(
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text="One logical mail (e.g. an alert for one subscription about one "
        "article) is queued at most once under this key.",
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        verbose_name = "outgoing e-mail"
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state__in=["queued", "sending", "retrying"]),
                name="outbox_due_idx",
            ),
            models.Index(fields=["content_type", "object_id"], name="outbox_about_idx"),
            models.Index(fields=["state", "kind"], name="outbox_state_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="sent", sent_at__isnull=False) | ~models.Q(state="sent"),
                name="outbox_sent_has_time",
            ),
        ]

    def __str__(self):
        recipients = self.recipient_list
        return f"{self.kind} to {recipients[0] if recipients else '?'}"

    @property
    def recipient_list(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line]


class WorkerHeartbeat(models.Model):
    """A running worker says it is alive every few seconds (``manage.py worker``);
    ``/healthz`` reads the newest beat, and a task left running by a worker that stopped
    beating is marked failed by the next worker."""

    worker_id = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField(editable=False)
    started_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-beat_at"]
        get_latest_by = "beat_at"

    def __str__(self):
        return f"Worker {self.worker_id}"
