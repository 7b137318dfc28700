"""Which translations are out of date, and what changed in their source since.

Every translation has a base (``TranslationBase``): the source revision it was made from,
or last marked up to date with. It is recorded when the translation is created, by any
route (the admin, "Translate into …", an import, a shell ``save()``): ``record_bases``
follows ``articles.changes.article_changed``. "Mark as up to date" moves it to the source
version the translator was shown (``mark_up_to_date``).

A translation is *stale* when its source's latest revision differs substantively from
the base: in the words a translator translates (``SUBSTANTIVE``). The latest revision,
not any revision since the base: an edit made and undone leaves nothing to translate.
``with_staleness`` says it in SQL (one ``EXISTS`` per row, no query per row), for the
admin list, its filter and the translation-status view; ``staleness`` says it for one
translation, with the word-level diff of the source between the base and now.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from articles.models import Article
from desk.models import ArticleRevision, TranslationBase
from desk.revisions import FieldChange, compare, ensure_current, latest_revision

# What a translator translates. Not the slug (each version has its own, and a new slug
# changes no sentence), nor the status or times (publishing, unpublishing or moving the
# publication time of the source leaves its words as they were), nor the kind, photo,
# regions and topics, which the translation shares with its source
# (``articles.translations``) and so can never be behind on.
SUBSTANTIVE = ("title", "summary", "body")


def substantive(snapshot: dict) -> dict:
    """The words of a revision's snapshot, "" for any missing."""
    return {key: snapshot.get(key) or "" for key in SUBSTANTIVE}


def differs(old: dict, new: dict) -> bool:
    return substantive(old) != substantive(new)


# --- recording bases ----------------------------------------------------------------


def record_bases(sender, *, article_ids, changed, article=None, **kwargs) -> None:
    """``article_changed``: a translation written without a base on its source (just
    created, or linked to another source) gets one: its source's latest revision, after
    recording the source as it is stored when no revision holds that yet (an import's
    new source has none). Saving a source asks nothing of the database."""
    if "article" not in changed:
        return
    if article is not None and article.translation_of_id is None:
        return
    needing = (
        Article.objects.filter(pk__in=article_ids, translation_of__isnull=False)
        .exclude(translation_base__source_revision__article=F("translation_of"))
        .select_related("translation_of")
    )
    current = {}
    for translation in needing:
        source = translation.translation_of
        if source.pk not in current:
            current[source.pk] = ensure_current(source)
        _set_base(translation, current[source.pk])


def _set_base(translation, revision, user=None) -> TranslationBase:
    base, _ = TranslationBase.objects.update_or_create(
        translation=translation,
        defaults={
            "source_revision": revision,
            "marked_by": user if user is not None and user.pk else None,
            "marked_at": timezone.now(),
        },
    )
    return base


def ensure_base(translation: Article) -> TranslationBase | None:
    """The translation's base, recorded first if it has none on its current source (a
    translation made before bases were kept): the source as it was when the translation
    was created, as near as the revisions tell. None for an article that is no
    translation."""
    if translation.translation_of_id is None:
        return None
    base = (
        TranslationBase.objects.filter(
            translation=translation, source_revision__article=translation.translation_of_id
        )
        .select_related("source_revision", "marked_by")
        .first()
    )
    if base is not None:
        return base
    revisions = ArticleRevision.objects.filter(article=translation.translation_of_id)
    revision = (
        revisions.filter(created_at__lte=translation.created_at).order_by("-version").first()
        or revisions.order_by("version").first()
        or ensure_current(translation.translation_of)
    )
    return _set_base(translation, revision)


@transaction.atomic
def mark_up_to_date(*, translation: Article, revision: ArticleRevision, user) -> TranslationBase:
    """Record that ``translation`` now follows ``revision`` of its source (the version
    its translator was shown, which an edit made since does not overtake)."""
    if revision.article_id != translation.translation_of_id:
        raise ValueError("The revision is not one of the translation's source.")
    return _set_base(translation, revision, user)


# --- telling staleness ----------------------------------------------------------------


def with_staleness(queryset):
    """``queryset`` annotated with ``is_stale``: a translation whose source's latest
    revision differs in its words from the translation's base. False for sources and for
    translations with no base on their current source."""
    base = "translation_base__source_revision__"
    latest = (
        ArticleRevision.objects.filter(article=OuterRef(OuterRef("translation_of")))
        .order_by("-version")
        .values("pk")[:1]
    )
    words_differ = Q()
    for key in SUBSTANTIVE:
        words_differ |= ~Q(**{f"snapshot__{key}": OuterRef(f"{base}snapshot__{key}")})
    changed = ArticleRevision.objects.filter(
        words_differ,
        pk=Subquery(latest),
        article=OuterRef("translation_of"),
        version__gt=OuterRef(f"{base}version"),
    ).filter(article=OuterRef(f"{base}article"))
    return queryset.annotate(is_stale=Exists(changed))


@dataclass
class Staleness:
    """A translation against its source: the base, the source's latest revision and the
    substantive changes between them (none: up to date)."""

    translation: Article
    base: TranslationBase
    current: ArticleRevision
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.changes)


def staleness(translation: Article) -> Staleness | None:
    """How ``translation`` stands against its source, with the word-level diff of the
    source's title, summary and body (the body as text; escaped: it is what people typed)
    since the base. None for an article that is no translation."""
    base = ensure_base(translation)
    if base is None:
        return None
    current = latest_revision(translation.translation_of)
    changes = []
    if current.version > base.source_revision.version:
        changes = compare(
            substantive(base.source_revision.snapshot), substantive(current.snapshot)
        )
    return Staleness(translation, base, current, changes)
