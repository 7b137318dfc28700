"""Writing checked records: one transaction, bulk queries, and no files left on failure.

Each step is a function of what the previous ones returned, so nothing depends on the
order of calls on shared state. Photos are stored by ``store_photo`` and regions written
by ``write_regions``, each the one place an import does so.
"""

from collections.abc import Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.core.files import File
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag

from articles.changes import Stored, articles_written
from articles.content import CONTENT_FIELDS
from articles.models import Article, ArticleNote, TaggedArticle
from articles.sanitize import sanitize_html
from core.cache import bump_content_version_on_commit
from core.languages import default_language
from interchange.importing.chunks import BATCH_SIZE, chunked, progress_bar
from interchange.importing.parse import AttachmentSpec, PhotoSpec, Record
from media_library import visibility
from media_library.models import Document, Photo, PhotoText
from media_library.services import document_create, photo_create, photos_enqueue_renditions

# The article columns an import sets (the content the format carries, but the slug, by
# which records are matched, and the relations; and the article's place among the
# languages); comparing them tells whether a record changed.
ARTICLE_FIELDS = (
    *(
        Article._meta.get_field(field.name).attname
        for field in CONTENT_FIELDS
        if field.key is not None
        and field.name != "slug"
        and not Article._meta.get_field(field.name).many_to_many
    ),
    "language",
    "translation_of_id",
)

# name: (through model, article column, other column)
RELATIONS = {
    "regions": (Article.regions.through, "article_id", "region_id"),
    "topics": (TaggedArticle, "content_object_id", "tag_id"),
    "related": (Article.related.through, "from_article_id", "to_article_id"),
    "attachments": (Article.attachments.through, "article_id", "document_id"),
}

# Every table an import may write, for ANALYZE afterwards.
WRITTEN_MODELS = (
    Article,
    *(through for through, _, _ in RELATIONS.values()),
    Tag,
    Photo,
    PhotoText,
    Document,
    ArticleNote,
)


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


def write_records(
    *,
    records: list[Record],
    user=None,
    progress: bool = False,
    generate_renditions: bool = True,
    alerts: bool = True,
) -> ImportResult:
    """Write checked records in one transaction; on any failure, nothing stays behind:
    the transaction is rolled back and the files stored so far are deleted."""
    result = ImportResult()
    with files_removed_on_failure() as stored, transaction.atomic():
        if connection.vendor == "postgresql":
            # The article search index (GIN) takes new rows into a pending list that is
            # merged into the index whenever it fills; a larger list for this transaction
            # means fewer, more efficient merges during a big import.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        tag_ids = write_tags(records, result=result)
        photo_ids = write_photos(
            records, user=user, stored=stored, result=result, progress=progress
        )
        write_photo_texts(records, photo_ids=photo_ids)
        document_ids = write_documents(records, stored=stored, result=result)
        existing = existing_articles(records)
        media_before = media_of_existing(existing)
        slug_ids = {slug: row["pk"] for slug, row in existing.items()} | outside_ids(records)
        detach_moving_translations(records, existing=existing, slug_ids=slug_ids)
        create_articles(
            records,
            existing=existing,
            photo_ids=photo_ids,
            slug_ids=slug_ids,
            user=user,
            progress=progress,
        )
        result.created = len(records) - len(existing)
        wanted = {
            record.slug: {
                "regions": set(record.region_ids),
                "topics": {tag_ids[name.lower()] for name in record.topics},
                "related": {slug_ids[slug] for slug in record.related},
                "attachments": {document_ids[a.file.sha256] for a in record.attachments},
            }
            for record in records
        }
        changes, relations_changed = relation_changes(wanted, slug_ids=slug_ids, existing=existing)
        write_regions(changes["regions"], progress=progress)
        for name in ("topics", "related", "attachments"):
            replace_relation(name, changes[name], progress=progress)
        relations_changed |= write_notes(records, slug_ids=slug_ids, existing=existing, user=user)
        updated = update_articles(
            records,
            existing=existing,
            photo_ids=photo_ids,
            slug_ids=slug_ids,
            relations_changed=relations_changed,
            user=user,
        )
        result.updated = len(updated)
        result.unchanged = len(existing) - result.updated
        if result.created or result.updated:
            transaction.on_commit(analyze_written_tables)
            # Bulk writes send no model signals: what follows a write of an article (the
            # groupings, caches, revisions, alerts, embargoes, media kits) is told here.
            created = [slug_ids[r.slug] for r in records if r.slug not in existing]
            stood = {
                row["pk"]: Stored(*(row[name] for name in Stored._fields))
                for row in existing.values()
            }
            articles_written(
                article_ids=[*created, *updated],
                before=dict.fromkeys(created) | {pk: stood[pk] for pk in updated},
                alerts=alerts,
            )
            # A photo or PDF is public while a live article uses it: check those the
            # articles use now and those they used before.
            visibility.sync_after_commit(
                photo_ids=media_before["photos"] | set(photo_ids.values()),
                document_ids=media_before["documents"] | set(document_ids.values()),
            )
        if generate_renditions and result.photos_without_renditions:
            # The worker makes them once this transaction commits.
            photos_enqueue_renditions(photo_ids=result.photos_without_renditions)
            result.photos_without_renditions = []
    return result


