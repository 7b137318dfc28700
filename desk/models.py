"""What the editorial desk keeps about edits: every saved version of an article, and who
has it open in the editor right now. Imported by ``articles.models``; the logic that
writes and reads them is in ``desk.revisions`` and ``desk.edit_locks``."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# A lock lives this long after its last heartbeat (the editor's page sends one every
# 30 seconds): closing the tab, losing the network or a browser without JavaScript
# frees the article within two minutes, with no job to clean up.
LOCK_LIFETIME = timedelta(minutes=2)


class ArticleRevision(models.Model):
    """One saved version of an article: its content and metadata as a JSON snapshot
    (``desk.revisions.snapshot``), numbered per article from 1.

    The snapshot keeps names beside ids (regions, topics, photo, attachments, related,
    spokespeople), so an old version still reads right after a photo or region is
    deleted. ``version`` is what the change form's optimistic concurrency compares.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField(help_text="1 for the first saved version.")
    snapshot = models.JSONField(help_text="The article's fields and relations as saved.")
    # Set by the server, never typed: no date bound needed (core.fields).
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the article was changed outside the admin (import, script).",
    )
    message = models.CharField(
        max_length=500, blank=True, help_text="What happened: saved, published, restored…"
    )
    was_live = models.BooleanField(
        default=False, help_text="Whether this version was the public one when saved."
    )

    class Meta:
        ordering = ["article", "-version"]
        db_table = "articles_articlerevision"  # kept from when the model lived in articles
        get_latest_by = "version"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "version"], name="article_revision_unique_version"
            ),
        ]

    def __str__(self):
        return f"{self.snapshot.get('title', self.article_id)} (version {self.version})"


class ArticleEditLock(models.Model):
    """Who has an article's change form open, since when, and their last heartbeat.

    Advisory: it tells others "Being edited by Ana since 10:02" and never blocks a save
    (the revision version does that). Expires ``LOCK_LIFETIME`` after the last heartbeat.
    """

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="edit_lock"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now, editable=False)
    heartbeat_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "edit lock"
        db_table = "articles_articleeditlock"  # kept from when the model lived in articles

    def __str__(self):
        return f"{self.article_id} edited by {self.user}"

    @property
    def expires_at(self):
        return self.heartbeat_at + LOCK_LIFETIME

    def is_active(self, now=None):
        return self.expires_at > (now or timezone.now())


class ArticlePendingChange(models.Model):
    """Changes to a live article that wait for an editor (``desk.pending``).

    With "two people for every publication" on, a save of a live article's content keeps
    the article's row, and so the public page, feeds, sitemap, search and alerts, as they
    are and stores the edited version here instead: one per article, replaced by each
    later save. Approving applies it as a normal revision; sending it back keeps it (with
    the editor's note) for its writer to rework or withdraw, so nothing typed is lost.
    """

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="pending_change"
    )
    snapshot = models.JSONField(
        help_text="The proposed version, in the shape of a revision's snapshot."
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Counts the saves of this pending version (stale-save guard)."
    )
    base_version = models.PositiveIntegerField(
        help_text="The article's revision the changes were made against."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Whose changes these are: they may not approve them themselves.",
    )
    # The writer's answer to "what kind of change is this?" (desk.corrections); the
    # approving editor may change it.
    change_kind = models.CharField(max_length=20, blank=True)
    change_note = models.TextField(blank=True)
    notify_subscribers = models.BooleanField(default=False)
    rejected_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejection_note = models.TextField(blank=True)

    class Meta:
        verbose_name = "pending change"
        db_table = "articles_articlependingchange"  # kept from when the model lived in articles

    def __str__(self):
        return f"Pending changes to article {self.article_id}"

    @property
    def is_waiting(self):
        """Waiting for an editor (not sent back to its writer)."""
        return self.rejected_at is None


# The workflow's record of every state change, and what each translation was made from
# (its source's revision, for telling it is stale), kept beside the models they record.
from desk.translation_models import TranslationBase  # noqa: E402, F401
from desk.workflow_models import ArticleTransition  # noqa: E402, F401
