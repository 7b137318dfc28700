"""Writes to the media library that take more than one step.

The admin, the article importer and the demo seeder all create photos and documents
through these functions, so every route checks uploads the same way, keeps originals
private and stripped of metadata, and gets its renditions from the background worker
(``media_library.tasks``) once the photo is committed, never inside a request.
"""

import hashlib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.cache import content_changed
from media_library import downloads as download_maker
from media_library import gating, tasks, visibility
from media_library import renditions as rendition_maker
from media_library.metadata import MetadataError, strip_metadata
from media_library.models import Document, Photo, UsageRights, rights_allow_redistribution
from media_library.storage import IMAGE_EXTENSIONS, originals_storage
from media_library.usage import Usage, usages_of
from media_library.validation import validate_document_file, validate_image_file

PDF_CONTENT_TYPE = "application/pdf"


def _sha256_and_size(file) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def clean_original(file) -> tuple[ContentFile, str]:
    """Validate an uploaded image and return it stripped of metadata, named by its
    verified format, with the checksum of the file as received.

    The one way an original enters the library (admin upload and edit, import, seeding,
    ``manage.py move_originals``). The checksum is of the received bytes so that the
    importer, which hashes the files in its folder, recognises a file it imported before.
    Raises ValidationError for a file that is not an acceptable image.
    """
    info = validate_image_file(file)
    sha256, _size = _sha256_and_size(file)
    file.seek(0)
    data = file.read()
    file.seek(0)
    try:
        clean = strip_metadata(data, info.format)
    except MetadataError as exc:
        raise ValidationError(
            "The image's structure could not be read well enough to remove its location "
            "and camera data, so it was not stored. Open it in an image editor, save it "
            "again and re-upload it.",
            code="metadata",
        ) from exc
    return ContentFile(clean, name=f"original.{IMAGE_EXTENSIONS[info.format]}"), sha256


def photo_fill_file_fields(*, photo: Photo) -> None:
    """Set the checksum and size of a photo stored before checksums were kept."""
    photo.image.open("rb")
    try:
        photo.sha256, photo.file_size = _sha256_and_size(photo.image.file)
    finally:
        photo.image.close()


@transaction.atomic
def photo_create(
    *,
    file,
    alt_text: str = "",
    is_decorative: bool = False,
    caption: str = "",
    credit: str = "",
    copyright: str = "",
    title: str = "",
    usage_rights: str = UsageRights.OWNED,
    usage_notes: str = "",
    downloadable: bool | None = None,
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    uploaded_by=None,
    generate_renditions: bool = True,
) -> Photo:
    """Validate and store a new photo; its renditions are made by the worker after commit.

    The stored original is stripped of metadata (``clean_original``). Does not look for an
    existing photo with the same checksum: callers that want one photo per file (the
    importer) look up ``sha256`` themselves first. With ``generate_renditions=False`` the
    caller enqueues them itself (``photos_enqueue_renditions``) or leaves them to
    ``manage.py generate_renditions``. Raises ValidationError for a bad file or fields.
    "Offer for download" left out (None) follows the usage rights
    (``rights_allow_redistribution``); an offer the rights forbid is refused.
    """
    if downloadable is None:
        downloadable = rights_allow_redistribution(usage_rights)
    original, sha256 = clean_original(file)
    photo = Photo(
        image=original,
        stored_sha256=_sha256_and_size(original)[0],
        alt_text=alt_text,
        is_decorative=is_decorative,
        caption=caption,
        credit=credit,
        copyright=copyright,
        title=title,
        usage_rights=usage_rights,
        usage_notes=usage_notes,
        downloadable=downloadable,
        focal_x=focal_x,
        focal_y=focal_y,
        uploaded_by=uploaded_by,
        sha256=sha256,
        file_size=original.size,
    )
    photo.full_clean()
    photo.save()
    if generate_renditions:
        photos_enqueue_renditions(photo_ids=[photo.pk])
    return photo