@contextmanager
def files_removed_on_failure():
    """Yield a list for (storage, name) of every file stored; delete them on failure.

    Storage is outside the transaction: without this a rolled-back import would leave
    its photos and documents in media with no row pointing at them.
    """
    stored = []
    try:
        yield stored
    except BaseException:
        for storage, name in stored:
            # Best effort: the original failure is what the caller must see.
            with suppress(OSError):
                storage.delete(name)
        raise


def stored_files(instance: models.Model) -> Iterable[tuple]:
    """(storage, name) of every file an instance's file fields hold."""
    for model_field in instance._meta.concrete_fields:
        if isinstance(model_field, models.FileField):
            fieldfile = getattr(instance, model_field.attname)
            if fieldfile:
                yield fieldfile.storage, fieldfile.name


def write_tags(records, *, result) -> dict[str, int]:
    """Create the topics no tag has yet (case-insensitively); tag id by lower-case name."""
    by_name = {}
    slugs = set()
    for pk, name, slug in Tag.objects.values_list("pk", "name", "slug"):
        by_name.setdefault(name.lower(), pk)
        slugs.add(slug)
    new_tags = {}
    slug_limit = Tag._meta.get_field("slug").max_length
    for record in records:
        for name in record.topics:
            if name.lower() in by_name or name.lower() in new_tags:
                continue
            tag = Tag(name=name)
            base = tag.slugify(name)[: slug_limit - 5] or "topic"
            slug, i = base, 0
            while slug in slugs:
                i += 1
                slug = f"{base}_{i}"
            tag.slug = slug
            slugs.add(slug)
            new_tags[name.lower()] = tag
    Tag.objects.bulk_create(new_tags.values(), batch_size=BATCH_SIZE)
    result.tags_created = len(new_tags)
    if any(tag.pk is None for tag in new_tags.values()):
        # Backends that do not return primary keys from a bulk insert.
        for batch in chunked([tag.name for tag in new_tags.values()]):
            for pk, name in Tag.objects.filter(name__in=batch).values_list("pk", "name"):
                new_tags[name.lower()].pk = pk
    by_name.update((key, tag.pk) for key, tag in new_tags.items())
    return by_name


def existing_by_sha(model, shas) -> dict[str, int]:
    """Id by checksum of the rows that hold these files. A photo is also found by the
    checksum of its stored original: an export writes that (stripped of metadata), so
    importing an export into the newsroom it came from reuses the photo."""
    found = {}
    for batch in chunked(sorted(shas)):
        wanted = set(batch)
        rows = model.objects.filter(sha256__in=batch)
        fields = ["pk", "sha256"]
        if model is Photo:
            rows = model.objects.filter(Q(sha256__in=batch) | Q(stored_sha256__in=batch))
            fields.append("stored_sha256")
        for pk, *checksums in rows.order_by("pk").values_list(*fields):
            for sha in checksums:
                if sha in wanted:
                    found.setdefault(sha, pk)
    return found


