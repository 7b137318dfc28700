"""Review and publication: the one place that says who may move an article from which
state to which, and that moves it.

Every route goes through ``why_not`` and ``perform``: the change form's buttons, the list
actions, a crafted POST and code calling the services. ``why_not`` answers in words a
person can act on, so a route that refuses shows exactly that; ``perform`` asks it again
under the row's lock, so two people pressing buttons at once cannot both win.

Roles are permissions (``core.roles``): writers hold ``articles.change_article`` and may
submit for review; editors also hold ``articles.publish_article`` and decide what is
public. With ``SiteSettings.require_second_person`` on, whoever wrote or last edited an
article cannot approve, publish or schedule it: a second editor must; and a change to a
live article, an editor's included, waits as a pending version (``desk.pending``)
until another editor approves it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.states import ReviewState, State
from core.datetimes import describe_moment
from core.models import SiteSettings
from core.validators import validate_date_in_range
from desk.emails import TELLS_EDITORS, TELLS_WRITER
from desk.revisions import record_revision
from desk.tasks import notify_transition
from desk.workflow_models import ArticleTransition

PUBLISH_PERMISSION = "articles.publish_article"
CHANGE_PERMISSION = "articles.change_article"

Action = ArticleTransition.Action


@dataclass(frozen=True)
class Rule:
    """One transition: its button, the states it starts from and what it needs."""

    label: str
    sources: frozenset
    permission: str
    # Approving someone's text: the two-person setting applies.
    approves: bool = False
    needs_comment: bool = False
    needs_time: bool = False
    # Pressed on the pending changes' own page (with their diff), not in the change form,
    # whose buttons save the form first.
    in_form: bool = True


_NOT_PUBLIC = frozenset({State.DRAFT, State.APPROVED, State.UNPUBLISHED})

RULES = {
    Action.SUBMIT: Rule(
        "Submit for review",
        frozenset({State.DRAFT, State.CHANGES_REQUESTED, State.UNPUBLISHED}),
        CHANGE_PERMISSION,
    ),
    Action.APPROVE_PUBLISH: Rule(
        "Approve and publish", frozenset({State.IN_REVIEW}), PUBLISH_PERMISSION, approves=True
    ),
    Action.APPROVE_SCHEDULE: Rule(
        "Approve and schedule for …",
        frozenset({State.IN_REVIEW}),
        PUBLISH_PERMISSION,
        approves=True,
        needs_time=True,
    ),
    Action.APPROVE: Rule(
        "Approve", frozenset({State.IN_REVIEW}), PUBLISH_PERMISSION, approves=True
    ),
    Action.REQUEST_CHANGES: Rule(
        "Request changes",
        frozenset({State.IN_REVIEW, State.APPROVED}),
        PUBLISH_PERMISSION,
        needs_comment=True,
    ),
    Action.PUBLISH: Rule(
        "Publish now", _NOT_PUBLIC | {State.SCHEDULED}, PUBLISH_PERMISSION, approves=True
    ),
    Action.SCHEDULE: Rule(
        "Schedule…",
        _NOT_PUBLIC | {State.SCHEDULED},
        PUBLISH_PERMISSION,
        approves=True,
        needs_time=True,
    ),
    Action.REPUBLISH_AS_NEW: Rule(
        "Republish as new", frozenset({State.UNPUBLISHED}), PUBLISH_PERMISSION, approves=True
    ),
    Action.UNPUBLISH: Rule(
        "Unpublish",
        frozenset({State.LIVE, State.LIVE_PENDING, State.SCHEDULED}),
        PUBLISH_PERMISSION,
    ),
    Action.APPROVE_CHANGES: Rule(
        "Approve the changes",
        frozenset({State.LIVE_PENDING}),
        PUBLISH_PERMISSION,
        approves=True,
        in_form=False,
    ),
    Action.REJECT_CHANGES: Rule(
        "Send the changes back",
        frozenset({State.LIVE_PENDING}),
        PUBLISH_PERMISSION,
        needs_comment=True,
        in_form=False,
    ),
}

_STORED = object()  # why_not's default author: the one the stored row names


class TransitionRefused(PermissionDenied):
    """The transition is not allowed; the message says why, for the person who asked.

    A ``PermissionDenied``, so that a route that forgets to catch it answers 403."""


def label_for(action: str, article: Article | None = None) -> str:
    """The button's words; publishing an unpublished article says it keeps its time."""
    unpublished = article is not None and article.pk and article.state == State.UNPUBLISHED
    if action == Action.PUBLISH and unpublished:
        return "Republish (keeps its original time)"
    return RULES[action].label


def content_author_id(article: Article) -> int | None:
    """Whose text this is for the two-person rule: whoever last saved the changes that
    wait for review, else whoever last edited it, else its creator."""
    if article.pk and article.has_pending_changes:
        pending = article.pending_change_or_none
        if pending is not None and pending.updated_by_id:
            return pending.updated_by_id
    return article.updated_by_id or article.created_by_id


