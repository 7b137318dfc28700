"""Changing a live article in the open: the change form's question and the service that
records the answer.

When the title, summary or text of a live article changes, readers may deserve to know.
The change form asks what kind of change it is (``ChangeNoteForm``):

* a **correction** or a **clarification**: a public note is required, shown at the top of
  the article and on ``/news/corrections/``;
* an **update**: the note is optional and shown at the article's foot;
* a **silent fix** (a typo, formatting): readers are not told; the edit stays in the
  article's history with who made it.

All but the silent fix set the article's "Updated" date, which re-announces it in the
feeds, and send ``articles.signals.article_corrected`` after the commit. Nothing here
e-mails anyone.
"""

from datetime import datetime

from django import forms
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import get_text_list

from articles.models import Article
from articles.notes import ArticleNote, updated_time
from articles.sanitize import sanitize_html
from articles.signals import article_corrected

CHANGE_PERMISSION = "articles.change_article"

# What readers have read: changing one of these on a live article asks for a decision.
MATERIAL_FIELDS = ("title", "summary", "body")


class ChangeKind(models.TextChoices):
    CORRECTION = ArticleNote.Kind.CORRECTION.value, "Correction: an error of fact is fixed"
    CLARIFICATION = (
        ArticleNote.Kind.CLARIFICATION.value,
        "Clarification: something that could be misread is made clear",
    )
    UPDATE = ArticleNote.Kind.UPDATE.value, "Update: new information is added"
    SILENT = "silent", "Silent fix: a typo or formatting; readers are not told"


@transaction.atomic
def article_record_change(
    *,
    article: Article,
    user: AbstractBaseUser,
    kind: str,
    text: str = "",
    notify_subscribers: bool = False,
    at: datetime | None = None,
) -> ArticleNote | None:
    """Record what kind of change was just made to live ``article``.

    A correction or clarification needs ``text``; an update may have it. Either sets the
    article's "Updated" time; a silent fix changes nothing public and is only logged.
    Returns the note, if one was published.
    """
    if not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(f"{user} may not change articles.")
    if kind not in ChangeKind.values:
        raise ValueError(f"{kind!r} is not a kind of change")
    text = text.strip()
    if kind == ChangeKind.SILENT:
        log_change(user, article, "Silent fix: no public note.")
        return None
    if kind in ArticleNote.AT_TOP and not text:
        raise ValidationError("A correction or clarification needs its note.")
    now = at or timezone.now()
    note = None
    if text:
        note = ArticleNote(
            article=article, kind=kind, text=text, published_at=now, created_by=user
        )
        note.full_clean()
        note.save()
    article.substantively_updated_at = updated_time(article.substantively_updated_at, now)
    article.updated_by = user
    article.save(update_fields=["substantively_updated_at", "updated_by", "updated_at"])
    told = " Subscribers to be told." if notify_subscribers else ""
    log_change(user, article, f"Published a public {ChangeKind(kind).name.lower()}.{told}")
    transaction.on_commit(
        lambda: article_corrected.send(
            sender=Article, article=article, note=note, notify_subscribers=notify_subscribers
        )
    )
    return note


def log_change(user, article, message):
    """An entry in the article's admin history ("History"), for a change made here."""
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[article],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )


class ChangeNoteForm(forms.Form):
    """The question the article form asks when a live article's content changes.

    Shown on every live article (so it works without JavaScript); answering is required
    only when the title, summary or text actually changed and the article stays live.
    After a valid submit, ``change_request`` holds (kind, text, notify_subscribers) for
    the admin to pass to ``article_record_change`` once the article is saved.
    """

    change_kind = forms.ChoiceField(
        label="What kind of change is this?",
        choices=ChangeKind.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Required when you change the title, summary or text of this live "
        "article. A correction or clarification is shown at the top of the article and on "
        "the corrections page; an update at its foot.",
    )
    change_note = forms.CharField(
        label="Note to readers",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=ArticleNote._meta.get_field("text").max_length,
        help_text="Required for a correction or clarification, e.g. “An earlier version "
        "said 36 people; the figure is 63.” Plain text.",
    )
    notify_subscribers = forms.BooleanField(
        label="Tell subscribers",
        required=False,
        help_text="Send this change to the journalists who get e-mail alerts for this "
        "article. Left unticked, the article is re-announced in the feeds only.",
    )

    QUESTION_FIELDS = ("change_kind", "change_note", "notify_subscribers")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.change_request = None
        self.changed_material = []
        instance = getattr(self, "instance", None)
        self.asks_change_kind = bool(
            instance is not None and instance.pk and getattr(instance, "_loaded_live", False)
        )
        if not self.asks_change_kind:
            for name in self.QUESTION_FIELDS:
                self.fields.pop(name, None)

    def material_changes(self) -> list[str]:
        """The labels of the title, summary and text if their cleaned values differ from
        what is stored (compared as saved: the text after sanitising)."""
        changed = []
        for name in MATERIAL_FIELDS:
            if name not in self.cleaned_data or name not in self.fields:
                continue
            new = self.cleaned_data[name] or ""
            old = getattr(self.instance, name) or ""
            if name == "body":
                new, old = sanitize_html(new), sanitize_html(old)
            if new.strip() != old.strip():
                changed.append(str(self.fields[name].label or name).lower())
        return changed

    def _stays_live(self) -> bool:
        status = self.cleaned_data.get("status", self.instance.status)
        published_at = self.cleaned_data.get("published_at", self.instance.published_at)
        return (
            status == Article.Status.PUBLISHED
            and published_at is not None
            and published_at <= timezone.now()
        )

    def clean(self):
        cleaned = super().clean()
        if not self.asks_change_kind:
            return cleaned
        kind = cleaned.get("change_kind") or ""
        note = (cleaned.get("change_note") or "").strip()
        changed = self.material_changes()
        # Read before the model form fills the instance in with the new values.
        self.changed_material = changed
        if changed and self._stays_live() and not kind:
            self.add_error(
                "change_kind",
                f"This article is live and you changed its {get_text_list(changed, 'and')}: "
                "say what kind of change this is.",
            )
        if kind in ArticleNote.AT_TOP and not note:
            self.add_error(
                "change_note",
                f"A {kind} needs a note telling readers what changed, e.g. “An earlier "
                "version said 36 people; the figure is 63.”",
            )
        if kind == ChangeKind.SILENT and note:
            self.add_error(
                "change_note",
                "A silent fix publishes no note: choose correction, clarification or "
                "update to publish it, or clear the note.",
            )
        if kind and (changed or note) and not self.errors:
            self.change_request = (kind, note, bool(cleaned.get("notify_subscribers")))
        return cleaned