def photos_enqueue_renditions(*, photo_ids: Iterable[int]) -> None:
    """Have the worker make these photos' renditions once the transaction commits.

    What the admin, the importer and the seeder call after storing photos. Enqueued after
    commit so that the worker finds the rows; the task does nothing for a photo whose
    renditions are already current, so enqueueing twice is harmless.
    """
    ids = sorted(set(photo_ids))
    if not ids:
        return

    def enqueue():
        for photo_id in ids:
            tasks.make_renditions.enqueue(photo_id=photo_id)

    transaction.on_commit(enqueue)


@transaction.atomic
def photo_save(*, photo: Photo, file_changed: bool, previous_file: str = "") -> Photo:
    """Save an edited photo (admin); the worker brings its renditions up to date.

    A new file is stripped of metadata like any upload and gets a new checksum, and a new
    focal point a new key, so the task regenerates renditions exactly when one of them
    changed. The replaced original is deleted after commit.
    """
    if file_changed:
        original, photo.sha256 = clean_original(photo.image.file)
        photo.image = original
        photo.file_size = original.size
        photo.stored_sha256 = _sha256_and_size(original)[0]
    photo.save()
    if photo.renditions_pending:
        # Only a new file or focal point needs new renditions; a caption edit does not.
        photos_enqueue_renditions(photo_ids=[photo.pk])
    if file_changed and previous_file and previous_file != photo.image.name:
        storage = originals_storage()
        transaction.on_commit(lambda: storage.delete(previous_file))
    return photo


def photo_generate_renditions(*, photo: Photo, force: bool = False) -> bool:
    """Make the photo's renditions and its full-size download unless the stored ones are
    current; True if it made anything.

    Called by the worker (``media_library.tasks.make_renditions``) and in bulk by
    ``manage.py generate_renditions``, never while a request is being served. Files of an
    older focal point, original or credit are deleted once the new set is committed, and
    ``downloads.download_changed`` is sent then, so media kits that hold the photo are
    rebuilt.
    """
    if not photo.sha256:
        photo_fill_file_fields(photo=photo)
        Photo.objects.filter(pk=photo.pk).update(sha256=photo.sha256, file_size=photo.file_size)
    key = rendition_maker.renditions_key(
        sha256=photo.sha256, focal_x=photo.focal_x, focal_y=photo.focal_y
    )
    renditions_due = force or not rendition_maker.is_current(photo.renditions, key)
    download_due = force or download_maker.pending(photo)
    if not (renditions_due or download_due):
        return False

    renditions = dict(photo.renditions or {})
    if renditions_due:
        photo.image.open("rb")
        try:
            image = rendition_maker.load_oriented(photo.image.file)
        finally:
            photo.image.close()
        made = rendition_maker.generate(
            image=image,
            photo_id=photo.pk,
            key=key,
            focal_x=photo.focal_x,
            focal_y=photo.focal_y,
            storage=gating.storage_for(photo),
        )
        # The download is not a rendition of the crop: it keeps its own entry.
        renditions = made | {
            name: value for name, value in renditions.items() if name == download_maker.FIELD
        }
    if download_due:
        entry = download_maker.generate(photo)
        renditions.pop(download_maker.FIELD, None)
        if entry is not None:
            renditions[download_maker.FIELD] = entry
    photo.renditions = renditions
    # A new updated_at names new cached cards, and the content version new cached pages:
    # a photo whose renditions arrive later (backfill after an import) must then show.
    photo.updated_at = timezone.now()
    with transaction.atomic():
        withheld = (
            Photo.objects.select_for_update()
            .filter(pk=photo.pk)
            .values_list("withheld", flat=True)
            .first()
        )
        if renditions_due and withheld is not None and withheld != photo.withheld:
            # Published or withdrawn while these were being made: the new files go to
            # the side the photo is on now.
            made_in = gating.storage_for(photo)
            photo.withheld = withheld
            made = rendition_maker.stored_paths(renditions)
            gating.move(made, source=made_in, target=gating.storage_for(photo))
            transaction.on_commit(lambda: [made_in.delete(name) for name in made])
        Photo.objects.filter(pk=photo.pk).update(
            renditions=renditions, updated_at=photo.updated_at
        )
    content_changed()

    photo_id = photo.pk
    if renditions_due:
        keep = rendition_maker.stored_paths(renditions)
        folder = rendition_maker.renditions_dir(photo_id)
        storage = gating.storage_for(photo)
        transaction.on_commit(
            lambda: _delete_stale_renditions(folder=folder, keep=keep, storage=storage)
        )
    if download_due:
        kept = renditions.get(download_maker.FIELD, {}).get("path", "")
        transaction.on_commit(lambda: download_maker.delete_stale(photo_id=photo_id, keep=kept))
        transaction.on_commit(
            lambda: download_maker.download_changed.send(sender=Photo, photo_id=photo_id)
        )
    return True


