"""Revisions of articles: what is kept on every save, and how two versions compare.

A small model (``ArticleRevision``) with a JSON snapshot rather than django-reversion or
django-simple-history: the snapshot must hold the many-to-many relations (regions,
taggit topics through ``TaggedArticle``, attachments, related articles, spokespeople)
with their names, so that a version still reads right after a region or photo is
deleted, and restoring must load a version into the editor rather than write it over
the live article (reversion's ``revert()`` writes rows; simple-history tracks no
many-to-many without a history table per relation).

Who records: the admin on every save (``desk.admin_revisions``), the workflow and
the services, each with its author and a message; and, for every other route, the
receiver of ``articles.changes.article_changed`` (``record_outside_changes``): once the
transaction commits, an article whose content differs from its latest revision gets one
with no author, "Changed outside the editor" (a shell ``save()``, a script's
``regions.set()``, an import). After the admin's or a service's own revision it finds
nothing to record. An import's new articles get their first revision when the editor
first opens them (``ensure_current``, which also covers rows written before revisions
began), so the versions the change form compares are always the article as stored.
"""

import difflib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from articles.changes import on_commit_for
from articles.content import CONTENT_FIELDS, PUBLICATION_FIELDS
from articles.models import Article, Region, TaggedArticle
from articles.sanitize import html_to_text
from desk.models import ArticleRevision
from media_library.models import Document, Photo
from press.models import Spokesperson

# The fields a revision keeps, in the order the comparison shows them, with how each
# reads: plain text and the body get a word diff, the rest old → new.
FIELDS = [(field.name, field.label, field.kind) for field in CONTENT_FIELDS]
CHOICES = {"kind": dict(Article.Kind.choices), "status": dict(Article.Status.choices)}


def _time(moment):
    return moment.astimezone(timezone.UTC).isoformat() if moment else None


# How each list field is read (from the database, with the names a version shows).
RELATIONS = {
    "regions": lambda pk: [
        list(row)
        for row in Region.objects.filter(articles=pk)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ],
    "topics": lambda pk: sorted(
        TaggedArticle.objects.filter(content_object_id=pk).values_list("tag__name", flat=True)
    ),
    "attachments": lambda pk: [
        [document.pk, str(document)]
        for document in Document.objects.filter(articles=pk).order_by("title", "pk")
    ],
    "related": lambda pk: [
        list(row)
        for row in Article.objects.filter(related_from=pk)
        .order_by("title", "pk")
        .values_list("pk", "title")
    ],
    "spokespeople": lambda pk: [
        list(row)
        for row in Spokesperson.objects.filter(articles=pk)
        .order_by("name", "pk")
        .values_list("pk", "name")
    ],
}


def snapshot(article: Article) -> dict:
    """The article as stored, read from the database (never from the instance's
    prefetch cache, which a save of its relations may have left stale): every field of
    ``articles.content.CONTENT_FIELDS``."""
    data = {}
    for field in CONTENT_FIELDS:
        if field.kind == "list":
            data[field.name] = RELATIONS[field.name](article.pk)
        elif field.kind == "ref":
            related = getattr(article, field.name)
            data[field.name] = [related.pk, str(related)] if related is not None else None
        elif field.kind == "time":
            data[field.name] = _time(getattr(article, field.name))
        else:
            data[field.name] = getattr(article, field.name)
    return data


def latest_revision(article: Article) -> ArticleRevision | None:
    return article.revisions.order_by("-version").select_related("created_by").first()


@transaction.atomic
def record_revision(*, article: Article, user=None, message: str = "") -> ArticleRevision:
    """Keep the article as it is now stored as its next version.

    Saving without changing anything keeps no new version (the latest one is returned).
    The article's row is locked for the numbering; the unique (article, version)
    constraint is the last word if a database does not lock rows.
    """
    list(Article.objects.select_for_update().filter(pk=article.pk).values_list("pk"))
    data = snapshot(article)
    latest = latest_revision(article)
    if latest is not None and latest.snapshot == data:
        return latest
    return ArticleRevision.objects.create(
        article=article,
        version=latest.version + 1 if latest else 1,
        snapshot=data,
        created_by=user if user is not None and user.pk else None,
        message=message[: ArticleRevision._meta.get_field("message").max_length],
        was_live=article.is_live,
    )