def why_not(
    *,
    user: AbstractBaseUser,
    article: Article,
    action: str,
    comment: str = "",
    at: datetime | None = None,
    author_id: int | object | None = _STORED,
    now: datetime | None = None,
) -> str | None:
    """Why ``user`` may not apply ``action`` to ``article`` now, or None if they may.

    ``author_id`` is whose text would be approved, when the caller knows better than the
    stored row (a form that is about to save the user's own changes).
    """
    rule = RULES.get(action)
    if rule is None:
        return "That is not something that can be done to an article."
    if not user.has_perm(rule.permission):
        if rule.permission == PUBLISH_PERMISSION:
            return f"Only editors can {label_for(action, article).lower().rstrip('… ')}."
        return "You do not have permission to change articles."
    state = article.state if article.pk else State.DRAFT
    if state not in rule.sources:
        label = label_for(action, article)
        return f"This article is {state.label.lower()}: “{label}” does not apply."
    if rule.needs_comment and not comment.strip():
        if action == Action.REJECT_CHANGES:
            return "Say what needs to change: sending changes back needs a note for the writer."
        return "Say what needs to change: requesting changes needs a comment for the writer."
    if rule.needs_time:
        problem = _time_problem(at, now=now or timezone.now())
        if problem:
            return problem
    if rule.approves and SiteSettings.load().require_second_person:
        author = content_author_id(article) if author_id is _STORED else author_id
        if author is not None and author == user.pk:
            if action == Action.APPROVE_CHANGES:
                return (
                    "Two people must agree before changes are published: these changes "
                    "are yours, so another editor must approve them."
                )
            return (
                "Two people must agree before an article is published: you wrote or last "
                "edited this one, so another editor must approve it. Submit it for review."
            )
    return None


def _time_problem(at: datetime | None, *, now: datetime) -> str | None:
    if at is None:
        return "Choose the date and time of publication."
    try:
        validate_date_in_range(at)
    except ValidationError as error:
        return " ".join(error.messages)
    if at <= now:
        return f"Choose a time in the future: {describe_moment(at)} has passed."
    return None


