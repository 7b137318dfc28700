"""Withheld media: the files of photos and documents that must not be public yet.

A photo or document that only an embargoed article uses (a published article whose
publication time is still ahead) is *withheld*: its files are moved out of public media
storage into the private storage of originals, under the same names, so no public URL
reaches them, however it was guessed or forwarded. When an article using it goes live,
they move back (``release``). Deciding *when* is the embargo app's business
(``embargo.media``); this module only moves files and names URLs.

**The one way to a media URL** for templates, feeds, JSON-LD and the admin is
``file_url`` (what ``Photo.rendition()`` and ``document_url`` call): the public URL for a
public file, without a query. For a withheld file it is the URL of a view that checks who
is asking: the embargo page sets, with ``urls_for_withheld``, its own token-gated URLs;
everywhere else the fallback view serves staff, and anyone once an article using the file
is live (so a worker that runs the release late never leaves a live page with a broken
image).
"""

import contextvars
import posixpath
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from core.cache import content_changed
from media_library import renditions as rendition_files
from media_library.storage import originals_storage

# (kind, obj, file name) -> URL, set while the embargo page renders.
WithheldUrl = Callable[[str, object, str], str]
_withheld_url: contextvars.ContextVar[WithheldUrl | None] = contextvars.ContextVar(
    "withheld_url", default=None
)

PHOTO, DOCUMENT = "photo", "document"


def storage_for(obj):
    """Where a photo's renditions or a document's file are stored right now."""
    return originals_storage() if obj.withheld else default_storage


@contextmanager
def urls_for_withheld(url_for: WithheldUrl) -> Iterator[None]:
    """Within the block, withheld files are linked through ``url_for``."""
    token = _withheld_url.set(url_for)
    try:
        yield
    finally:
        _withheld_url.reset(token)


def file_url(kind: str, obj, name: str) -> str:
    """The URL of one stored file of a photo (a rendition) or a document."""
    if not obj.withheld:
        return default_storage.url(name)
    filename = posixpath.basename(name)
    override = _withheld_url.get()
    if override is not None:
        return override(kind, obj, filename)
    return reverse(f"withheld_media:{kind}", kwargs={"pk": obj.pk, "filename": filename})


def document_url(document) -> str:
    return file_url(DOCUMENT, document, document.file.name)


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


def _move(names, *, source, target) -> None:
    for name in names:
        if not source.exists(name):
            continue
        if target.exists(name):
            target.delete(name)
        with source.open(name, "rb") as fh:
            target.save(name, fh)


def _set_withheld(obj, names: set[str], withheld: bool) -> bool:
    """Move the files, then record where they are; the old copies go after commit.

    The row is locked while its files move, so a rendition task or a second release
    started meanwhile waits and then finds the files where the flag says."""
    model = type(obj)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=obj.pk)
        if current.withheld == withheld:
            return False
        source, target = (
            storage_for(current),
            (originals_storage() if withheld else default_storage),
        )
        _move(names, source=source, target=target)
        model.objects.filter(pk=obj.pk).update(withheld=withheld)
        obj.withheld = withheld
        # Pages and fragments that link the file name it anew (public or gated URL).
        content_changed()
        transaction.on_commit(lambda: [source.delete(name) for name in names])
    return True


def photo_set_withheld(photo, withheld: bool) -> bool:
    """Withhold (True) or release (False) a photo's renditions; True if it changed."""
    photo.refresh_from_db(fields=["renditions"])
    return _set_withheld(photo, rendition_files.stored_paths(photo.renditions), withheld)


def document_set_withheld(document, withheld: bool) -> bool:
    """Withhold (True) or release (False) a document's file; True if it changed."""
    names = {document.file.name} if document.file.name else set()
    return _set_withheld(document, names, withheld)
