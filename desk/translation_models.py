"""What a translation was made from: the source revision it is based on
(``desk.translation_status`` keeps it and compares it with the source as it is now)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TranslationBase(models.Model):
    """The source revision a translation was made from, or last marked up to date with.

    Recorded when a translation is created, by whatever route (``desk.translation_status.
    record_bases``); moved forward only by "Mark as up to date". Comparing it with the
    source's latest revision says whether the translation is out of date, and what
    changed in the source since.
    """

    translation = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="translation_base"
    )
    source_revision = models.ForeignKey(
        "desk.ArticleRevision",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The version of the source the translation follows.",
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who marked the translation up to date; empty when it was created.",
    )
    # Set by the server, never typed: no date bound needed (core.fields).
    marked_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "translation base"

    def __str__(self):
        return f"Translation {self.translation_id} based on revision {self.source_revision_id}"
