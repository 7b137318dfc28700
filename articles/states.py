"""The states staff see an article in, as one vocabulary for the list filter, the badges,
the admin index and the workflow (``desk.workflow``).

Two stored fields make the state: ``Article.status`` says what the public may see
(draft, published, unpublished) and ``Article.review_state`` where an unpublished text is
in review. A live article may also have a pending version (``ArticlePendingChange``):
changes that wait for an editor while the public keeps reading the live text. That is
"Live, changes pending". ``state_of`` and ``ArticleQuerySet.in_state`` are the two
readings of them, one for an instance and one for a query; they must agree.
"""

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    LIVE_PENDING = "live_pending", "Live, changes pending"
    UNPUBLISHED = "unpublished", "Unpublished"


class ReviewState(models.TextChoices):
    """Where the text of an article that is not published stands in review."""

    DRAFT = "draft", "Not submitted"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


def state_of(*, status: str, review_state: str, published_at, now, pending=False) -> State:
    """``pending``: whether the article has changes waiting for review."""
    if status == "published":
        if published_at > now:
            return State.SCHEDULED
        return State.LIVE_PENDING if pending else State.LIVE
    if review_state != ReviewState.DRAFT:
        return State(review_state)
    return State.UNPUBLISHED if status == "unpublished" else State.DRAFT
