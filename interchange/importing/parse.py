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
    TaggedArticle,
    check_reference_only_on_reports,
)
from articles.notes import updated_time
from core.languages import default_language, language_codes, language_name
from core.validators import validate_date_in_range
from interchange.importing.chunks import chunked, progress_bar
from media_library.models import Document, Photo, UsageRights, rights_allow_redistribution
from media_library.validation import validate_document_file, validate_image_file

FORMAT = "newsroom-articles/1"

# A record's keys: the content the format carries (articles.content), its notes, and its
# place among the languages (articles.content.NOT_CONTENT says why those are apart).
ARTICLE_KEYS = {field.key for field in CONTENT_FIELDS if field.key is not None} | {
    "notes",
    "language",
    "translation_of",
}
# What a translation group shares (articles.translations): a translation's record may
# leave these out and takes its source's; given, they must agree with the source.
SHARED_KEYS = ("kind", "reference_number", "regions", "topics", "photo")
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
    """The Photo a record asks for; the first record using a file describes it.

    ``file`` is None only while a translation's photo, given without its file, waits
    for its source's (``check_translations``)."""

    file: FileInfo | None
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
    # The slug of the article this record translates (in the file or the database).
    translation_of: str | None = None
    # The shared fields (SHARED_KEYS) the record gives; the others come from its source.
    gives: frozenset = frozenset(SHARED_KEYS)
    # The photo of a source in the database that a translation shares.
    photo_id: int | None = None

    @property
    def language(self) -> str:
        return self.values["language"]


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
    records = check_translations(records, raw_records, checker.errors)
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
        translation_of = self._translation_of(raw, error)
        # A translation may leave out what its group shares: its source has it.
        is_translation = raw.get("translation_of") is not None
        gives = frozenset(
            key for key in SHARED_KEYS if not is_translation or raw.get(key) is not None
        )
        values["language"] = self._language(raw, error)
        values["kind"] = None
        if "kind" in gives:
            values["kind"] = choice(
                raw, "kind", error, choice_values(Article, "kind"), default=None
            )
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
            photo = self._photo(raw["photo"], error, translation=is_translation)
        elif values["hero_caption"] and not is_translation:
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
            translation_of=translation_of,
            gives=gives,
        )

    def _language(self, raw, error) -> str:
        value = raw.get("language")
        if value is None:
            return default_language()
        codes = language_codes()
        if not isinstance(value, str) or value not in codes:
            error(
                "language",
                f"{value!r} is not one of the newsroom's languages ({', '.join(codes)})",
            )
        return value

    def _translation_of(self, raw, error) -> str | None:
        value = raw.get("translation_of")
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            error("translation_of", "must be the slug of the article this record translates")
            return None
        if value == raw.get("slug"):
            error("translation_of", "an article cannot be a translation of itself")
        return value

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

    def _photo(self, raw, error, *, translation=False) -> PhotoSpec | None:
        """The photo of a record. A translation's may leave out its file (the source's
        is shared) and its alt text (the source's stands in)."""
        if not isinstance(raw, dict):
            error("photo", "must be an object with file, alt_text, caption and credit")
            return None
        for key in sorted(set(raw) - PHOTO_KEYS):
            error(f"photo.{key}", "unknown field")
        info = None
        if not translation or raw.get("file") is not None:
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
        if not alt_text and decorative is not True and not translation:
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
        if info is None and not translation:
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


@dataclass(frozen=True)
class Source:
    """The article a translation record names, from the file or the database, with what
    its group shares."""

    slug: str
    language: str
    translation_of: str | None  # set when it is itself a translation
    kind: str
    reference_number: str
    region_ids: frozenset
    topics: dict  # lower-case name -> name
    photo: PhotoSpec | None = None  # a source in the file
    photo_id: int | None = None  # a source in the database
    photo_shas: frozenset = frozenset()
    photo_label: str = ""
    number: int | None = None  # its record in the file

    @property
    def where(self) -> str:
        return f"record {self.number}" if self.number else "in the database"

    @classmethod
    def from_record(cls, record, raw):
        photo = record.photo
        label = ""
        if photo is not None and isinstance(raw.get("photo"), dict):
            label = str(raw["photo"].get("file", ""))
        return cls(
            slug=record.slug,
            language=record.language,
            translation_of=record.translation_of,
            kind=record.values["kind"],
            reference_number=record.values["reference_number"],
            region_ids=record.region_ids,
            topics={name.lower(): name for name in record.topics},
            photo=photo,
            photo_shas=frozenset({photo.file.sha256}) if photo and photo.file else frozenset(),
            photo_label=label,
            number=record.number,
        )


