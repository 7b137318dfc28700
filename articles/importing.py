"""Import articles from the interchange format ("newsroom-articles/1", see the README).

The import is all-or-nothing. ``articles_import`` first reads and checks the whole file
(every record, every referenced photo and document file) and collects every problem; if
there is one, it raises ``ImportFailed`` with all of them and writes nothing. Otherwise it
writes everything in one transaction, with bulk queries so that 100,000 records take
minutes, not hours.

Records are keyed by slug: an existing article whose content already matches its record is
left alone (its ``updated_at`` does not move), so importing the same file twice changes
nothing. Files are keyed by their SHA-256: the same photo used by several records, or
already in the library, becomes one Photo; the same for attachments.
"""

import hashlib
import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_slug
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from tqdm import tqdm

from articles.models import Article, Region, TaggedArticle, validate_reference_number
from articles.sanitize import sanitize_html
from core.cache import content_changed
from media_library.models import Document, Photo, UsageRights
from media_library.services import (
    document_create,
    photo_create,
    photo_generate_renditions,
    validate_image_file,
)
from media_library.validation import validate_document_file

FORMAT = "newsroom-articles/1"
BATCH_SIZE = 1000

ARTICLE_KEYS = {
    "slug",
    "kind",
    "title",
    "summary",
    "body",
    "published_at",
    "status",
    "regions",
    "topics",
    "photo",
    "hero_caption",
    "related",
    "attachments",
    "reference_number",
    "substantively_updated_at",
}
PHOTO_KEYS = {
    "file",
    "alt_text",
    "is_decorative",
    "caption",
    "credit",
    "title",
    "usage_rights",
    "usage_notes",
}
ATTACHMENT_KEYS = {"file", "title", "language"}

# The article columns an import sets; comparing them tells whether a record changed.
ARTICLE_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "published_at",
    "status",
    "reference_number",
    "hero_caption",
    "substantively_updated_at",
    "hero_photo_id",
)


