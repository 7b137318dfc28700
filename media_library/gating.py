"""Withheld media: the files of photos and documents that must not be public.

A photo or document is public only while something the public sees uses it: a live
article, an active spokesperson's portrait (``usage.is_public``, from the using apps'
registrations). Otherwise it is *withheld*: a fresh upload, or used only by drafts,
articles in review, approved, scheduled (an embargo) or unpublished. Its files are then
kept out of public media storage, in the private storage of originals, under the same
names, so no public URL reaches them, however it was guessed or forwarded. New photos
and documents start withheld; ``sync`` moves the files whichever way the rule says now
(``media_library.visibility`` calls it after every change that may matter).

A withheld file is linked through a view that checks who is asking
(``media_library.locations.file_url``).
"""

import posixpath

from django.core.files.storage import default_storage
from django.db import transaction

from core.cache import content_changed
from media_library import renditions as rendition_files
from media_library import usage
from media_library.locations import storage_for
from media_library.storage import originals_storage


def photo_file_name(photo, filename: str) -> str | None:
    """The stored name of one of the photo's current renditions, or None: only files
    the photo lists are ever served, whatever a URL asks for."""
    for path in rendition_files.stored_paths(photo.renditions):
        if posixpath.basename(path) == filename:
            return path
    return None


def document_file_name(document, filename: str) -> str | None:
    name = document.file.name
    return name if name and posixpath.basename(name) == filename else None


def move(names, *, source, target) -> None:
    """Copy each named file that is in ``source`` to ``target`` (replacing it there);
    the caller deletes the old copies once its transaction commits."""
    for name in names:
        if not source.exists(name):
            continue
        if target.exists(name):
            target.delete(name)
        with source.open(name, "rb") as fh:
            target.save(name, fh)


def stored_names(obj) -> set[str]:
    """The names of the files a photo (its renditions) or a document (its file) has."""
    if hasattr(obj, "renditions"):
        return rendition_files.stored_paths(obj.renditions)
    return {obj.file.name} if obj.file.name else set()


def _set_withheld(obj, decide) -> bool:
    """Lock the row, decide (``decide(current row) -> withheld``), move the files, record
    where they are; the old copies go after commit. True if anything moved.

    Deciding under the row's lock means two syncs started by two commits run one after
    the other, and the later one sees the later state; a rendition task or a second
    sync started meanwhile waits and then finds the files where the flag says."""
    model = type(obj)
    with transaction.atomic():
        current = model.objects.select_for_update().filter(pk=obj.pk).first()
        if current is None:
            return False
        withheld = decide(current)
        if current.withheld == withheld:
            obj.withheld = withheld
            return False
        names = stored_names(current)
        source, target = (
            storage_for(current),
            (originals_storage() if withheld else default_storage),
        )
        move(names, source=source, target=target)
        model.objects.filter(pk=obj.pk).update(withheld=withheld)
        obj.withheld = withheld
        # Pages and fragments that link the file name it anew (public or gated URL).
        content_changed()
        transaction.on_commit(lambda: [source.delete(name) for name in names])
    return True


def sync(obj) -> bool:
    """Withhold or release a photo's or document's files as the rule says now (public
    while a public use exists); True if they moved."""
    return _set_withheld(obj, lambda current: not usage.is_public(current))


def sync_many(model, ids) -> int:
    """``sync`` these photos or documents (``model`` is Photo or Document); how many
    moved."""
    moved = 0
    for obj in model._default_manager.filter(pk__in=list(ids)):
        moved += sync(obj)
    return moved


def photo_set_withheld(photo, withheld: bool) -> bool:
    """Withhold (True) or release (False) a photo's renditions, whatever uses it; True if
    it changed. Routes follow the rule through ``sync``."""
    return _set_withheld(photo, lambda current: withheld)


def document_set_withheld(document, withheld: bool) -> bool:
    """Withhold (True) or release (False) a document's file, whatever uses it; True if it
    changed. Routes follow the rule through ``sync``."""
    return _set_withheld(document, lambda current: withheld)