def database_sources(slugs) -> dict[str, Source]:
    """The articles of the database that translation records name, by slug: one query
    per batch of slugs, and one per batch for the regions and the topics of those that
    are sources."""
    rows = {}
    for batch in chunked(sorted(slugs)):
        rows.update(
            (row["slug"], row)
            for row in Article.objects.filter(slug__in=batch).values(
                "pk",
                "slug",
                "language",
                "translation_of__slug",
                "kind",
                "reference_number",
                "hero_photo_id",
                "hero_photo__sha256",
                "hero_photo__stored_sha256",
                "hero_photo__image",
            )
        )
    ids = [row["pk"] for row in rows.values() if row["translation_of__slug"] is None]
    regions, topics = {}, {}
    for batch in chunked(ids):
        through = Article.regions.through.objects.filter(article_id__in=batch)
        for article_id, region_id in through.values_list("article_id", "region_id"):
            regions.setdefault(article_id, set()).add(region_id)
        tagged = TaggedArticle.objects.filter(content_object_id__in=batch)
        for article_id, name in tagged.values_list("content_object_id", "tag__name"):
            topics.setdefault(article_id, {})[name.lower()] = name
    return {
        slug: Source(
            slug=slug,
            language=row["language"],
            translation_of=row["translation_of__slug"],
            kind=row["kind"],
            reference_number=row["reference_number"] or "",
            region_ids=frozenset(regions.get(row["pk"], ())),
            topics=topics.get(row["pk"], {}),
            photo_id=row["hero_photo_id"],
            photo_shas=frozenset(
                {row["hero_photo__sha256"], row["hero_photo__stored_sha256"]} - {None, ""}
            ),
            photo_label=PurePosixPath(row["hero_photo__image"] or "").name,
        )
        for slug, row in rows.items()
    }


def database_translations(slugs) -> dict[str, list[tuple[str, str]]]:
    """(slug, language) of the database's translations of each of ``slugs``; no query
    at all while the database holds no translation."""
    found = {}
    if not Article.objects.filter(translation_of__isnull=False).exists():
        return found
    for batch in chunked(sorted(slugs)):
        rows = Article.objects.filter(translation_of__slug__in=batch).values_list(
            "translation_of__slug", "slug", "language"
        )
        for source, slug, language in rows.order_by("pk"):
            found.setdefault(source, []).append((slug, language))
    return found


def check_translations(records, raw_records, errors) -> list[Record]:
    """Check every record's place in its translation group and give translations what
    their group shares; return the records sources first, so that a translation may name
    a record further down the file.

    A translation names its source by slug, in the file or already in the database (all
    looked up in one query per batch); the source is not itself a translation; a group
    has one article per language, the database's included; and what a translation gives
    of the shared fields agrees with its source.
    """
    by_slug = {record.slug: record for record in records}
    raw_slugs = {
        raw["slug"]
        for raw in raw_records
        if isinstance(raw, dict) and isinstance(raw.get("slug"), str)
    }
    named = {record.translation_of for record in records if record.translation_of}
    in_database = database_sources(named - raw_slugs) if named - raw_slugs else {}
    # The database's translations count in a group unless the file rewrites them.
    children = {
        source: [(slug, language) for slug, language in members if slug not in raw_slugs]
        for source, members in database_translations(set(by_slug) | set(in_database)).items()
    }

    def error(record, field_name, message):
        record_error(errors, record.number, record.slug, field_name, message)

    sources = {}  # translation's slug -> its Source, for those that name a valid one
    for record in records:
        if record.translation_of is None:
            continue
        name = record.translation_of
        if name == record.slug:
            continue  # reported while checking the record
        if name in by_slug:
            source = Source.from_record(by_slug[name], raw_records[by_slug[name].number - 1])
        elif name in in_database:
            source = in_database[name]
        elif name in raw_slugs:
            continue  # a record with problems of its own, reported there
        else:
            error(
                record,
                "translation_of",
                f"no article with slug {name!r} in this file or the database",
            )
            continue
        if source.translation_of is not None:
            error(
                record,
                "translation_of",
                f"{name!r} ({source.where}) is itself a translation, of "
                f"{source.translation_of!r}: name the source of the group instead",
            )
            continue
        if children.get(record.slug):
            own = ", ".join(repr(slug) for slug, _ in children[record.slug])
            error(
                record,
                "translation_of",
                f"this article has translations of its own in the database ({own}): "
                "it is the source of its group",
            )
            continue
        sources[record.slug] = source

    check_one_per_language(records, by_slug, sources, in_database, children, error)
    shared = [
        share_with(record, sources[record.slug], error) if record.slug in sources else record
        for record in records
    ]
    # Sources before translations; a translation's source is never a translation.
    return sorted(shared, key=lambda record: record.translation_of is not None)