class ImportFailed(Exception):
    """The file cannot be imported; ``errors`` lists every problem found, one per line."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) found; nothing was imported.")


@dataclass
class ImportResult:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    photos_created: int = 0
    photos_reused: int = 0
    documents_created: int = 0
    documents_reused: int = 0
    tags_created: int = 0
    # Photos created without renditions (``generate_renditions=False``).
    photos_without_renditions: list[int] = field(default_factory=list)

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


@dataclass
class _FileInfo:
    path: Path
    sha256: str
    size: int


@dataclass
class _PhotoSpec:
    """The Photo a record asks for; the first record using a file describes it."""

    file: _FileInfo
    alt_text: str = ""
    is_decorative: bool = False
    caption: str = ""
    credit: str = ""
    title: str = ""
    usage_rights: str = UsageRights.OWNED
    usage_notes: str = ""


@dataclass
class _AttachmentSpec:
    file: _FileInfo
    title: str
    language: str


@dataclass
class _Record:
    number: int
    slug: str
    values: dict
    region_ids: set
    topics: list
    photo: _PhotoSpec | None
    related: list
    attachments: list
    slug_given: bool = True


class _Errors:
    """Collects problems as "record N (label): field: message"."""

    def __init__(self):
        self.items = []

    def file(self, message):
        self.items.append(message)

    def record(self, number, label, field_name, message):
        where = f"record {number} ({label})" if label else f"record {number}"
        self.items.append(f"{where}: {field_name}: {message}")


def _parse_datetime(value):
    """An ISO date-time with its UTC offset, or a plain date (midnight, newsroom time)."""
    if not isinstance(value, str):
        raise ValueError("must be a string such as 2017-06-15T09:00:00-04:00 or 2017-06-15")
    text = value.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid date (YYYY-MM-DD)") from None
        return timezone.make_aware(datetime.combine(day, time()), timezone.get_default_timezone())
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
    return moment


class _Importer:
    def __init__(self, *, path, user, progress):
        self.path = Path(path)
        self.base_dir = self.path.resolve().parent
        self.user = user
        self.progress = progress
        self.errors = _Errors()
        self.files = {}  # resolved path -> _FileInfo | None (None: unusable)
        self.image_checked = {}  # resolved path -> error message or ""
        self.document_checked = {}
        self.result = ImportResult()

    # --- reading and checking -------------------------------------------------------

    def load(self):
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ImportFailed([f"{self.path}: no such file"]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed([f"{self.path}: cannot be read: {exc}"]) from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFailed(
                [f"{self.path}: line {exc.lineno}, column {exc.colno}: {exc.msg}"]
            ) from None
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

    def validate(self, raw_records):
        self.regions = {}
        for pk, slug, iso in Region.objects.values_list("pk", "slug", "iso_code"):
            self.regions[slug.lower()] = pk
            if iso:
                self.regions.setdefault(iso.lower(), pk)

        records = []
        bar = tqdm(
            raw_records,
            desc="Checking",
            unit="article",
            disable=not self.progress,
            file=sys.stderr,
        )
        for number, raw in enumerate(bar, start=1):
            record = self._check_record(number, raw)
            if record is not None:
                records.append(record)
        bar.close()
        self._assign_slugs(records, raw_records)
        self._check_related(records, raw_records)
        if self.errors.items:
            raise ImportFailed(self.errors.items)
        return records

    def _label(self, raw):
        if isinstance(raw, dict):
            for key in ("slug", "title"):
                value = raw.get(key)
                if isinstance(value, str) and value.strip():
                    value = value.strip()
                    return value if len(value) <= 60 else value[:57] + "..."
        return ""

    def _check_record(self, number, raw):
        label = self._label(raw)

        def error(field_name, message):
            self.errors.record(number, label, field_name, message)

        if not isinstance(raw, dict):
            error("record", "must be a JSON object")
            return None
        before = len(self.errors.items)
        for key in sorted(set(raw) - ARTICLE_KEYS):
            error(key, "unknown field")

        values = {}
        values["title"] = self._text(raw, "title", error, required=True, max_length=255)
        values["summary"] = self._text(raw, "summary", error, required=True)
        body = self._text(raw, "body", error)
        # Cleaned when written (see _write_relations), not here: on 100,000 records the
        # sanitizer is the slowest step, so it must run once per article, not twice.
        values["body"] = body

        kind = raw.get("kind")
        if kind is None:
            error("kind", "required")
        elif kind not in Article.Kind.values:
            error("kind", f"{kind!r} is not one of {', '.join(Article.Kind.values)}")
        values["kind"] = kind

        status = raw.get("status", Article.Status.PUBLISHED)
        if status not in Article.Status.values:
            error("status", f"{status!r} is not one of {', '.join(Article.Status.values)}")
        values["status"] = status

        if raw.get("published_at") is None:
            error("published_at", "required")
        else:
            try:
                values["published_at"] = _parse_datetime(raw["published_at"])
            except ValueError as exc:
                error("published_at", str(exc))
        values["substantively_updated_at"] = None
        if raw.get("substantively_updated_at") is not None:
            try:
                values["substantively_updated_at"] = _parse_datetime(
                    raw["substantively_updated_at"]
                )
            except ValueError as exc:
                error("substantively_updated_at", str(exc))

        reference = self._text(raw, "reference_number", error, max_length=30)
        if reference:
            if kind != Article.Kind.REPORT:
                error("reference_number", "only reports carry a reference number")
            try:
                validate_reference_number(reference)
            except ValidationError as exc:
                for message in exc.messages:
                    error("reference_number", message)
        values["reference_number"] = reference

        slug = raw.get("slug")
        if slug is not None:
            if not isinstance(slug, str) or not slug:
                error("slug", "must be a non-empty string")
                slug = None
            else:
                if len(slug) > 255:
                    error("slug", "longer than 255 characters")
                try:
                    validate_slug(slug)
                except ValidationError:
                    error("slug", f"{slug!r} may contain only letters, digits, - and _")

        region_ids = set()
        regions = self._list(raw, "regions", error)
        for i, code in enumerate(regions):
            pk = self.regions.get(code.strip().lower()) if isinstance(code, str) else None
            if pk is None:
                error(f"regions[{i}]", f"unknown region {code!r} (use a region slug or ISO code)")
            else:
                region_ids.add(pk)

        topics = []
        seen_topics = set()
        for i, name in enumerate(self._list(raw, "topics", error)):
            if not isinstance(name, str) or not name.strip():
                error(f"topics[{i}]", "must be a non-empty string")
            elif len(name.strip()) > 100:
                error(f"topics[{i}]", "longer than 100 characters")
            elif name.strip().lower() not in seen_topics:
                seen_topics.add(name.strip().lower())
                topics.append(name.strip())

        photo = None
        if raw.get("photo") is not None:
            photo = self._check_photo(raw["photo"], error)
        values["hero_caption"] = self._text(raw, "hero_caption", error)
        if values["hero_caption"] and raw.get("photo") is None:
            error("hero_caption", "a caption override needs a photo")

        related = []
        for i, other in enumerate(self._list(raw, "related", error)):
            if not isinstance(other, str) or not other:
                error(f"related[{i}]", "must be an article slug")
            elif other not in related:
                related.append(other)

        attachments = []
        for i, item in enumerate(self._list(raw, "attachments", error)):
            spec = self._check_attachment(i, item, error)
            if spec is not None:
                attachments.append(spec)

        if len(self.errors.items) > before:
            return None
        return _Record(
            number=number,
            slug=slug or "",
            slug_given=slug is not None,
            values=values,
            region_ids=region_ids,
            topics=topics,
            photo=photo,
            related=related,
            attachments=attachments,
        )

    def _text(self, raw, key, error, *, required=False, max_length=None, where=None):
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
        if max_length and len(value) > max_length:
            error(name, f"longer than {max_length} characters ({len(value)})")
        return value

    def _list(self, raw, key, error):
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            error(key, "must be a list")
            return []
        return value

    def _file(self, value, field_name, error):
        """The file a record names, hashed once however many records use it."""
        if not isinstance(value, str) or not value.strip():
            error(field_name, "required: a path relative to the JSON file")
            return None
        path = (self.base_dir / value).resolve()
        if path not in self.files:
            info = None
            if path.is_file():
                digest = hashlib.sha256()
                with path.open("rb") as fh:
                    while chunk := fh.read(1024 * 1024):
                        digest.update(chunk)
                info = _FileInfo(path=path, sha256=digest.hexdigest(), size=path.stat().st_size)
            self.files[path] = info
        info = self.files[path]
        if info is None:
            error(field_name, f"no such file: {value}")
        return info

    def _check_photo(self, raw, error):
        if not isinstance(raw, dict):
            error("photo", "must be an object with file, alt_text, caption and credit")
            return None
        for key in sorted(set(raw) - PHOTO_KEYS):
            error(f"photo.{key}", "unknown field")
        info = self._file(raw.get("file"), "photo.file", error)
        if info is not None:
            if info.path not in self.image_checked:
                try:
                    with info.path.open("rb") as fh:
                        validate_image_file(File(fh, name=info.path.name))
                except ValidationError as exc:
                    self.image_checked[info.path] = " ".join(exc.messages)
                else:
                    self.image_checked[info.path] = ""
            if self.image_checked[info.path]:
                error("photo.file", f"{raw['file']}: {self.image_checked[info.path]}")
        spec = _PhotoSpec(
            file=info,
            alt_text=self._text(raw, "alt_text", error, max_length=300, where="photo"),
            caption=self._text(raw, "caption", error, where="photo"),
            credit=self._text(raw, "credit", error, max_length=200, where="photo"),
            title=self._text(raw, "title", error, max_length=200, where="photo"),
            usage_notes=self._text(raw, "usage_notes", error, max_length=300, where="photo"),
        )
        decorative = raw.get("is_decorative", False)
        if not isinstance(decorative, bool):
            error("photo.is_decorative", "must be true or false")
        spec.is_decorative = decorative is True
        if not spec.alt_text and not spec.is_decorative:
            error("photo.alt_text", 'required (or mark the photo "is_decorative": true)')
        rights = raw.get("usage_rights", UsageRights.OWNED)
        if rights not in UsageRights.values:
            error(
                "photo.usage_rights", f"{rights!r} is not one of {', '.join(UsageRights.values)}"
            )
        spec.usage_rights = rights
        return spec

    def _check_attachment(self, i, raw, error):
        where = f"attachments[{i}]"
        if not isinstance(raw, dict):
            error(where, "must be an object with file, title and language")
            return None
        for key in sorted(set(raw) - ATTACHMENT_KEYS):
            error(f"{where}.{key}", "unknown field")
        info = self._file(raw.get("file"), f"{where}.file", error)
        title = self._text(raw, "title", error, required=True, max_length=200, where=where)
        language = self._text(raw, "language", error, max_length=10, where=where) or "en"
        if info is None:
            return None
        if info.path not in self.document_checked:
            try:
                with info.path.open("rb") as fh:
                    validate_document_file(File(fh, name=info.path.name))
            except ValidationError as exc:
                self.document_checked[info.path] = " ".join(exc.messages)
            else:
                self.document_checked[info.path] = ""
        if self.document_checked[info.path]:
            error(f"{where}.file", f"{raw['file']}: {self.document_checked[info.path]}")
            return None
        return _AttachmentSpec(file=info, title=title, language=language)

    def _assign_slugs(self, records, raw_records):
        """Reject duplicate slugs; give slug-less records one made from the title.

        A made slug is unique within the file and against the database, except that an
        existing article with the same title and that slug is taken to be the same
        article, so that a file without slugs can be imported again without duplicates.
        """
        first_use = {}
        for number, raw in enumerate(raw_records, start=1):
            slug = raw.get("slug") if isinstance(raw, dict) else None
            if not isinstance(slug, str) or not slug:
                continue
            if slug in first_use:
                self.errors.record(
                    number,
                    self._label(raw),
                    "slug",
                    f"duplicate: record {first_use[slug]} has the same slug",
                )
            else:
                first_use[slug] = number

        slugless = [record for record in records if not record.slug_given]
        if not slugless:
            return
        existing_titles = dict(Article.objects.values_list("slug", "title"))
        taken = set(first_use)
        for record in slugless:
            base = slugify(record.values["title"])[:255].strip("-") or "article"
            candidate, n = base, 1
            while candidate in taken or (
                candidate in existing_titles
                and existing_titles[candidate] != record.values["title"]
            ):
                n += 1
                suffix = f"-{n}"
                candidate = base[: 255 - len(suffix)] + suffix
            record.slug = candidate
            taken.add(candidate)

    def _check_related(self, records, raw_records):
        in_file = {record.slug for record in records}
        for raw in raw_records:
            if isinstance(raw, dict) and isinstance(raw.get("slug"), str):
                in_file.add(raw["slug"])
        wanted = {slug for record in records for slug in record.related} - in_file
        found = set()
        wanted_list = sorted(wanted)
        for start in range(0, len(wanted_list), BATCH_SIZE):
            found.update(
                Article.objects.filter(
                    slug__in=wanted_list[start : start + BATCH_SIZE]
                ).values_list("slug", flat=True)
            )
        for record in records:
            for i, other in enumerate(record.related):
                if other == record.slug:
                    self.errors.record(
                        record.number,
                        record.slug,
                        f"related[{i}]",
                        "an article cannot be related to itself",
                    )
                elif other not in in_file and other not in found:
                    self.errors.record(
                        record.number,
                        record.slug,
                        f"related[{i}]",
                        f"no article with slug {other!r} in this file or the database",
                    )

    # --- writing --------------------------------------------------------------------

    def write(self, records):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The article search index (GIN) takes new rows into a pending list that
                # is merged into the index whenever it fills; a larger list for this
                # transaction means fewer, more efficient merges during a big import.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
            tag_ids = self._write_tags(records)
            photo_ids = self._write_photos(records)
            document_ids = self._write_documents(records)
            slug_ids = self._write_articles(records, photo_ids)
            self._write_relations(records, slug_ids, tag_ids, document_ids)
            if self.result.created or self.result.updated:
                # Bulk writes send no model signals, so the page cache is told here.
                content_changed()
            new_photos = list(self.result.photos_without_renditions)
            if self.generate_renditions and new_photos:
                transaction.on_commit(lambda: self._make_renditions(new_photos))

    def _make_renditions(self, photo_ids):
        photos = Photo.objects.filter(pk__in=photo_ids).order_by("pk")
        bar = tqdm(
            photos,
            total=len(photo_ids),
            desc="Renditions",
            unit="photo",
            disable=not self.progress,
            file=sys.stderr,
        )
        for photo in bar:
            photo_generate_renditions(photo=photo)
        self.result.photos_without_renditions = []

    def _write_tags(self, records):
        by_name = {}
        slugs = set()
        for pk, name, slug in Tag.objects.values_list("pk", "name", "slug"):
            by_name.setdefault(name.lower(), pk)
            by_name[name] = pk
            slugs.add(slug)
        new_tags = {}
        for record in records:
            for name in record.topics:
                if name in by_name or name.lower() in by_name or name.lower() in new_tags:
                    continue
                tag = Tag(name=name)
                base = tag.slugify(name)[:95] or "topic"
                slug, i = base, 0
                while slug in slugs:
                    i += 1
                    slug = f"{base}_{i}"
                tag.slug = slug
                slugs.add(slug)
                new_tags[name.lower()] = tag
        Tag.objects.bulk_create(new_tags.values(), batch_size=BATCH_SIZE)
        self.result.tags_created = len(new_tags)
        for key, tag in new_tags.items():
            by_name[key] = tag.pk
        if any(tag.pk is None for tag in new_tags.values()):
            # Backends that do not return primary keys from a bulk insert.
            for pk, name in Tag.objects.filter(
                name__in=[t.name for t in new_tags.values()]
            ).values_list("pk", "name"):
                by_name[name.lower()] = pk
        return by_name

    def _existing_by_sha(self, model, shas):
        found = {}
        shas = sorted(shas)
        for start in range(0, len(shas), BATCH_SIZE):
            for pk, sha in model.objects.filter(
                sha256__in=shas[start : start + BATCH_SIZE]
            ).values_list("pk", "sha256"):
                found.setdefault(sha, pk)
        return found

    def _write_photos(self, records):
        specs = {}
        for record in records:
            if record.photo is not None:
                specs.setdefault(record.photo.file.sha256, record.photo)
        ids = self._existing_by_sha(Photo, specs)
        self.result.photos_reused = len(ids)
        todo = [spec for sha, spec in specs.items() if sha not in ids]
        for spec in tqdm(
            todo, desc="Photos", unit="photo", disable=not self.progress, file=sys.stderr
        ):
            with spec.file.path.open("rb") as fh:
                photo = photo_create(
                    file=File(fh, name=spec.file.path.name),
                    alt_text=spec.alt_text,
                    is_decorative=spec.is_decorative,
                    caption=spec.caption,
                    credit=spec.credit,
                    title=spec.title,
                    usage_rights=spec.usage_rights,
                    usage_notes=spec.usage_notes,
                    uploaded_by=self.user,
                    generate_renditions=False,
                )
            ids[spec.file.sha256] = photo.pk
            self.result.photos_without_renditions.append(photo.pk)
        self.result.photos_created = len(todo)
        return ids

    def _write_documents(self, records):
        specs = {}
        for record in records:
            for spec in record.attachments:
                specs.setdefault(spec.file.sha256, spec)
        ids = self._existing_by_sha(Document, specs)
        self.result.documents_reused = len(ids)
        for sha, spec in specs.items():
            if sha in ids:
                continue
            with spec.file.path.open("rb") as fh:
                document = document_create(
                    file=File(fh, name=spec.file.path.name),
                    title=spec.title,
                    language=spec.language,
                )
            ids[sha] = document.pk
            self.result.documents_created += 1
        return ids

    def _write_articles(self, records, photo_ids):
        """Create the new articles; return every slug the import refers to, with its id.

        Existing articles are only read here: whether one changed is known once its
        regions, topics, related articles and attachments have been compared too.
        """
        for record in records:
            photo = record.photo
            record.values["hero_photo_id"] = photo_ids[photo.file.sha256] if photo else None

        self.existing = {}
        slugs = [record.slug for record in records]
        for start in range(0, len(slugs), BATCH_SIZE):
            rows = Article.objects.filter(slug__in=slugs[start : start + BATCH_SIZE]).values(
                "pk", "slug", *ARTICLE_FIELDS
            )
            for row in rows:
                self.existing[row["slug"]] = row

        new = [record for record in records if record.slug not in self.existing]
        slug_ids = {slug: row["pk"] for slug, row in self.existing.items()}
        bar = tqdm(
            total=len(new),
            desc="Articles",
            unit="article",
            disable=not self.progress,
            file=sys.stderr,
        )
        for start in range(0, len(new), BATCH_SIZE):
            batch = [
                Article(
                    slug=record.slug,
                    created_by=self.user,
                    updated_by=self.user,
                    **record.values,
                )
                for record in new[start : start + BATCH_SIZE]
            ]
            Article.objects.bulk_create(batch)
            for article in batch:
                slug_ids[article.slug] = article.pk
            bar.update(len(batch))
        bar.close()
        self.result.created = len(new)
        self.new_slugs = {record.slug for record in new}

        outside = sorted({s for record in records for s in record.related} - set(slug_ids))
        for start in range(0, len(outside), BATCH_SIZE):
            slug_ids.update(
                Article.objects.filter(slug__in=outside[start : start + BATCH_SIZE]).values_list(
                    "slug", "pk"
                )
            )
        return slug_ids

    def _write_relations(self, records, slug_ids, tag_ids, document_ids):
        """Set regions, topics, related articles and attachments; update changed articles."""
        relations = {
            # name: (through model, owner column, other column)
            "regions": (Article.regions.through, "article_id", "region_id"),
            "topics": (TaggedArticle, "content_object_id", "tag_id"),
            "related": (Article.related.through, "from_article_id", "to_article_id"),
            "attachments": (Article.attachments.through, "article_id", "document_id"),
        }
        existing_ids = [row["pk"] for row in self.existing.values()]
        current = {name: {} for name in relations}
        for name, (through, owner, other) in relations.items():
            for start in range(0, len(existing_ids), BATCH_SIZE):
                rows = through.objects.filter(
                    **{f"{owner}__in": existing_ids[start : start + BATCH_SIZE]}
                ).values_list(owner, other)
                for owner_id, other_id in rows:
                    current[name].setdefault(owner_id, set()).add(other_id)

        to_add = {name: [] for name in relations}
        to_clear = {name: [] for name in relations}
        changed = []
        now = timezone.now()
        for record in records:
            article_id = slug_ids[record.slug]
            wanted = {
                "regions": record.region_ids,
                "topics": {tag_ids.get(n) or tag_ids[n.lower()] for n in record.topics},
                "related": {slug_ids[s] for s in record.related},
                "attachments": {document_ids[a.file.sha256] for a in record.attachments},
            }
            row = self.existing.get(record.slug)
            if row is not None:
                # New articles are cleaned by the body field as bulk_create saves them;
                # bulk_update skips the field's pre_save, so clean explicitly here, which
                # also makes the comparison with the stored (clean) body exact.
                record.values["body"] = sanitize_html(record.values["body"])
            dirty = row is not None and any(
                row[name] != record.values[name] for name in ARTICLE_FIELDS
            )
            for name, ids in wanted.items():
                if row is None:
                    to_add[name].extend((article_id, other) for other in ids)
                elif current[name].get(article_id, set()) != ids:
                    dirty = True
                    to_clear[name].append(article_id)
                    to_add[name].extend((article_id, other) for other in ids)
            if row is None:
                continue
            if dirty:
                changed.append(
                    Article(
                        pk=article_id,
                        slug=record.slug,
                        updated_at=now,
                        updated_by=self.user,
                        **record.values,
                    )
                )
            else:
                self.result.unchanged += 1

        for name, (through, owner, other) in relations.items():
            ids = to_clear[name]
            for start in range(0, len(ids), BATCH_SIZE):
                through.objects.filter(
                    **{f"{owner}__in": ids[start : start + BATCH_SIZE]}
                ).delete()
            pairs = to_add[name]
            bar = tqdm(
                total=len(pairs),
                desc=name.capitalize(),
                unit="row",
                disable=not self.progress or not pairs,
                file=sys.stderr,
            )
            for start in range(0, len(pairs), BATCH_SIZE * 5):
                batch = pairs[start : start + BATCH_SIZE * 5]
                through.objects.bulk_create([through(**{owner: a, other: b}) for a, b in batch])
                bar.update(len(batch))
            bar.close()

        if changed:
            Article.objects.bulk_update(
                changed, [*ARTICLE_FIELDS, "updated_at", "updated_by"], batch_size=BATCH_SIZE
            )
        self.result.updated = len(changed)


def articles_import(
    *, path, user=None, progress: bool = False, generate_renditions: bool = True
) -> ImportResult:
    """Import the interchange file at ``path``: all of it, or, on any problem, nothing.

    Raises ``ImportFailed`` listing every problem ("record N (slug): field: message").
    Renditions of new photos are made once the transaction has committed; with
    ``generate_renditions=False`` they are left for ``manage.py generate_renditions
    --missing`` and listed in ``ImportResult.photos_without_renditions``.
    """
    importer = _Importer(path=path, user=user, progress=progress)
    importer.generate_renditions = generate_renditions
    records = importer.validate(importer.load())
    importer.write(records)
    return importer.result