OUTSIDE = "Changed outside the editor (import or script)."


def ensure_current(article: Article) -> ArticleRevision:
    """The revision that matches the article as stored, recording one first when the
    article was changed outside the admin and services (or before revisions began)."""
    latest = latest_revision(article)
    if latest is not None and latest.snapshot == snapshot(article):
        return latest
    message = OUTSIDE if latest else "The article as it was when revisions began."
    return record_revision(article=article, message=message)


# What a revision keeps, as ``articles.changes`` names what was written.
KEPT = frozenset({"article", *(field.name for field in CONTENT_FIELDS if field.kind == "list")})
# Articles per query when recording after an import.
CHUNK = 500


def record_outside_changes(sender, *, article_ids, changed, before, bulk=False, **kwargs):
    """``articles.changes.article_changed``: once the transaction commits, keep a
    revision of each article whose content no revision holds yet (see the module
    docstring). An import's new articles are left to ``ensure_current``: 100,000 of
    them would otherwise write 100,000 snapshots."""
    if not changed & KEPT:
        return
    ids = article_ids
    if bulk:
        ids = {pk for pk in article_ids if before.get(pk) is not None}
    if ids:
        on_commit_for(_record_outside, ids)


def _record_outside(article_ids) -> None:
    ids = sorted(article_ids)
    for start in range(0, len(ids), CHUNK):
        for article in Article.objects.filter(pk__in=ids[start : start + CHUNK]):
            # Nothing is recorded when the latest revision already holds it.
            record_revision(article=article, message=OUTSIDE)


def live_revision(article: Article) -> ArticleRevision | None:
    """The last version the public saw: the newest revision saved while live."""
    return article.revisions.filter(was_live=True).order_by("-version").first()


def describe_change(change_message) -> str:
    """A short sentence from the admin's structured change message."""
    fields = []
    for entry in change_message or []:
        for action in ("added", "changed"):
            if action in entry:
                fields.extend(entry[action].get("fields", []))
    if not fields:
        return "Saved."
    names = [str(name) for name in fields]
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"Changed {joined}."


# --- comparing --------------------------------------------------------------------------

BREAK = "\n\n"


def _body_text(value: str) -> str:
    """A body's text for the word diff: every block, list item and line its own
    paragraph, so that an edit in one list item leaves the others as they were."""
    return html_to_text(value, paragraphs=True).replace("\n", BREAK)


def _piece(tag, words):
    text = escape(" ".join(words))
    if tag == "ins":
        return format_html(
            '<ins><span class="revision-sr">added: </span>{}</ins>', mark_safe(text)
        )
    if tag == "del":
        return format_html(
            '<del><span class="revision-sr">removed: </span>{}</del>', mark_safe(text)
        )
    return text


# Matching words is quadratic at worst in the length of what is compared, so words are
# only ever matched within one changed paragraph; above this many words even a paragraph
# lets difflib skip its most frequent words (a coarser but still true diff).
EXACT_WORDS = 300


def _paragraph_diff(old: str, new: str) -> list[tuple[str, list[str]]]:
    a, b = old.split(), new.split()
    exact = max(len(a), len(b)) <= EXACT_WORDS
    pieces: list[tuple[str, list[str]]] = []

    def add(tag, words):
        if not words:
            return
        if pieces and pieces[-1][0] == tag:
            pieces[-1][1].extend(words)
        else:
            pieces.append((tag, list(words)))

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=not exact)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("equal", a[i1:i2])
        else:
            add("del", a[i1:i2])
            add("ins", b[j1:j2])
    return pieces


def _paragraphs(text: str) -> list[str]:
    return [paragraph for paragraph in (text or "").split(BREAK) if paragraph.strip()]


