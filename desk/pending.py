"""Changes to a live article that wait for a second person.

With "two people for every publication" on (``SiteSettings.require_second_person``), a
save of a live article's content, by a writer or an editor, does not touch the article's
row: the public page, feeds, sitemap, search, embargo links and alerts all read that row
through ``Article.objects.live()``, so they keep the live text. The edited version is
kept as the article's one ``ArticlePendingChange`` (a later save replaces it) until an
editor other than its author approves it, which applies it like any admin save (a new
revision, the answer to the corrections question, the caches, the media kit, alerts for
a correction), or sends it back with a note, which keeps it for its writer.

With the setting off, edits to live articles are saved at once, as before.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.content import CONTENT_FIELDS, PUBLICATION_FIELDS
from articles.models import Article
from articles.sanitize import sanitize_html
from articles.states import State
from core.models import SiteSettings
from desk import workflow
from desk.corrections import (
    MATERIAL_FIELDS,
    ChangeKind,
    article_record_change,
    log_change,
)
from desk.models import ArticlePendingChange
from desk.revisions import ensure_current, form_initial, record_revision, snapshot
from desk.workflow import Action, TransitionRefused

CHANGE_PERMISSION = "articles.change_article"

# What a pending version may change: the content, never whether or when it is public.
CONTENT_KEYS = (
    "kind",
    "title",
    "slug",
    "summary",
    "body",
    "hero_photo",
    "hero_caption",
    "regions",
    "topics",
    "attachments",
    "related",
    "spokespeople",
    "reference_number",
)
# The plain content a pending version carries (the body, the photo and the relations are
# read apart; publication is never part of a pending version).
PLAIN_KEYS = tuple(
    field.name
    for field in CONTENT_FIELDS
    if field.kind in ("text", "choice", "value") and field.name not in PUBLICATION_FIELDS
)


def changes_wait(article: Article) -> bool:
    """Whether a content change to ``article`` must wait as a pending version: it is
    live (as stored) and two people must agree on what is published."""
    return bool(article.pk) and article.is_live and SiteSettings.load().require_second_person


def proposed_snapshot(*, article: Article, cleaned_data: dict) -> dict:
    """The revision snapshot that saving the form's ``cleaned_data`` over ``article``
    would make, without saving anything. Fields the form lacks keep their stored value."""
    data = snapshot(article)
    for key in PLAIN_KEYS:
        if key in cleaned_data:
            data[key] = cleaned_data[key] or ""
    if "body" in cleaned_data:
        data["body"] = sanitize_html(cleaned_data["body"] or "")
    if "hero_photo" in cleaned_data:
        photo = cleaned_data["hero_photo"]
        data["hero_photo"] = [photo.pk, str(photo)] if photo else None
    if "topics" in cleaned_data:
        data["topics"] = sorted(
            item if isinstance(item, str) else item.name for item in cleaned_data["topics"] or []
        )
    lists = {
        "regions": lambda region: (region.name, region.pk, region.name),
        "attachments": lambda document: (document.title, document.pk, str(document)),
        "related": lambda other: (other.title, other.pk, other.title),
        "spokespeople": lambda person: (person.name, person.pk, person.name),
    }
    for key, row in lists.items():
        if key in cleaned_data:
            rows = sorted(row(item) for item in cleaned_data[key] or [])
            data[key] = [[pk, name] for _sort, pk, name in rows]
    return data


def differs_from_live(article: Article, proposed: dict) -> bool:
    live = snapshot(article)
    return any(live.get(key) != proposed.get(key) for key in CONTENT_KEYS)


class StalePending(ValidationError):
    """The pending version changed (or was decided) since the form was opened."""


@transaction.atomic
def pending_save(
    *,
    article: Article,
    user: AbstractBaseUser,
    proposed: dict,
    opened_pending_version,
    change_request: tuple | None = None,
) -> ArticlePendingChange | None:
    """Keep ``proposed`` as ``article``'s pending version (replacing the one there), or,
    when it matches the live text again, withdraw the pending version. Returns the
    pending version, or None when there is none left.

    ``opened_pending_version`` is the pending version the form was opened with (None:
    none; ``...``: not known); another save or a decision since then refuses this one
    (``StalePending``).
    """
    if not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(f"{user} may not change articles.")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    pending = ArticlePendingChange.objects.filter(article=locked).first()
    check_fresh(pending, opened_pending_version)
    from_state = locked.state
    if not differs_from_live(locked, proposed):
        if pending is not None:
            pending.delete()
            _forget(article)
            workflow.record_step(
                article=locked, user=user, action=Action.WITHDRAW_CHANGES, from_state=from_state
            )
        return None
    kind, note, notify = change_request or ("", "", False)
    content = {key: proposed[key] for key in CONTENT_KEYS}
    unchanged = (
        pending is not None
        and pending.is_waiting
        and pending.snapshot == content
        and (pending.change_kind, pending.change_note, pending.notify_subscribers)
        == (kind, note, notify)
    )
    if unchanged:
        return pending
    now = timezone.now()
    if pending is None:
        pending = ArticlePendingChange(
            article=locked, base_version=ensure_current(locked).version, created_at=now
        )
    else:
        pending.version += 1
    pending.snapshot = content
    pending.updated_at, pending.updated_by = now, user
    pending.change_kind, pending.change_note, pending.notify_subscribers = kind, note, notify
    pending.rejected_at, pending.rejected_by, pending.rejection_note = None, None, ""
    pending.save()
    article.pending_change = pending
    article.__dict__.pop("pending_flag", None)
    # The stored article, not the caller's (which a form may have filled with the edits):
    # the step's revision and history name the live text.
    if from_state != State.LIVE_PENDING:
        locked._state.fields_cache.pop("pending_change", None)
        workflow.record_step(
            article=locked, user=user, action=Action.PROPOSE_CHANGES, from_state=from_state
        )
    else:
        log_change(user, locked, "Updated the pending changes.")
    return pending


def check_fresh(pending, opened):
    """Refuse a save based on another pending version than ``pending`` (``...``: the
    form did not say which, so nothing to check)."""
    if opened is ...:
        return
    current = pending.version if pending is not None else None
    if current == opened:
        return
    if pending is None:
        message = (
            "The pending changes you opened were approved, sent back or withdrawn while "
            "you were editing. Nothing was saved; your text is still in the form. Reload "
            "the article to see it as it is now, then make your changes again."
        )
    else:
        who = pending.updated_by.get_full_name() or pending.updated_by.get_username()
        message = (
            f"{who} saved other pending changes to this article while you were editing. "
            "Nothing was saved; your text is still in the form. Reload the article to "
            "see their version, then make your changes again."
        )
    raise StalePending(message, code="stale_pending")


def _forget(article: Article):
    """Drop the instance's cached pending version after it was deleted."""
    article.__dict__.pop("pending_flag", None)
    article._state.fields_cache.pop("pending_change", None)


