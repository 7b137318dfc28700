"""Where a photo's renditions and a document's file are stored now, and the URL of each.

**The one way to a media URL** for templates, feeds, JSON-LD and the admin is
``file_url`` (what ``Photo.rendition()`` and ``Document.url`` call): the public URL for a
public file, without a query. For a withheld file (``media_library.gating``) it is the
URL of a view that checks who is asking: the embargo page sets, with
``urls_for_withheld``, its own token-gated URLs; everywhere else the fallback view
(``media_library.views``) serves staff, and anyone once a public use exists (so a worker
that runs the release late never leaves a live page with a broken image).

Names and paths only: the models, the renditions and the gating all read this module,
and it reads none of them.
"""

import contextvars
import posixpath
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.urls import reverse

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