def check_one_per_language(records, by_slug, sources, in_database, children, error) -> None:
    """Report every record that would be its group's second article in a language: the
    later one in the file, or the record whose language a database article already has."""
    groups = {}  # source slug -> [(language, label, record or None for the database's)]
    named = {source.slug for source in sources.values()}
    for slug, record in by_slug.items():
        if record.translation_of is None and (slug in named or children.get(slug)):
            groups[slug] = [(record.language, f"{slug!r} (record {record.number})", record)]
    for slug in named - set(groups):
        if slug in in_database:
            groups[slug] = [(in_database[slug].language, f"{slug!r} (in the database)", None)]
    for slug, members in groups.items():
        for other, language in children.get(slug, ()):
            members.append((language, f"{other!r} (in the database)", None))
    for record in records:
        if record.slug in sources:
            groups[sources[record.slug].slug].append(
                (record.language, f"{record.slug!r} (record {record.number})", record)
            )
    for slug, members in groups.items():
        holders = {}
        for language, label, record in members:
            if language not in holders:
                holders[language] = (label, record)
                continue
            held_label, held_by = holders[language]
            reported, other = (record, held_label) if record is not None else (held_by, label)
            if reported is None:
                continue  # two of the database's own: not this file's doing
            error(
                reported,
                "language",
                f"the translation group of {slug!r} already has an article in "
                f"{language_name(language)} ({language}): {other}",
            )


def share_with(record, source, error) -> Record:
    """``record`` with what its group shares taken from ``source``; what the record gives
    must agree with the source, and each field that does not is reported."""

    def differs(field_name, given, theirs):
        error(
            record,
            field_name,
            f"{given} differs from its source {source.slug!r} ({source.where}), which "
            f"has {theirs}; leave it out or give the same",
        )

    values = dict(record.values)
    gives = record.gives
    if "kind" in gives and values["kind"] != source.kind:
        differs("kind", repr(values["kind"]), repr(source.kind))
    values["kind"] = source.kind
    if "reference_number" in gives and values["reference_number"] != source.reference_number:
        differs(
            "reference_number",
            repr(values["reference_number"]) if values["reference_number"] else "none",
            repr(source.reference_number) if source.reference_number else "none",
        )
    values["reference_number"] = source.reference_number
    if "regions" in gives and record.region_ids != source.region_ids:
        slugs = dict(Region.objects.values_list("pk", "slug"))
        differs(
            "regions",
            sorted(slugs[pk] for pk in record.region_ids),
            sorted(slugs[pk] for pk in source.region_ids),
        )
    topics = {name.lower(): name for name in record.topics}
    if "topics" in gives and topics.keys() != source.topics.keys():
        differs("topics", sorted(topics.values()), sorted(source.topics.values()))

    photo, photo_id = record.photo, source.photo_id
    if photo is not None and photo.file is not None:
        if not source.photo_shas:
            error(
                record, "photo.file", f"its source {source.slug!r} ({source.where}) has no photo"
            )
        elif photo.file.sha256 not in source.photo_shas:
            differs("photo.file", "this photo", f"another one ({source.photo_label})")
    elif photo is not None:  # its own texts for the source's photo
        if not source.photo_shas:
            error(
                record,
                "photo.file",
                f"required: its source {source.slug!r} ({source.where}) has no photo to share",
            )
        elif source.photo is not None:
            photo = replace(photo, file=source.photo.file)
    else:
        photo = source.photo
    if values["hero_caption"] and photo is None and photo_id is None:
        error(record, "hero_caption", "a caption override needs a photo")
    return replace(
        record,
        values=values,
        region_ids=source.region_ids,
        topics=tuple(source.topics.values()),
        photo=photo,
        photo_id=photo_id,
    )