def parse_local_time(value: str) -> datetime | None:
    """A ``datetime-local`` input's value (``2026-12-03T09:00``), read in the newsroom's
    zone. Raises ``TransitionRefused`` for anything else."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise TransitionRefused(
            f"“{value[:40]}” is not a date and time; use the form 2026-12-03 09:00."
        ) from None
    if naive.tzinfo is not None:
        return naive
    return timezone.make_aware(naive, timezone.get_current_timezone())


def available(*, user: AbstractBaseUser, article: Article) -> list[str]:
    """The actions ``user`` could take on ``article`` now (given a comment and a time
    where one is needed): the buttons to show."""
    probe = timezone.now() + timedelta(days=1)
    return [
        action
        for action in RULES
        if why_not(user=user, article=article, action=action, comment="-", at=probe) is None
    ]


@transaction.atomic
def perform(
    *,
    article: Article,
    user: AbstractBaseUser,
    action: str,
    comment: str = "",
    at: datetime | None = None,
) -> ArticleTransition:
    """Apply ``action`` to ``article`` for ``user``, record it, and tell who needs to
    know (after commit). Raises ``TransitionRefused`` with the reason if not allowed."""
    if action in RULES and not RULES[action].in_form:
        raise TransitionRefused(
            "Pending changes are approved or sent back on their own page, with what changed."
        )
    locked = Article.objects.select_for_update().get(pk=article.pk)
    now = timezone.now()
    refusal = why_not(user=user, article=locked, action=action, comment=comment, at=at, now=now)
    if refusal:
        raise TransitionRefused(refusal)
    from_state = locked.state
    fields = _apply(locked, action=action, from_state=from_state, at=at, now=now)
    locked.save(update_fields=[*fields, "updated_at"])
    transition = _record(
        article=locked, user=user, action=action, from_state=from_state, comment=comment, now=now
    )
    for name in (*fields, "updated_at"):
        setattr(article, name, getattr(locked, name))
    return transition


def _apply(article: Article, *, action: str, from_state: State, at, now) -> list[str]:
    """Set the stored fields for ``action``; return their names."""
    if action == Action.SUBMIT:
        article.review_state = ReviewState.IN_REVIEW
        return ["review_state"]
    if action == Action.APPROVE:
        article.review_state = ReviewState.APPROVED
        return ["review_state"]
    if action == Action.REQUEST_CHANGES:
        article.review_state = ReviewState.CHANGES_REQUESTED
        return ["review_state"]
    if action in (Action.APPROVE_SCHEDULE, Action.SCHEDULE):
        article.published_at = at
    elif action in (Action.APPROVE_PUBLISH, Action.PUBLISH, Action.REPUBLISH_AS_NEW):
        # An article back after being withdrawn keeps its original time and place in the
        # list unless the editor asks for "as new"; one never live goes out dated now,
        # not when its draft was begun.
        keeps_time = (
            article.status == Article.Status.UNPUBLISHED
            and action != Action.REPUBLISH_AS_NEW
            and article.published_at <= now
        )
        if not keeps_time:
            article.published_at = now
    elif action == Action.UNPUBLISH:
        if from_state == State.LIVE:
            article.status = Article.Status.UNPUBLISHED
            article.review_state = ReviewState.DRAFT
        else:  # scheduled: the schedule is called off, the approval stands
            article.status = Article.Status.DRAFT
            article.review_state = ReviewState.APPROVED
        return ["status", "review_state"]
    article.status = Article.Status.PUBLISHED
    article.review_state = ReviewState.APPROVED
    return ["status", "review_state", "published_at"]


def _record(*, article, user, action, from_state, comment, now) -> ArticleTransition:
    to_state = article.state
    transition = ArticleTransition.objects.create(
        article=article,
        action=action,
        from_state=from_state,
        to_state=to_state,
        user=user,
        at=now,
        comment=comment.strip(),
        published_at=article.published_at if to_state in (State.LIVE, State.SCHEDULED) else None,
    )
    # The admin's own history of the article says it too.
    summary = transition.get_action_display()
    if action == Action.UNPUBLISH:
        summary = f"Unpublished (was {from_state.label.lower()})"
    elif to_state in (State.LIVE, State.SCHEDULED):
        summary += f": publication time {describe_moment(article.published_at)}"
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[article],
        action_flag=CHANGE,
        change_message=f"{summary}.",
        single_object=True,
    )
    # A new publication state or time is a new version (none when only the review moved).
    record_revision(article=article, user=user, message=f"{summary}.")
    if action in TELLS_EDITORS or action in TELLS_WRITER:
        transaction.on_commit(lambda: notify_transition.enqueue(transition.pk))
    return transition


def record_step(
    *, article: Article, user: AbstractBaseUser, action: str, from_state: State, comment=""
) -> ArticleTransition:
    """Record a step that ``perform`` does not make (pending changes, ``desk.pending``)
    on the timeline, the admin history and its e-mail."""
    return _record(
        article=article,
        user=user,
        action=action,
        from_state=from_state,
        comment=comment,
        now=timezone.now(),
    )


def after_edit(*, article: Article, user: AbstractBaseUser) -> ArticleTransition | None:
    """An approved article whose text changed goes back to review: always when a writer
    changed it, and when an editor did if two people must agree. Call after saving a
    change to the content."""
    if article.state != State.APPROVED:
        return None
    if user.has_perm(PUBLISH_PERMISSION) and not SiteSettings.load().require_second_person:
        return None
    with transaction.atomic():
        updated = Article.objects.filter(pk=article.pk, review_state=ReviewState.APPROVED).exclude(
            status=Article.Status.PUBLISHED
        )
        if not updated.update(review_state=ReviewState.IN_REVIEW):
            return None
        article.review_state = ReviewState.IN_REVIEW
        return _record(
            article=article,
            user=user,
            action=Action.REVISE,
            from_state=State.APPROVED,
            comment="",
            now=timezone.now(),
        )


def outcome(transition: ArticleTransition, article: Article) -> str:
    """What the person who pressed the button is told."""
    title = f"“{article.title}”"
    match transition.action:
        case Action.SUBMIT:
            return f"{title} is in review; the editors have been told."
        case Action.APPROVE:
            return f"{title} is approved. It is not public until it is published or scheduled."
        case Action.REQUEST_CHANGES:
            return f"Changes requested on {title}; the writer has been told, with your comment."
        case Action.UNPUBLISH if transition.to_state == State.UNPUBLISHED:
            return f"{title} is unpublished and no longer public."
        case Action.UNPUBLISH:
            return f"{title} is no longer scheduled; it stays approved."
        case Action.REVISE:
            return f"{title} changed after approval, so it is back in review."
        case Action.PROPOSE_CHANGES:
            return (
                f"Your changes to {title} are saved and wait for an editor's review. The "
                "public page keeps the live text until they are approved."
            )
        case Action.APPROVE_CHANGES:
            return f"The changes to {title} are approved and live."
        case Action.REJECT_CHANGES:
            return (
                f"The changes to {title} were sent back to their writer with your note; "
                "the live text is unchanged."
            )
        case Action.WITHDRAW_CHANGES:
            return f"The pending changes to {title} were withdrawn; the live text is unchanged."
    if transition.to_state == State.SCHEDULED:
        return f"Scheduled for {describe_moment(article.published_at)}."
    return f"{title} is live, with publication time {describe_moment(article.published_at)}."
