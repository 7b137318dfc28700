"""The record of an article's way through review and publication (``desk.workflow``
writes it; the change form shows it as a timeline)."""

from django.conf import settings
from django.db import models

from articles.states import State


class ArticleTransition(models.Model):
    """One change of an article's state: who, when, from what to what, and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "Submitted for review"
        APPROVE = "approve", "Approved"
        APPROVE_PUBLISH = "approve_publish", "Approved and published"
        APPROVE_SCHEDULE = "approve_schedule", "Approved and scheduled"
        REQUEST_CHANGES = "request_changes", "Requested changes"
        PUBLISH = "publish", "Published"
        SCHEDULE = "schedule", "Scheduled"
        UNPUBLISH = "unpublish", "Unpublished"
        REPUBLISH_AS_NEW = "republish_as_new", "Republished as new"
        REVISE = "revise", "Edited after approval: back in review"
        PROPOSE_CHANGES = "propose_changes", "Changed while live: changes wait for review"
        APPROVE_CHANGES = "approve_changes", "Approved the pending changes"
        REJECT_CHANGES = "reject_changes", "Sent the pending changes back"
        WITHDRAW_CHANGES = "withdraw_changes", "Withdrew the pending changes"

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(max_length=20, choices=Action)
    from_state = models.CharField(max_length=20, choices=State)
    to_state = models.CharField(max_length=20, choices=State)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the workflow, never typed in: not editable, so outside the date bound's rule.
    at = models.DateTimeField(db_index=True, editable=False)
    comment = models.TextField(blank=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The publication time this transition set, if any.",
    )
    # When the e-mail about it was queued in the outbox (``desk.tasks.
    # notify_transition``): a retried or duplicated task finds it set and queues nothing.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        db_table = "articles_articletransition"  # kept from when the model lived in articles
        get_latest_by = "at"
        indexes = [models.Index(fields=["article", "-at"], name="transition_article_at_idx")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.article_id} at {self.at:%Y-%m-%d %H:%M}"