def store_photo(spec: PhotoSpec, *, user, stored: list) -> Photo:
    """Store one new photo from the import folder (renditions come later)."""
    with spec.file.path.open("rb") as fh:
        photo = photo_create(
            file=File(fh, name=spec.file.path.name),
            alt_text=spec.alt_text,
            is_decorative=spec.is_decorative,
            caption=spec.caption,
            credit=spec.credit,
            copyright=spec.copyright,
            title=spec.title,
            usage_rights=spec.usage_rights,
            usage_notes=spec.usage_notes,
            downloadable=spec.downloadable,
            uploaded_by=user,
            generate_renditions=False,
        )
    stored.extend(stored_files(photo))
    return photo


def write_photos(records, *, user, stored, result, progress) -> dict[str, int]:
    """One Photo per file (by checksum), reusing the library's; photo id by checksum.

    A new photo's own texts are the default language's: a record in that language that
    gives the photo describes it, else the first record using it (sources come first)."""
    specs = {}
    default = default_language()
    describes_in_default = [r for r in records if r.language == default and "photo" in r.gives]
    for record in [*describes_in_default, *records]:
        # A translation of an article already here shares its photo (``photo_id``).
        if record.photo is not None and record.photo_id is None:
            specs.setdefault(record.photo.file.sha256, record.photo)
    ids = existing_by_sha(Photo, specs)
    result.photos_reused = len(ids)
    todo = [spec for sha, spec in specs.items() if sha not in ids]
    for spec in progress_bar(todo, desc="Photos", unit="photo", enabled=progress):
        photo = store_photo(spec, user=user, stored=stored)
        ids[spec.file.sha256] = photo.pk
        result.photos_without_renditions.append(photo.pk)
    result.photos_created = len(todo)
    return ids


def write_photo_texts(records, *, photo_ids) -> None:
    """Give each photo the alt text and caption its records give in their languages
    other than the default (whose are the photo's own): one ``PhotoText`` per photo and
    language, so the same file under a group's versions stays one photo. Written only
    where it differs, so importing the same file again writes nothing."""
    default = default_language()
    wanted = {}
    for record in records:
        photo = record.photo
        # A translation that left its photo out shares the source's words, not its own.
        if photo is None or record.language == default or "photo" not in record.gives:
            continue
        if not (photo.alt_text or photo.caption):
            continue
        photo_id = record.photo_id if record.photo_id is not None else photo_ids[photo.file.sha256]
        wanted.setdefault((photo_id, record.language), (photo.alt_text, photo.caption))
    if not wanted:
        return
    current = {}
    for batch in chunked(sorted({photo_id for photo_id, _language in wanted})):
        for text in PhotoText.objects.filter(photo_id__in=batch):
            current[(text.photo_id, text.language)] = text
    new, changed = [], []
    for (photo_id, language), (alt_text, caption) in wanted.items():
        text = current.get((photo_id, language))
        if text is None:
            new.append(
                PhotoText(photo_id=photo_id, language=language, alt_text=alt_text, caption=caption)
            )
        elif (text.alt_text, text.caption) != (alt_text, caption):
            text.alt_text, text.caption = alt_text, caption
            changed.append(text)
    PhotoText.objects.bulk_create(new, batch_size=BATCH_SIZE)
    PhotoText.objects.bulk_update(changed, ["alt_text", "caption"], batch_size=BATCH_SIZE)
    if new or changed:
        # Bulk writes send no signals: the pages and cards showing these photos change.
        bump_content_version_on_commit()


def store_document(spec: AttachmentSpec, *, stored: list) -> Document:
    with spec.file.path.open("rb") as fh:
        document = document_create(
            file=File(fh, name=spec.file.path.name), title=spec.title, language=spec.language
        )
    stored.extend(stored_files(document))
    return document


def write_documents(records, *, stored, result) -> dict[str, int]:
    """One Document per file (by checksum), reusing the library's; id by checksum."""
    specs = {}
    for record in records:
        for spec in record.attachments:
            specs.setdefault(spec.file.sha256, spec)
    ids = existing_by_sha(Document, specs)
    result.documents_reused = len(ids)
    for sha, spec in specs.items():
        if sha not in ids:
            ids[sha] = store_document(spec, stored=stored).pk
            result.documents_created += 1
    return ids


