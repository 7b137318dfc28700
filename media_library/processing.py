"""Making a photo's files: its renditions and its full-size download.

The worker does this after a photo is committed (``media_library.tasks.make_renditions``),
and ``manage.py generate_renditions`` in bulk, never inside a request. The images
themselves come from ``media_library.renditions`` and ``media_library.downloads``; this
module records them on the photo, keeps them on the side of storage the photo is on
(``media_library.gating``) and removes the files they replace.
"""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.cache import content_changed
from media_library import downloads as download_maker
from media_library import gating
from media_library import renditions as rendition_maker
from media_library.locations import storage_for
from media_library.models import Photo
from media_library.storage import originals_storage, sha256_and_size


def photo_fill_file_fields(*, photo: Photo) -> None:
    """Set the checksum and size of a photo stored before checksums were kept."""
    photo.image.open("rb")
    try:
        photo.sha256, photo.file_size = sha256_and_size(photo.image.file)
    finally:
        photo.image.close()


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
            storage=storage_for(photo),
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
            made_in = storage_for(photo)
            photo.withheld = withheld
            made = rendition_maker.stored_paths(renditions)
            gating.move(made, source=made_in, target=storage_for(photo))
            transaction.on_commit(lambda: [made_in.delete(name) for name in made])
        Photo.objects.filter(pk=photo.pk).update(
            renditions=renditions, updated_at=photo.updated_at
        )
    content_changed()

    photo_id = photo.pk
    if renditions_due:
        keep = rendition_maker.stored_paths(renditions)
        folder = rendition_maker.renditions_dir(photo_id)
        storage = storage_for(photo)
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