def _delete_stale_renditions(*, folder: str, keep: set[str], storage) -> None:
    # Listing the folder (rather than trusting the old JSON) also removes files left by
    # a run that failed before it could record them.
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in files:
        path = folder + filename
        if path not in keep:
            storage.delete(path)


def photo_delete_renditions(*, photo_id: int) -> None:
    """Remove every rendition file of a photo (after it is deleted), public or withheld."""
    folder = rendition_maker.renditions_dir(photo_id)
    for storage in (default_storage, originals_storage()):
        _delete_stale_renditions(folder=folder, keep=set(), storage=storage)


def photo_usages(*, photo: Photo) -> list[Usage]:
    """Everything that shows this photo (as registered by the using apps)."""
    return usages_of(photo)


def document_usages(*, document: Document) -> list[Usage]:
    """Everything that offers this document for download."""
    return usages_of(document)


class InUseError(ValidationError):
    """Raised when deleting something that articles or spokespeople still use."""

    def __init__(self, obj, usages: list[Usage]):
        self.obj = obj
        self.usages = usages
        super().__init__(
            "%(obj)s is used by %(count)d item(s) and cannot be deleted: %(names)s.",
            params={
                "obj": obj,
                "count": len(usages),
                "names": ", ".join(f"{u.kind.lower()} “{u.label}”" for u in usages),
            },
            code="in_use",
        )


@transaction.atomic
def photo_delete(*, photo: Photo) -> None:
    """Delete a photo no one uses, with its original and renditions."""
    usages = photo_usages(photo=photo)
    if usages:
        raise InUseError(photo, usages)
    photo_id, image_name = photo.pk, photo.image.name
    photo.delete()
    transaction.on_commit(lambda: _delete_photo_files(photo_id=photo_id, image_name=image_name))


def _delete_photo_files(*, photo_id: int, image_name: str) -> None:
    if image_name:
        originals_storage().delete(image_name)
    photo_delete_renditions(photo_id=photo_id)
    download_maker.delete_stale(photo_id=photo_id)


@transaction.atomic
def document_create(*, file, title: str, language: str = "en") -> Document:
    """Validate and store a PDF document. Raises ValidationError for a bad file."""
    validate_document_file(file)
    sha256, size = _sha256_and_size(file)
    document = Document(
        file=file,
        title=title,
        language=language,
        sha256=sha256,
        file_size=size,
        # Only PDFs pass validation, whatever the file was called.
        content_type=PDF_CONTENT_TYPE,
    )
    document.full_clean()
    document.save()
    return document


def document_fill_file_fields(*, document: Document) -> None:
    """Set checksum, size and content type from the document's (new) file."""
    document.sha256, document.file_size = _sha256_and_size(document.file.file)
    document.content_type = PDF_CONTENT_TYPE


@transaction.atomic
def document_save(*, document: Document, file_changed: bool, previous_file: str = "") -> Document:
    """Save an edited document (admin). A new file is stored privately, like every new
    file, and moved out once the transaction commits if a live article offers the
    document; the replaced file is deleted then, wherever it is."""
    if file_changed:
        document_fill_file_fields(document=document)
        document.withheld = True
    document.save()
    if file_changed:
        visibility.sync_after_commit(document_ids=[document.pk])
        if previous_file and previous_file != document.file.name:
            storage = document.file.storage
            transaction.on_commit(lambda: storage.delete(previous_file))
    return document


@transaction.atomic
def document_delete(*, document: Document) -> None:
    """Delete a document that no article offers for download."""
    usages = document_usages(document=document)
    if usages:
        raise InUseError(document, usages)
    file_name = document.file.name
    document.delete()
    # Wherever it is: public, or withheld.
    transaction.on_commit(lambda: file_name and document.file.storage.delete(file_name))