def apply_snapshot(*, article: Article, data: dict) -> None:
    """Write a pending version's content over ``article`` (its row and relations).
    Photos, documents, regions and others deleted since are left out, as when a
    revision is loaded into the editor; new topics are created, as the form would."""
    initial = form_initial(data)
    for key in PLAIN_KEYS:
        setattr(article, key, data.get(key) or "")
    article.body = data.get("body") or ""
    article.hero_photo_id = initial["hero_photo"]
    article.full_clean(exclude=["published_at", "substantively_updated_at"])
    article.save()
    article.regions.set(initial["regions"])
    article.attachments.set(initial["attachments"])
    article.related.set(initial["related"])
    article.spokespeople.set(initial["spokespeople"])
    article.topics.set(list(data.get("topics") or []))


def material_changes(article: Article, data: dict) -> list[str]:
    """The labels of the title, summary and text the pending version changes."""
    names = {"title": "title", "summary": "summary", "body": "text"}
    return [
        names[key]
        for key in MATERIAL_FIELDS
        if (getattr(article, key) or "").strip() != (data.get(key) or "").strip()
    ]


@transaction.atomic
def pending_approve(
    *,
    article: Article,
    user: AbstractBaseUser,
    kind: str = "",
    note: str = "",
    notify_subscribers: bool = False,
):
    """Apply ``article``'s pending version: the live text becomes it. ``kind`` answers
    the corrections question (needed when the title, summary or text change)."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    refusal = workflow.why_not(user=user, article=locked, action=Action.APPROVE_CHANGES)
    if refusal:
        raise TransitionRefused(refusal)
    pending = locked.pending_change
    changed = material_changes(locked, pending.snapshot)
    if changed and not kind:
        raise ValidationError(
            "Say what kind of change this is: readers see corrections, clarifications and "
            "updates; a silent fix is kept in the history only.",
            code="needs_kind",
        )
    if kind and kind not in ChangeKind.values:
        raise ValidationError("Choose one of the kinds of change offered.", code="bad_kind")
    author = pending.updated_by
    locked.updated_by = author or user
    apply_snapshot(article=locked, data=pending.snapshot)
    who = (author.get_full_name() or author.get_username()) if author else "someone"
    record_revision(article=locked, user=user, message=f"Approved the changes by {who}.")
    if kind:
        article_record_change(
            article=locked,
            user=user,
            kind=kind,
            text=note,
            notify_subscribers=notify_subscribers,
        )
    pending.delete()
    _forget(locked)
    transition = workflow.record_step(
        article=locked, user=user, action=Action.APPROVE_CHANGES, from_state=State.LIVE_PENDING
    )
    article.refresh_from_db()
    _forget(article)
    return transition


@transaction.atomic
def pending_reject(*, article: Article, user: AbstractBaseUser, comment: str):
    """Send ``article``'s pending version back to its writer with ``comment``; it stays
    for them to rework or withdraw, and the live text is unchanged."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    refusal = workflow.why_not(
        user=user, article=locked, action=Action.REJECT_CHANGES, comment=comment
    )
    if refusal:
        raise TransitionRefused(refusal)
    pending = locked.pending_change
    pending.rejected_at, pending.rejected_by = timezone.now(), user
    pending.rejection_note = comment.strip()
    pending.save()
    _forget(article)
    return workflow.record_step(
        article=locked,
        user=user,
        action=Action.REJECT_CHANGES,
        from_state=State.LIVE_PENDING,
        comment=comment,
    )


@transaction.atomic
def pending_withdraw(*, article: Article, user: AbstractBaseUser):
    """Drop ``article``'s pending version: the live text stays what it is."""
    if not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(f"{user} may not change articles.")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    from_state = locked.state
    deleted, _ = ArticlePendingChange.objects.filter(article=locked).delete()
    _forget(article)
    if not deleted:
        return None
    return workflow.record_step(
        article=locked, user=user, action=Action.WITHDRAW_CHANGES, from_state=from_state
    )
