"""Who has an article open in the editor: "Being edited by Ana since 10:02".

The lock is advisory (saves are guarded by revision versions, see
``desk.admin_revisions``) and expires by itself ``LOCK_LIFETIME`` after the last
heartbeat, which the change form's script sends every 30 seconds.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from desk.models import ArticleEditLock
from desk.services import local_time


def holder_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "someone"


@transaction.atomic
def edit_lock_claim(*, article: Article, user: AbstractBaseUser) -> ArticleEditLock:
    """Open (or keep open) ``article`` for ``user``: their lock, refreshed, unless someone
    else holds a lock that has not expired, which is returned unchanged."""
    now = timezone.now()
    lock = (
        ArticleEditLock.objects.select_for_update()
        .select_related("user")
        .filter(article=article)
        .first()
    )
    if lock is None:
        try:
            with transaction.atomic():
                return ArticleEditLock.objects.create(
                    article=article, user=user, since=now, heartbeat_at=now
                )
        except IntegrityError:
            # Someone opened it in the same instant: theirs.
            return ArticleEditLock.objects.select_related("user").get(article=article)
    if lock.user_id != user.pk and lock.is_active(now):
        return lock
    if lock.user_id != user.pk:
        lock.user, lock.since = user, now
    lock.heartbeat_at = now
    lock.save()
    return lock


@transaction.atomic
def edit_lock_take_over(*, article: Article, user: AbstractBaseUser) -> ArticleEditLock:
    """Take ``article`` over from whoever is editing it; recorded in its history."""
    now = timezone.now()
    lock = ArticleEditLock.objects.select_for_update().select_related("user").filter(
        article=article
    ).first() or ArticleEditLock(article=article)
    previous = lock.user if lock.pk and lock.user_id != user.pk and lock.is_active(now) else None
    previous_since = lock.since if previous else None
    lock.user, lock.since, lock.heartbeat_at = user, now, now
    lock.save()
    if previous is not None:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[article],
            action_flag=CHANGE,
            change_message=f"Took over editing from {holder_name(previous)} "
            f"(editing since {local_time(previous_since)}).",
            single_object=True,
        )
    return lock


def edit_lock_release(*, article: Article, user: AbstractBaseUser) -> None:
    """``user`` left the editor: free the article at once rather than in two minutes."""
    ArticleEditLock.objects.filter(article=article, user=user).delete()
