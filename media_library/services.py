"""Writes to the media library that take more than one step.

The admin, the article importer and the demo seeder all create photos and documents
through these functions, so every route checks uploads the same way, keeps originals
private and stripped of metadata, and gets its renditions from the background worker
(``media_library.tasks``) once the photo is committed, never inside a request.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from media_library import downloads as download_maker
from media_library import tasks, visibility
from media_library.metadata import MetadataError, strip_metadata
from media_library.models import Document, Photo, UsageRights, rights_allow_redistribution
from media_library.processing import photo_delete_renditions
from media_library.storage import IMAGE_EXTENSIONS, originals_storage, sha256_and_size
from media_library.usage import Usage, usages_of
from media_library.validation import validate_document_file, validate_image_file

PDF_CONTENT_TYPE = "application/pdf"


def clean_original(file) -> tuple[ContentFile, str]:
    """Validate an uploaded image and return it stripped of metadata, named by its
    verified format, with the checksum of the file as received.

    The one way an original enters the library (admin upload and edit, import, seeding,
    ``manage.py move_originals``). The checksum is of the received bytes so that the
    importer, which hashes the files in its folder, recognises a file it imported before.
    Raises ValidationError for a file that is not an acceptable image.
    """
    info = validate_image_file(file)
    sha256, _size = sha256_and_size(file)
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
        stored_sha256=sha256_and_size(original)[0],
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
        photo.stored_sha256 = sha256_and_size(original)[0]
    photo.save()
    if photo.renditions_pending:
        # Only a new file or focal point needs new renditions; a caption edit does not.
        photos_enqueue_renditions(photo_ids=[photo.pk])
    if file_changed and previous_file and previous_file != photo.image.name:
        storage = originals_storage()
        transaction.on_commit(lambda: storage.delete(previous_file))
    return photo


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
    sha256, size = sha256_and_size(file)
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
    document.sha256, document.file_size = sha256_and_size(document.file.file)
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