def existing_articles(records) -> dict[str, dict]:
    """The stored columns of the articles the records name, by slug."""
    existing = {}
    for batch in chunked([record.slug for record in records]):
        for row in Article.objects.filter(slug__in=batch).values("pk", "slug", *ARTICLE_FIELDS):
            existing[row["slug"]] = row
    return existing


def media_of_existing(existing) -> dict[str, set[int]]:
    """The photos and documents the existing articles use before the import."""
    photos = {row["hero_photo_id"] for row in existing.values()} - {None}
    documents = set()
    through = Article.attachments.through.objects
    for batch in chunked([row["pk"] for row in existing.values()]):
        documents.update(
            through.filter(article_id__in=batch).values_list("document_id", flat=True)
        )
    return {"photos": photos, "documents": documents}


def article_values(record, *, photo_ids, slug_ids) -> dict:
    photo_id = record.photo_id
    if photo_id is None and record.photo is not None:
        photo_id = photo_ids[record.photo.file.sha256]
    source = record.translation_of
    return {
        **record.values,
        "hero_photo_id": photo_id,
        "translation_of_id": slug_ids[source] if source is not None else None,
    }


def outside_ids(records) -> dict[str, int]:
    """The id of every article the records name (as related, or as the source they
    translate) that is not in the file: one query per batch of slugs."""
    in_file = {record.slug for record in records}
    named = {slug for record in records for slug in record.related}
    named |= {record.translation_of for record in records if record.translation_of}
    found = {}
    for batch in chunked(sorted(named - in_file)):
        found.update(Article.objects.filter(slug__in=batch).values_list("slug", "pk"))
    return found


def detach_moving_translations(records, *, existing, slug_ids) -> None:
    """Detach, for the length of the transaction, the existing translations whose group
    or language the file changes: the database holds a group to one article per
    language at every statement, and the file may hand a language from one version to
    another. ``update_articles`` then gives each its place."""
    moving = []
    for record in records:
        row = existing.get(record.slug)
        if row is None or row["translation_of_id"] is None:
            continue
        # A source created by this import has no id yet: the translation moves to it.
        target = slug_ids.get(record.translation_of) if record.translation_of else None
        if (target, record.language) != (row["translation_of_id"], row["language"]):
            moving.append(row["pk"])
    for batch in chunked(moving):
        Article.objects.filter(pk__in=batch).update(translation_of=None)


def create_articles(records, *, existing, photo_ids, slug_ids, user, progress) -> None:
    """Create the new articles, adding their ids to ``slug_ids``.

    Existing articles are only read here: whether one changed is known once its
    regions, topics, related articles and attachments have been compared too.
    """
    new = [record for record in records if record.slug not in existing]
    bar = progress_bar(total=len(new), desc="Articles", unit="article", enabled=progress)
    # Sources first: a new translation points at its source's id (parse checked that
    # no source is itself a translation, so one pass each is enough).
    sources = [record for record in new if record.translation_of is None]
    translations = [record for record in new if record.translation_of is not None]
    for group in (sources, translations):
        for batch in chunked(group):
            articles = [
                Article(
                    slug=record.slug,
                    created_by=user,
                    updated_by=user,
                    **article_values(record, photo_ids=photo_ids, slug_ids=slug_ids),
                )
                for record in batch
            ]
            Article.objects.bulk_create(articles)
            slug_ids.update((article.slug, article.pk) for article in articles)
            bar.update(len(articles))
    bar.close()


def relation_changes(wanted, *, slug_ids, existing):
    """What to replace, per relation: {name: {article id: wanted ids}}; and the ids of
    existing articles whose relations differ from the file."""
    existing_ids = [row["pk"] for row in existing.values()]
    current = {name: {} for name in RELATIONS}
    for name, (through, owner, other) in RELATIONS.items():
        for batch in chunked(existing_ids):
            rows = through.objects.filter(**{f"{owner}__in": batch}).values_list(owner, other)
            for owner_id, other_id in rows:
                current[name].setdefault(owner_id, set()).add(other_id)
    changes = {name: {} for name in RELATIONS}
    changed_ids = set()
    for slug, relations in wanted.items():
        article_id = slug_ids[slug]
        for name, ids in relations.items():
            if slug not in existing:
                changes[name][article_id] = ids
            elif current[name].get(article_id, set()) != ids:
                changes[name][article_id] = ids
                changed_ids.add(article_id)
    return changes, changed_ids