def word_diff(old: str, new: str) -> SafeString:
    """``old`` against ``new`` word by word, as escaped HTML paragraphs in which added
    words are ``<ins>`` and removed ones ``<del>``. Never the texts' own markup.

    Paragraphs are matched first, then the words of each changed paragraph, so a long
    report with a few edits costs little (5,000 words: see tests)."""
    a, b = _paragraphs(old), _paragraphs(new)
    rendered: list[list[tuple[str, list[str]]]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rendered += [[("equal", paragraph.split())] for paragraph in a[i1:i2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for n in range(max(len(olds), len(news))):
            if n < len(olds) and n < len(news):
                rendered.append(_paragraph_diff(olds[n], news[n]))
            elif n < len(olds):
                rendered.append([("del", olds[n].split())])
            else:
                rendered.append([("ins", news[n].split())])
    html = (
        "<p>" + " ".join(str(_piece(tag, words)) for tag, words in pieces) + "</p>"
        for pieces in rendered
    )
    return mark_safe("".join(html))


def _show(key, kind, value) -> str:
    if value in (None, "", []):
        return "—"
    if kind == "choice":
        return CHOICES[key].get(value, value)
    if kind == "time":
        moment = timezone.localtime(parse_datetime(value))
        return f"{date_format(moment, 'DATETIME_FORMAT')} {moment.tzname()}"
    if kind == "ref":
        return value[1]
    if kind == "list":
        return ", ".join(item if isinstance(item, str) else item[1] for item in value)
    return str(value)


@dataclass
class FieldChange:
    key: str
    label: str
    old: str
    new: str
    diff: SafeString | None = None
    added: list[str] | None = None
    removed: list[str] | None = None


def _names(value):
    return [item if isinstance(item, str) else item[1] for item in value or []]


def compare(old: dict, new: dict) -> list[FieldChange]:
    """The fields that differ between two snapshots, in the order of ``FIELDS``."""
    changes = []
    for key, label, kind in FIELDS:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change = FieldChange(key, label, _show(key, kind, before), _show(key, kind, after))
        if kind == "text":
            change.diff = word_diff(before or "", after or "")
        elif kind == "html":
            change.diff = word_diff(_body_text(before), _body_text(after))
        elif kind == "list":
            old_names, new_names = _names(before), _names(after)
            change.added = [name for name in new_names if name not in old_names]
            change.removed = [name for name in old_names if name not in new_names]
        changes.append(change)
    return changes


def form_initial(data: dict) -> dict:
    """A snapshot as the change form's initial values, for "load this version into the
    editor". Status and times are left as they are now: whether and when an article is
    public is decided by publishing, never by restoring. Photos, documents, regions,
    related articles and spokespeople deleted since are left out (``_missing`` names
    them)."""
    initial = {
        field.name: data.get(field.name)
        for field in CONTENT_FIELDS
        if field.kind in ("text", "html", "choice", "value")
        and field.name not in PUBLICATION_FIELDS
    }
    # Topics are chosen by id in the form; one deleted since is named as missing.
    names = list(data.get("topics", []))
    tags = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    initial["topics"] = [tags[name] for name in names if name in tags]
    sources = {
        "regions": Region.objects,
        "attachments": Document.objects,
        "related": Article.objects,
        "spokespeople": Spokesperson.objects,
    }
    missing = [name for name in names if name not in tags]
    for key, manager in sources.items():
        wanted = dict(data.get(key, []))
        found = set(manager.filter(pk__in=wanted).values_list("pk", flat=True))
        initial[key] = [pk for pk in wanted if pk in found]
        missing += [name for pk, name in wanted.items() if pk not in found]
    photo = data.get("hero_photo")
    initial["hero_photo"] = None
    if photo and Photo.objects.filter(pk=photo[0]).exists():
        initial["hero_photo"] = photo[0]
    elif photo:
        missing.append(photo[1])
    return initial | {"_missing": missing}
