"""Writes to the media library that take more than one step.

The admin, the article importer and the demo seeder all create photos and documents
through these functions, so every route checks uploads the same way and every photo gets
its metadata-free renditions before any public page can show it.
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.cache import content_changed
from media_library import renditions as rendition_maker
from media_library.models import Document, Photo, UsageRights
from media_library.validation import validate_document_file
from media_library.validation import validate_image_file as _validate_image_file

PDF_CONTENT_TYPE = "application/pdf"


def validate_image_file(file):
    """Raise ValidationError unless ``file`` is an acceptable photo (see validation.py).

    Returns what was learned about the image (format, width, height).
    """
    return _validate_image_file(file)


def _sha256_and_size(file) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def photo_fill_file_fields(*, photo: Photo) -> None:
    """Set the checksum and size of the photo's (new) file, before it is saved."""
    photo.sha256, photo.file_size = _sha256_and_size(photo.image.file)


@transaction.atomic
def photo_create(
    *,
    file,
    alt_text: str = "",
    is_decorative: bool = False,
    caption: str = "",
    credit: str = "",
    title: str = "",
    usage_rights: str = UsageRights.OWNED,
    usage_notes: str = "",
    focal_x: float = 0.5,
    focal_y: float = 0.5,
    uploaded_by=None,
    generate_renditions: bool = True,
) -> Photo:
    """Validate and store a new photo, then make its renditions.

    Does not look for an existing photo with the same checksum: callers that want one
    photo per file (the importer) look up ``sha256`` themselves first.
    Raises ValidationError for a bad file or bad fields.
    """
    validate_image_file(file)
    photo = Photo(
        image=file,
        alt_text=alt_text,
        is_decorative=is_decorative,
        caption=caption,
        credit=credit,
        title=title,
        usage_rights=usage_rights,
        usage_notes=usage_notes,
        focal_x=focal_x,
        focal_y=focal_y,
        uploaded_by=uploaded_by,
    )
    photo.sha256, photo.file_size = _sha256_and_size(file)
    photo.full_clean()
    photo.save()
    if generate_renditions:
        photo_generate_renditions(photo=photo)
    return photo


@transaction.atomic
def photo_save(*, photo: Photo, file_changed: bool, previous_file: str = "") -> Photo:
    """Save an edited photo (admin) and bring its renditions up to date.

    A new file gets a new checksum, and a new focal point a new key, so renditions are
    regenerated exactly when one of them changed. A replaced original is deleted after
    commit: it may carry the very location data the renditions leave out.
    """
    if file_changed:
        photo_fill_file_fields(photo=photo)
    photo.save()
    photo_generate_renditions(photo=photo)
    if file_changed and previous_file and previous_file != photo.image.name:
        transaction.on_commit(lambda: default_storage.delete(previous_file))
    return photo


def photo_generate_renditions(*, photo: Photo, force: bool = False) -> bool:
    """Make the photo's renditions unless the stored ones are current; True if it did.

    Generated here, synchronously, when a photo is saved (and in bulk by
    ``manage.py generate_renditions``), never while a public page is being served.
    Files of an older focal point or original are deleted once the new set is committed.
    """
    if not photo.sha256:
        photo_fill_file_fields(photo=photo)
        Photo.objects.filter(pk=photo.pk).update(sha256=photo.sha256, file_size=photo.file_size)
    key = rendition_maker.renditions_key(
        sha256=photo.sha256, focal_x=photo.focal_x, focal_y=photo.focal_y
    )
    if not force and rendition_maker.is_current(photo.renditions, key):
        return False

    photo.image.open("rb")
    try:
        image = rendition_maker.load_oriented(photo.image.file)
    finally:
        photo.image.close()
    renditions = rendition_maker.generate(
        image=image,
        photo_id=photo.pk,
        key=key,
        focal_x=photo.focal_x,
        focal_y=photo.focal_y,
        storage=default_storage,
    )
    photo.renditions = renditions
    # A new updated_at names new cached cards, and the content version new cached pages:
    # a photo whose renditions arrive later (backfill after an import) must then show.
    photo.updated_at = timezone.now()
    Photo.objects.filter(pk=photo.pk).update(renditions=renditions, updated_at=photo.updated_at)
    content_changed()

    keep = rendition_maker.stored_paths(renditions)
    folder = rendition_maker.renditions_dir(photo.pk)
    transaction.on_commit(lambda: _delete_stale_renditions(folder=folder, keep=keep))
    return True


def _delete_stale_renditions(*, folder: str, keep: set[str]) -> None:
    # Listing the folder (rather than trusting the old JSON) also removes files left by
    # a run that failed before it could record them.
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in files:
        path = folder + filename
        if path not in keep:
            default_storage.delete(path)


def photo_delete_renditions(*, photo_id: int) -> None:
    """Remove every rendition file of a photo (after it is deleted)."""
    _delete_stale_renditions(folder=rendition_maker.renditions_dir(photo_id), keep=set())


@dataclass(frozen=True)
class Usage:
    """Somewhere a photo or document is used, for 'Used in' lists and refusals."""

    kind: str
    label: str
    admin_url: str


def photo_usages(*, photo: Photo) -> list[Usage]:
    """Articles and spokespeople that show this photo."""
    usages = [
        Usage(
            "Article", article.title, reverse("admin:articles_article_change", args=[article.pk])
        )
        for article in photo.hero_articles.only("pk", "title").order_by("-published_at")
    ]
    usages += [
        Usage(
            "Spokesperson",
            person.name,
            reverse("admin:press_spokesperson_change", args=[person.pk]),
        )
        for person in photo.spokespeople.only("pk", "name").order_by("name")
    ]
    return usages


def document_usages(*, document: Document) -> list[Usage]:
    """Articles that offer this document as an attachment."""
    return [
        Usage(
            "Article", article.title, reverse("admin:articles_article_change", args=[article.pk])
        )
        for article in document.articles.only("pk", "title").order_by("-published_at")
    ]


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
        default_storage.delete(image_name)
    photo_delete_renditions(photo_id=photo_id)


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
def document_delete(*, document: Document) -> None:
    """Delete a document that no article offers for download."""
    usages = document_usages(document=document)
    if usages:
        raise InUseError(document, usages)
    file_name = document.file.name
    document.delete()
    transaction.on_commit(lambda: file_name and default_storage.delete(file_name))
