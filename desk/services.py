"""Multi-step writes on articles that change what the public sees, with an audit trail.

Each service checks the user's permission itself (whatever route calls it: an admin
action, a view, the shell), runs in one transaction and records an admin ``LogEntry``,
so that an article's history in the admin says who published or unpublished it and when.
"""

from datetime import datetime

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article, SlugRedirect
from articles.states import State
from articles.translations import SHARED_FIELDS
from core.languages import language_codes, language_name
from desk import workflow
from desk.revisions import record_revision
from desk.workflow import Action

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
    return workflow.describe_moment(moment)


def article_publish(
    *, article: Article, user: AbstractBaseUser, at: datetime | None = None
) -> Article:
    """Publish ``article`` now, or schedule it for ``at``: the workflow's "Publish now" /
    "Schedule…" (or their "Approve and …" forms for an article in review), with its
    checks and record. Raises ``TransitionRefused`` (a ``PermissionDenied``) if refused."""
    in_review = article.state == State.IN_REVIEW
    if at is not None:
        action = Action.APPROVE_SCHEDULE if in_review else Action.SCHEDULE
    else:
        action = Action.APPROVE_PUBLISH if in_review else Action.PUBLISH
    workflow.perform(article=article, user=user, action=action, at=at)
    return article


def article_unpublish(*, article: Article, user: AbstractBaseUser) -> Article:
    """Take ``article`` off the public site: see ``desk.workflow`` (Unpublish)."""
    workflow.perform(article=article, user=user, action=Action.UNPUBLISH)
    return article


def _unique_slug(base: str) -> str:
    max_length = Article._meta.get_field("slug").max_length
    slug = base[:max_length].strip("-")
    start = slug[: max_length - 8]
    taken = set(Article.objects.filter(slug__startswith=start).values_list("slug", flat=True))
    # An old address of another article keeps redirecting there: not free either.
    taken |= set(
        SlugRedirect.objects.filter(old_slug__startswith=start).values_list("old_slug", flat=True)
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
        # Same words, same language; a copy is a story of its own, translating nothing.
        language=article.language,
        created_by=user,
        updated_by=user,
    )
    copy.regions.set(article.regions.all())
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


class TranslationRefused(ValidationError):
    """Why ``article_translate`` made nothing, in a sentence for the person who asked."""


def why_not_translate(source: Article, language: str) -> str | None:
    """Why ``source`` cannot get a version in ``language``, or None if it can."""
    if language not in language_codes():
        return _("“%(code)s” is not one of the newsroom's languages (%(codes)s).") % {
            "code": language,
            "codes": ", ".join(language_codes()),
        }
    if source.translation_of_id:
        return _("“%(title)s” is itself a translation: translate its source, “%(source)s”.") % {
            "title": source.title,
            "source": source.translation_of.title,
        }
    taken = source.translation_group().filter(language=language).first()
    if taken is not None:
        return _("“%(title)s” already has a version in %(language)s: “%(version)s”.") % {
            "title": source.title,
            "language": language_name(language),
            "version": taken.title,
        }
    return None


def article_translate(*, source: Article, language: str, user: AbstractBaseUser) -> Article:
    """A draft of ``source`` in ``language``, linked to it, for a translator to overwrite.

    The draft starts with the source's words (title, summary, body, caption) and a slug
    made from the source's with the language's code; the source's kind, reference number,
    photo, regions and topics are shared (``articles.translations``). From there it is an
    article like any other: a draft in the writer's workflow (review, the two-person rule,
    scheduling), with its first revision and its addition in the history. Like any draft,
    it needs only the permission to add articles. Raises ``TranslationRefused`` for a
    language that is not configured or already has a version, or a source that is itself
    a translation.
    """
    _require(user, ADD_PERMISSION)
    try:
        with transaction.atomic():
            return _translate(source=source, language=language, user=user)
    except IntegrityError as error:
        # Someone made the same version a moment ago (the one-per-language constraint).
        refusal = why_not_translate(source, language)
        raise TranslationRefused(refusal or str(error)) from error


def _translate(*, source: Article, language: str, user: AbstractBaseUser) -> Article:
    # Locked, so that two presses of the button make one version, not a refused second.
    source = (
        Article.objects.select_for_update(of=("self",))
        .select_related("translation_of")
        .get(pk=source.pk)
    )
    refusal = why_not_translate(source, language)
    if refusal is not None:
        raise TranslationRefused(refusal)
    translation = Article.objects.create(
        language=language,
        translation_of=source,
        title=source.title,
        slug=_unique_slug(f"{source.slug}-{language}"),
        summary=source.summary,
        body=source.body,
        hero_caption=source.hero_caption,
        **{field: getattr(source, field) for field in SHARED_FIELDS},
        status=Article.Status.DRAFT,
        published_at=timezone.now(),
        created_by=user,
        updated_by=user,
    )
    translation.regions.set(source.regions.all())
    translation.topics.set(list(source.topics.all()))
    message = f"Translation into {language_name(language)} of “{source.title}” (id {source.pk})."
    _log(user=user, article=translation, flag=ADDITION, message=message)
    record_revision(article=translation, user=user, message=message)
    return translation