def replace_relation(name, changes: dict[int, set[int]], *, progress=False) -> None:
    """Set relation ``name`` of each article id in ``changes`` to exactly its ids."""
    through, owner, other = RELATIONS[name]
    for batch in chunked(list(changes)):
        through.objects.filter(**{f"{owner}__in": batch}).delete()
    pairs = [(article_id, pk) for article_id, ids in changes.items() for pk in ids]
    bar = progress_bar(
        total=len(pairs), desc=name.capitalize(), unit="row", enabled=progress and bool(pairs)
    )
    for batch in chunked(pairs, BATCH_SIZE * 5):
        through.objects.bulk_create([through(**{owner: a, other: b}) for a, b in batch])
        bar.update(len(batch))
    bar.close()


def write_regions(changes: dict[int, set[int]], *, progress=False) -> None:
    """Set the regions of imported articles (article id -> region ids): the one place an
    import writes regions. The stored groupings follow when the import announces what it
    wrote (``articles.changes.articles_written``)."""
    replace_relation("regions", changes, progress=progress)


def _note_key(kind, text, published_at):
    return (kind, text, published_at)


def write_notes(records, *, slug_ids, existing, user) -> set[int]:
    """Give each imported article exactly the notes of its record; return the ids of
    existing articles whose notes changed. Notes are compared as (kind, text, time), so
    importing the same file again writes nothing."""
    existing_ids = [row["pk"] for row in existing.values()]
    current = {}
    for batch in chunked(existing_ids):
        rows = ArticleNote.objects.filter(article_id__in=batch).values_list(
            "article_id", "kind", "text", "published_at"
        )
        for article_id, *note in rows:
            current.setdefault(article_id, []).append(_note_key(*note))
    replace, changed = {}, set()
    for record in records:
        article_id = slug_ids[record.slug]
        wanted = sorted(_note_key(n.kind, n.text, n.published_at) for n in record.notes)
        if record.slug not in existing:
            if wanted:
                replace[article_id] = wanted
        elif sorted(current.get(article_id, [])) != wanted:
            replace[article_id] = wanted
            changed.add(article_id)
    for batch in chunked(list(replace)):
        ArticleNote.objects.filter(article_id__in=batch).delete()
    ArticleNote.objects.bulk_create(
        [
            ArticleNote(
                article_id=article_id,
                kind=kind,
                text=text,
                published_at=published_at,
                created_by=user,
            )
            for article_id, notes in replace.items()
            for kind, text, published_at in notes
        ],
        batch_size=BATCH_SIZE,
    )
    return changed


def update_articles(
    records, *, existing, photo_ids, slug_ids, relations_changed, user
) -> list[int]:
    """Save the existing articles whose columns or relations changed; return their ids."""
    changed = []
    now = timezone.now()
    for record in records:
        row = existing.get(record.slug)
        if row is None:
            continue
        values = article_values(record, photo_ids=photo_ids, slug_ids=slug_ids)
        # New articles are cleaned by the body field as bulk_create saves them;
        # bulk_update skips the field's pre_save, so clean explicitly here, which also
        # makes the comparison with the stored (clean) body exact.
        values["body"] = sanitize_html(values["body"])
        dirty = row["pk"] in relations_changed or any(
            row[name] != values[name] for name in ARTICLE_FIELDS
        )
        if dirty:
            changed.append(
                Article(pk=row["pk"], slug=record.slug, updated_at=now, updated_by=user, **values)
            )
    if changed:
        Article.objects.bulk_update(
            changed, [*ARTICLE_FIELDS, "updated_at", "updated_by"], batch_size=BATCH_SIZE
        )
    return [article.pk for article in changed]


def analyze_written_tables() -> None:
    """Refresh the planner's statistics of the tables an import wrote (PostgreSQL).

    PostgreSQL's "Populating a Database" advises ANALYZE after a bulk load: until
    autovacuum gets round to it (never, where it is off) the planner keeps estimating
    the tables as nearly empty and picks slow plans for every public list.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in WRITTEN_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
