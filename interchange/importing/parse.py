"""Reading and checking an interchange file: every problem found, nothing written.

Limits and choices come from the model fields themselves, dates are held to the bound of
``core.validators``, and files are looked for only inside the JSON file's folder.
"""

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_slug
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.content import CONTENT_FIELDS
from articles.models import (
    RESERVED_SLUGS,
    Article,
    ArticleNote,
    Region,
    SlugRedirect,
    check_reference_only_on_reports,
)
from articles.notes import updated_time
from core.validators import validate_date_in_range
from interchange.importing.chunks import chunked, progress_bar
from media_library.models import Document, Photo, UsageRights, rights_allow_redistribution
from media_library.validation import validate_document_file, validate_image_file

FORMAT = "newsroom-articles/1"

# A record's keys: the content the format carries (articles.content) and its notes.
ARTICLE_KEYS = {field.key for field in CONTENT_FIELDS if field.key is not None} | {"notes"}
NOTE_KEYS = {"kind", "text", "published_at"}
PHOTO_KEYS = {
    "file",
    "alt_text",
    "is_decorative",
    "caption",
    "credit",
    "copyright",
    "title",
    "usage_rights",
    "usage_notes",
    "downloadable",
}
ATTACHMENT_KEYS = {"file", "title", "language"}

# The deepest a value sits in a valid file: document > articles > record > attachments >
# attachment > value. Anything deeper is refused before it is looked at.
MAX_DEPTH = 6
# No field takes a number; longer ones than this are reported without being read.
MAX_INTEGER_DIGITS = 100
# C0 control characters other than tab, newline and carriage return, which PostgreSQL
# refuses (NUL) or which no headline or caption should carry; and lone surrogates, which
# JSON allows ("\ud800") but UTF-8, and so the database, cannot store.
BAD_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

# One answer for a file that is missing and one that is refused (outside the folder, a
# link leading out of it, not a regular file): the import must not tell whether some
# path exists elsewhere on the server.
NO_SUCH_FILE = "no such file in the folder of the JSON file"


