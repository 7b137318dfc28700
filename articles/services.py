"""Multi-step writes on articles that change what the public sees, with an audit trail.

Each service checks the user's permission itself (whatever route calls it: an admin
action, a view, the shell), runs in one transaction and records an admin ``LogEntry``,
so that an article's history in the admin says who published or unpublished it and when.
"""

from datetime import datetime

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article
from articles.regions import sync_groupings
from articles.revisions import record_revision

PUBLISH_PERMISSION = "articles.publish_article"
ADD_PERMISSION = "articles.add_article"


def _require(user: AbstractBaseUser, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(f"{user} may not do this: it needs the {permission} permission.")


def _log(*, user: AbstractBaseUser, article: Article, flag: int, message: str) -> LogEntry:
    return LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[article],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def local_time(moment: datetime) -> str:
    """A time as staff read it: in the newsroom's zone, with the zone's abbreviation."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


@transaction.atomic
def article_publish(
    *, article: Article, user: AbstractBaseUser, at: datetime | None = None
) -> Article:
    """Publish ``article``: live now, or scheduled when ``at`` is in the future.

    Without ``at`` the article goes live at once: a future or missing publication time
    becomes now, while a past one is kept, so that an article unpublished for a correction
    and published again keeps its original date and its place in the list.
    """
    _require(user, PUBLISH_PERMISSION)
    now = timezone.now()
    if at is not None:
        article.published_at = at
    elif article.published_at is None or article.published_at > now:
        article.published_at = now
    article.status = Article.Status.PUBLISHED
    article.updated_by = user
    article.save(update_fields=["status", "published_at", "updated_by", "updated_at"])
    verb = "Scheduled" if article.published_at > now else "Published"
    _log(
        user=user,
        article=article,
        flag=CHANGE,
        message=f"{verb}: publication time {local_time(article.published_at)}.",
    )
    record_revision(article=article, user=user, message=f"{verb}.")
    return article


@transaction.atomic
def article_unpublish(*, article: Article, user: AbstractBaseUser) -> Article:
    """Take ``article`` off the public site (back to draft), keeping its publication time."""
    _require(user, PUBLISH_PERMISSION)
    was = article.state
    article.status = Article.Status.DRAFT
    article.updated_by = user
    article.save(update_fields=["status", "updated_by", "updated_at"])
    _log(user=user, article=article, flag=CHANGE, message=f"Unpublished (was {was}).")
    record_revision(article=article, user=user, message=f"Unpublished (was {was}).")
    return article


def _unique_slug(base: str) -> str:
    max_length = Article._meta.get_field("slug").max_length
    slug = base[:max_length].strip("-")
    taken = set(
        Article.objects.filter(slug__startswith=slug[: max_length - 8]).values_list(
            "slug", flat=True
        )
    )
    candidate, n = slug, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = f"{slug[: max_length - len(suffix)].rstrip('-')}{suffix}"
        n += 1
    return candidate


@transaction.atomic
def article_duplicate(*, article: Article, user: AbstractBaseUser) -> Article:
    """A draft copy of ``article`` to start a similar one from.

    The copy keeps the content, regions, topics, photo, attachments, related articles and
    spokespeople; it gets a "Copy of" title, a unique slug and a fresh publication time.
    The reference number is left empty: it identifies one published document.
    Making a draft publishes nothing, so it needs only the permission to add articles.
    """
    _require(user, ADD_PERMISSION)
    title_length = Article._meta.get_field("title").max_length
    copy = Article.objects.create(
        kind=article.kind,
        title=f"Copy of {article.title}"[:title_length],
        slug=_unique_slug(f"copy-of-{article.slug}"),
        summary=article.summary,
        body=article.body,
        status=Article.Status.DRAFT,
        published_at=timezone.now(),
        hero_photo_id=article.hero_photo_id,
        hero_caption=article.hero_caption,
        created_by=user,
        updated_by=user,
    )
    copy.regions.set(article.regions.all())
    sync_groupings([copy.pk])
    copy.topics.set(list(article.topics.all()))
    copy.attachments.set(article.attachments.all())
    copy.related.set(article.related.all())
    copy.spokespeople.set(article.spokespeople.all())
    _log(
        user=user,
        article=copy,
        flag=ADDITION,
        message=f"Duplicated from “{article.title}” (id {article.pk}).",
    )
    record_revision(article=copy, user=user, message=f"Duplicated from “{article.title}”.")
    return copy
