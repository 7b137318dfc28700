"""Public notes on articles: corrections, clarifications and updates.

A serious newsroom does not correct silently. When the title, summary or text of a live
article changes, the change form asks what kind of change it is (``desk.corrections``)
and records the answer here. Corrections and clarifications show at the top of the
article and on ``/news/corrections/``; updates show at its foot.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import BoundedDateTimeField


def updated_time(current, *changes):
    """An article's "Updated" time after public changes published at ``changes``: the
    latest of them and ``current``, never earlier. One rule for every route: the admin's
    corrections, clarifications and updates and the importer's notes."""
    return max((moment for moment in (current, *changes) if moment is not None), default=None)


class ArticleNoteQuerySet(models.QuerySet):
    def public(self):
        """Notes of the page language's live articles: notes of articles that are not live
        are seen by nobody outside the newsroom."""
        # The article model through the foreign key: models.py imports this module.
        articles = self.model._meta.get_field("article").related_model.objects
        return self.filter(article__in=articles.listed())

    def corrections(self):
        """Corrections and clarifications: what ``/news/corrections/`` lists."""
        return self.filter(kind__in=ArticleNote.AT_TOP)


class ArticleNote(models.Model):
    """A correction, clarification or update published with an article."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")

    # Shown at the top of the article and listed on the corrections page; updates are
    # shown at its foot.
    AT_TOP = (Kind.CORRECTION, Kind.CLARIFICATION)

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(
        max_length=20,
        choices=Kind,
        help_text="A correction fixes an error of fact; a clarification makes something "
        "clearer that could be misread; an update adds what happened since.",
    )
    text = models.TextField(
        max_length=1000,
        help_text="Plain text, shown to readers after the kind and date, e.g. “An earlier "
        "version said 36 people; the figure is 63.”",
    )
    published_at = BoundedDateTimeField(
        "time",
        default=timezone.now,
        help_text="When the note was published, in the newsroom's time zone "
        f"({settings.TIME_ZONE}).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleNoteQuerySet.as_manager()

    class Meta:
        verbose_name = "public note"
        verbose_name_plural = "public notes"
        ordering = ["published_at", "id"]
        get_latest_by = "published_at"
        indexes = [
            # The corrections page: its kinds, newest first.
            models.Index(fields=["kind", "-published_at", "-id"], name="articlenote_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""),
                name="articlenote_text_not_empty",
                violation_error_message="A public note needs its text.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["correction", "clarification", "update"]),
                name="articlenote_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to “{self.article}”"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#note-{self.pk}"

    @property
    def at_top(self):
        return self.kind in self.AT_TOP