class ImportFailed(Exception):
    """The file cannot be imported; ``errors`` lists every problem found, one per line."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) found; nothing was imported.")


@dataclass(frozen=True)
class FileInfo:
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class PhotoSpec:
    """The Photo a record asks for; the first record using a file describes it."""

    file: FileInfo
    alt_text: str = ""
    is_decorative: bool = False
    caption: str = ""
    credit: str = ""
    copyright: str = ""
    title: str = ""
    usage_rights: str = UsageRights.OWNED
    usage_notes: str = ""
    # Left out of the record: what the rights allow (``rights_allow_redistribution``).
    downloadable: bool = True


@dataclass(frozen=True)
class AttachmentSpec:
    file: FileInfo
    title: str
    language: str


@dataclass(frozen=True)
class NoteSpec:
    """A public note (correction, clarification, update) of an article."""

    kind: str
    text: str
    published_at: datetime


@dataclass(frozen=True)
class Record:
    """One valid article record, ready to be written."""

    number: int
    slug: str
    values: dict  # Article column -> value (body still to be sanitised)
    region_ids: frozenset = frozenset()
    topics: tuple = ()
    photo: PhotoSpec | None = None
    related: tuple = ()
    attachments: tuple = ()
    notes: tuple = ()
    slug_given: bool = True


def max_length(model, name) -> int:
    return model._meta.get_field(name).max_length


# The interchange format's statuses (DESIGN.md): "unpublished" is this newsroom's own
# record of a withdrawal, exported as "draft" (interchange.exporting).
INTERCHANGE_STATUSES = [Article.Status.DRAFT, Article.Status.PUBLISHED]


def choice_values(model, name) -> list[str]:
    return [value for value, _ in model._meta.get_field(name).choices]


def parse_file(*, path, progress: bool = False) -> list[Record]:
    """The valid records of the file at ``path``; raises ``ImportFailed`` listing every
    problem ("record N (slug): field: message") if there is one."""
    path = Path(path)
    raw_records = load_document(path)
    checker = RecordChecker(base_dir=path.resolve().parent)
    records = []
    bar = progress_bar(raw_records, desc="Checking", unit="article", enabled=progress)
    for number, raw in enumerate(bar, start=1):
        record = checker.check(number, raw)
        if record is not None:
            records.append(record)
    bar.close()
    records = assign_slugs(records, raw_records, checker.errors)
    check_old_addresses(records, checker.errors)
    check_related(records, raw_records, checker.errors)
    if checker.errors:
        raise ImportFailed(checker.errors)
    return records


def load_document(path: Path) -> list:
    """The list of raw article records, or ``ImportFailed`` for a file that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFailed([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed([f"{path}: cannot be read: {exc}"]) from None
    try:
        document = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise ImportFailed([f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from None
    except RecursionError:
        raise ImportFailed([f"{path}: nested too deeply to be an article file"]) from None
    if not isinstance(document, dict):
        raise ImportFailed(["the file must hold a JSON object with format and articles"])
    problems = []
    if document.get("format") != FORMAT:
        problems.append(f'format: expected "{FORMAT}", found {document.get("format")!r}')
    articles = document.get("articles")
    if not isinstance(articles, list):
        problems.append("articles: must be a list of article records")
    if problems:
        raise ImportFailed(problems)
    return articles


@dataclass(frozen=True)
class LongNumber:
    """A JSON integer with more digits than Python reads (``int`` refuses past 4,300,
    and ``json.loads`` with it), kept as a value to be reported where it stands."""

    digits: int

    def __repr__(self):
        return f"a number of {self.digits} digits, too long to read"


def _integer(text: str) -> int | LongNumber:
    digits = len(text.lstrip("-"))
    return LongNumber(digits) if digits > MAX_INTEGER_DIGITS else int(text)


def parse_datetime(value):
    """An ISO date-time with its UTC offset, or a plain date (midnight, newsroom time),
    within the newsroom's date bound."""
    if not isinstance(value, str):
        raise ValueError("must be a string such as 2017-06-15T09:00:00-04:00 or 2017-06-15")
    text = value.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date (YYYY-MM-DD)") from None
        moment = timezone.make_aware(
            datetime.combine(day, time()), timezone.get_default_timezone()
        )
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO date-time such as 2017-06-15T09:00:00-04:00"
            ) from None
        if timezone.is_naive(moment):
            raise ValueError(
                f"{value!r} has no UTC offset; write it like 2017-06-15T09:00:00-04:00, "
                "or give a plain date"
            )
    try:
        validate_date_in_range(moment)
    except ValidationError as exc:
        raise ValueError(f"{value!r}: {exc.messages[0]}") from None
    return moment


def label_of(raw) -> str:
    """How a record is named in messages: its slug, else its title, shortened."""
    if isinstance(raw, dict):
        for key in ("slug", "title"):
            value = raw.get(key)
            if isinstance(value, str) and value.strip():
                value = BAD_CHARACTERS.sub("?", value.strip())
                return value if len(value) <= 60 else value[:57] + "..."
    return ""


def record_error(errors, number, label, field_name, message):
    where = f"record {number} ({label})" if label else f"record {number}"
    errors.append(f"{where}: {field_name}: {message}")


def bad_values(raw):
    """(field path, problem) for every value nested too deeply or holding a character
    that cannot be stored; walked without recursion, so no input can exhaust the stack."""
    stack = [(raw, "", 2)]  # a record sits at depth 2 of the document
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            yield where, "nested too deeply"
            continue
        if isinstance(value, LongNumber):
            yield where, repr(value)
        elif isinstance(value, str):
            if BAD_CHARACTERS.search(value):
                yield where, "contains a control character or an invalid character"
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if BAD_CHARACTERS.search(key):
                    yield where or "record", "a field name contains a control character"
                    continue
                stack.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, list):
            for i, item in reversed(list(enumerate(value))):
                stack.append((item, f"{where}[{i}]", depth + 1))


class FileChecker:
    """Finds the files records name, strictly inside ``base_dir``, each hashed and
    checked once however many records use it."""

    def __init__(self, *, base_dir: Path):
        self.base_dir = base_dir
        self.files = {}  # resolved path -> FileInfo
        self.image_problems = {}  # resolved path -> message ("" when fine)
        self.document_problems = {}

    def resolve(self, value: str) -> Path | None:
        """The real path of ``value`` if it is a regular file inside the folder."""
        # Refused before touching the file system: absolute paths in either convention
        # and any "..", even one that would come back inside.
        for pure in (PurePosixPath(value), PureWindowsPath(value)):
            if pure.is_absolute() or pure.anchor or ".." in pure.parts:
                return None
        # resolve() follows every symbolic link, so a link leading out is caught here.
        path = (self.base_dir / value).resolve()
        if not path.is_relative_to(self.base_dir) or not path.is_file():
            return None
        return path

    def info(self, value) -> FileInfo | str:
        """The file's FileInfo, or the one message for missing and refused files."""
        path = self.resolve(value)
        if path is None:
            return f"{value}: {NO_SUCH_FILE}"
        if path not in self.files:
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                while chunk := fh.read(1024 * 1024):
                    digest.update(chunk)
            self.files[path] = FileInfo(
                path=path, sha256=digest.hexdigest(), size=path.stat().st_size
            )
        return self.files[path]

    def image_problem(self, info: FileInfo) -> str:
        return self._problem(info, self.image_problems, validate_image_file)

    def document_problem(self, info: FileInfo) -> str:
        return self._problem(info, self.document_problems, validate_document_file)

    def _problem(self, info, cache, validate):
        if info.path not in cache:
            try:
                with info.path.open("rb") as fh:
                    validate(File(fh, name=info.path.name))
            except ValidationError as exc:
                cache[info.path] = " ".join(exc.messages)
            else:
                cache[info.path] = ""
        return cache[info.path]


def region_lookup() -> dict[str, int]:
    """Region id by lower-case slug or ISO code."""
    regions = {}
    for pk, slug, iso in Region.objects.values_list("pk", "slug", "iso_code"):
        regions[slug.lower()] = pk
        if iso:
            regions.setdefault(iso.lower(), pk)
    return regions


class RecordChecker:
    """Checks one raw record at a time; problems are collected in ``errors``."""

    def __init__(self, *, base_dir: Path):
        self.errors = []
        self.files = FileChecker(base_dir=base_dir)
        self.regions = region_lookup()
        # kind -> the reference rule's messages for a non-empty reference: the rule is
        # asked once per kind, not once per record (it costs a query).
        self.reference_rule = {}

    def check(self, number, raw) -> Record | None:
        label = label_of(raw)

        def error(field_name, message):
            record_error(self.errors, number, label, field_name, message)

        if not isinstance(raw, dict):
            error("record", "must be a JSON object")
            return None
        before = len(self.errors)
        for where, message in bad_values(raw):
            error(where, message)
        if len(self.errors) > before:
            # Such values cannot be read further with any confidence.
            return None
        for key in sorted(set(raw) - ARTICLE_KEYS):
            error(key, "unknown field")

        values = {
            "title": text(raw, "title", error, required=True, limit=max_length(Article, "title")),
            "summary": text(raw, "summary", error, required=True),
            # Cleaned when written, not here: on 100,000 records the sanitizer is the
            # slowest step, so it must run once per article, not twice.
            "body": text(raw, "body", error),
            "hero_caption": text(raw, "hero_caption", error),
        }
        values["kind"] = choice(raw, "kind", error, choice_values(Article, "kind"), default=None)
        values["status"] = choice(
            raw,
            "status",
            error,
            INTERCHANGE_STATUSES,
            default=Article.Status.PUBLISHED,
        )
        if raw.get("published_at") is None:
            error("published_at", "required")
        else:
            values["published_at"] = moment(raw, "published_at", error)
        values["substantively_updated_at"] = None
        if raw.get("substantively_updated_at") is not None:
            values["substantively_updated_at"] = moment(raw, "substantively_updated_at", error)
        values["reference_number"] = self._reference(raw, values["kind"], error)
        slug = self._slug(raw, error)

        region_ids = set()
        for i, code in enumerate(items(raw, "regions", error)):
            pk = self.regions.get(code.strip().lower()) if isinstance(code, str) else None
            if pk is None:
                error(f"regions[{i}]", f"unknown region {code!r} (use a region slug or ISO code)")
            else:
                region_ids.add(pk)

        topics = {}
        topic_limit = max_length(Tag, "name")
        for i, name in enumerate(items(raw, "topics", error)):
            if not isinstance(name, str) or not name.strip():
                error(f"topics[{i}]", "must be a non-empty string")
            elif len(name.strip()) > topic_limit:
                error(f"topics[{i}]", f"longer than {topic_limit} characters")
            else:
                topics.setdefault(name.strip().lower(), name.strip())

        photo = None
        if raw.get("photo") is not None:
            photo = self._photo(raw["photo"], error)
        elif values["hero_caption"]:
            error("hero_caption", "a caption override needs a photo")

        related = {}
        for i, other in enumerate(items(raw, "related", error)):
            if not isinstance(other, str) or not other:
                error(f"related[{i}]", "must be an article slug")
            else:
                related.setdefault(other)

        attachments = []
        for i, item in enumerate(items(raw, "attachments", error)):
            spec = self._attachment(i, item, error)
            if spec is not None:
                attachments.append(spec)

        notes = []
        for i, item in enumerate(items(raw, "notes", error)):
            spec = self._note(i, item, error)
            if spec is not None:
                notes.append(spec)

        if len(self.errors) > before:
            return None
        values["substantively_updated_at"] = updated_time(
            values["substantively_updated_at"], *(note.published_at for note in notes)
        )
        return Record(
            number=number,
            slug=slug or "",
            slug_given=slug is not None,
            values=values,
            region_ids=frozenset(region_ids),
            topics=tuple(topics.values()),
            photo=photo,
            related=tuple(related),
            attachments=tuple(attachments),
            notes=tuple(notes),
        )

    def _reference(self, raw, kind, error):
        limit = max_length(Article, "reference_number")
        reference = text(raw, "reference_number", error, limit=limit)
        if reference and len(reference) <= limit:
            try:
                Article._meta.get_field("reference_number").run_validators(reference)
            except ValidationError as exc:
                for message in exc.messages:
                    error("reference_number", message)
                return reference
            if kind not in Article.Kind.values:
                return reference  # reported under "kind"
            if kind not in self.reference_rule:
                try:
                    check_reference_only_on_reports(kind=kind, reference_number=reference)
                except ValidationError as exc:
                    self.reference_rule[kind] = exc.messages
                else:
                    self.reference_rule[kind] = []
            for message in self.reference_rule[kind]:
                error("reference_number", message)
        return reference

    def _slug(self, raw, error):
        slug = raw.get("slug")
        if slug is None:
            return None
        if not isinstance(slug, str) or not slug:
            error("slug", "must be a non-empty string")
            return None
        limit = max_length(Article, "slug")
        if len(slug) > limit:
            error("slug", f"longer than {limit} characters")
        try:
            validate_slug(slug)
        except ValidationError:
            error("slug", f"{slug!r} may contain only letters, digits, - and _")
        if slug in RESERVED_SLUGS:
            error("slug", f"{slug!r} is reserved for the newsroom's own pages")
        return slug

    def _file(self, value, field_name, error) -> FileInfo | None:
        if not isinstance(value, str) or not value.strip():
            error(field_name, "required: a path relative to the JSON file")
            return None
        found = self.files.info(value)
        if isinstance(found, str):
            error(field_name, found)
            return None
        return found

    def _photo(self, raw, error) -> PhotoSpec | None:
        if not isinstance(raw, dict):
            error("photo", "must be an object with file, alt_text, caption and credit")
            return None
        for key in sorted(set(raw) - PHOTO_KEYS):
            error(f"photo.{key}", "unknown field")
        info = self._file(raw.get("file"), "photo.file", error)
        if info is not None and (problem := self.files.image_problem(info)):
            error("photo.file", f"{raw['file']}: {problem}")

        def photo_text(name):
            field_ = Photo._meta.get_field(name)
            return text(raw, name, error, limit=field_.max_length, where="photo")

        decorative = raw.get("is_decorative", False)
        if not isinstance(decorative, bool):
            error("photo.is_decorative", "must be true or false")
        downloadable = raw.get("downloadable")
        if "downloadable" in raw and not isinstance(downloadable, bool):
            error("photo.downloadable", "must be true or false")
        alt_text = photo_text("alt_text")
        if not alt_text and decorative is not True:
            error("photo.alt_text", 'required (or mark the photo "is_decorative": true)')
        rights = choice(
            raw,
            "usage_rights",
            error,
            choice_values(Photo, "usage_rights"),
            default=UsageRights.OWNED,
            where="photo",
        )
        labels = dict(Photo._meta.get_field("usage_rights").flatchoices)
        known = isinstance(rights, str) and rights in labels
        if downloadable is True and known and not rights_allow_redistribution(rights):
            # Fail safe: the format carries no one's confirmation that the licence
            # allows it, so the admin, which records one, is where such an offer is made.
            error(
                "photo.downloadable",
                f"true, but usage_rights {rights!r} ({labels[rights]}) does not allow "
                "journalists to be given the photo; leave downloadable out (or false), or "
                "import it and offer it from the admin, which asks someone to confirm that "
                "we may redistribute it",
            )
        if info is None:
            return None
        return PhotoSpec(
            file=info,
            alt_text=alt_text,
            is_decorative=decorative is True,
            caption=photo_text("caption"),
            credit=photo_text("credit"),
            copyright=photo_text("copyright"),
            title=photo_text("title"),
            usage_rights=rights,
            usage_notes=photo_text("usage_notes"),
            downloadable=(
                downloadable
                if isinstance(downloadable, bool)
                else rights_allow_redistribution(rights)
            ),
        )

    def _note(self, i, raw, error) -> NoteSpec | None:
        where = f"notes[{i}]"
        if not isinstance(raw, dict):
            error(where, "must be an object with kind, text and published_at")
            return None
        before = len(self.errors)
        for key in sorted(set(raw) - NOTE_KEYS):
            error(f"{where}.{key}", "unknown field")
        kind = choice(
            raw, "kind", error, choice_values(ArticleNote, "kind"), default=None, where=where
        )
        note_text = text(
            raw,
            "text",
            error,
            required=True,
            limit=max_length(ArticleNote, "text"),
            where=where,
        )
        published_at = None
        if raw.get("published_at") is None:
            error(f"{where}.published_at", "required")
        else:
            try:
                published_at = parse_datetime(raw["published_at"])
            except ValueError as exc:
                error(f"{where}.published_at", str(exc))
        if len(self.errors) > before:
            return None
        return NoteSpec(kind=kind, text=note_text, published_at=published_at)

    def _attachment(self, i, raw, error) -> AttachmentSpec | None:
        where = f"attachments[{i}]"
        if not isinstance(raw, dict):
            error(where, "must be an object with file, title and language")
            return None
        for key in sorted(set(raw) - ATTACHMENT_KEYS):
            error(f"{where}.{key}", "unknown field")
        info = self._file(raw.get("file"), f"{where}.file", error)
        title = text(
            raw, "title", error, required=True, limit=max_length(Document, "title"), where=where
        )
        language = (
            text(raw, "language", error, limit=max_length(Document, "language"), where=where)
            or "en"
        )
        if info is None:
            return None
        if problem := self.files.document_problem(info):
            error(f"{where}.file", f"{raw['file']}: {problem}")
            return None
        return AttachmentSpec(file=info, title=title, language=language)


def text(raw, key, error, *, required=False, limit=None, where=None) -> str:
    value = raw.get(key)
    name = f"{where}.{key}" if where else key
    if value is None:
        if required:
            error(name, "required")
        return ""
    if not isinstance(value, str):
        error(name, "must be a string")
        return ""
    value = value.strip()
    if required and not value:
        error(name, "must not be empty")
    if limit and len(value) > limit:
        error(name, f"longer than {limit} characters ({len(value)})")
    return value


def choice(raw, key, error, allowed, *, default, where=None):
    value = raw.get(key, default)
    name = f"{where}.{key}" if where else key
    if value is None:
        error(name, "required")
    elif value not in allowed:
        error(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def moment(raw, key, error):
    try:
        return parse_datetime(raw[key])
    except ValueError as exc:
        error(key, str(exc))
        return None


def items(raw, key, error) -> list:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        error(key, "must be a list")
        return []
    return value


def assign_slugs(records, raw_records, errors) -> list[Record]:
    """Reject duplicate slugs; give slug-less records one made from the title.

    A made slug is unique within the file and against the database, except that an
    existing article with the same title and that slug is taken to be the same article,
    so that a file without slugs can be imported again without duplicates.
    """
    first_use = {}
    for number, raw in enumerate(raw_records, start=1):
        slug = raw.get("slug") if isinstance(raw, dict) else None
        if not isinstance(slug, str) or not slug:
            continue
        if slug in first_use:
            record_error(
                errors,
                number,
                label_of(raw),
                "slug",
                f"duplicate: record {first_use[slug]} has the same slug",
            )
        else:
            first_use[slug] = number

    if all(record.slug_given for record in records):
        return records
    existing_titles = dict(Article.objects.values_list("slug", "title"))
    # Another article's old address is never given out: its links must keep working.
    taken = (
        set(first_use)
        | set(RESERVED_SLUGS)
        | set(SlugRedirect.objects.values_list("old_slug", flat=True))
    )
    limit = max_length(Article, "slug")
    named = []
    for record in records:
        if not record.slug_given:
            base = slugify(record.values["title"])[:limit].strip("-") or "article"
            candidate, n = base, 1
            while candidate in taken or (
                candidate in existing_titles
                and existing_titles[candidate] != record.values["title"]
            ):
                n += 1
                suffix = f"-{n}"
                candidate = base[: limit - len(suffix)] + suffix
            taken.add(candidate)
            record = replace(record, slug=candidate)
        named.append(record)
    return named


def check_old_addresses(records, errors) -> None:
    """A slug that is an old address of an article (now at another slug) is refused:
    a new article there would take over the links people shared to the old one."""
    given = [record for record in records if record.slug_given]
    moved = {}
    for batch in chunked([record.slug for record in given]):
        moved.update(
            SlugRedirect.objects.filter(old_slug__in=batch).values_list(
                "old_slug", "article__slug"
            )
        )
    for record in given:
        if record.slug in moved:
            record_error(
                errors,
                record.number,
                record.slug,
                "slug",
                f"{record.slug!r} is an old address of the article now at "
                f"{moved[record.slug]!r}, and links to it still lead there",
            )


def check_related(records, raw_records, errors) -> None:
    """Every related slug names an article in the file or the database, not itself."""
    in_file = {record.slug for record in records}
    for raw in raw_records:
        if isinstance(raw, dict) and isinstance(raw.get("slug"), str):
            in_file.add(raw["slug"])
    wanted = sorted({slug for record in records for slug in record.related} - in_file)
    found = set()
    for batch in chunked(wanted):
        found.update(Article.objects.filter(slug__in=batch).values_list("slug", flat=True))
    for record in records:
        for i, other in enumerate(record.related):
            if other == record.slug:
                message = "an article cannot be related to itself"
            elif other not in in_file and other not in found:
                message = f"no article with slug {other!r} in this file or the database"
            else:
                continue
            record_error(errors, record.number, record.slug, f"related[{i}]", message)
