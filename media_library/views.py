"""``/files/``: photos' renditions and documents by id, for whoever may see them now.

Pages link a withheld file here (``file_url``). Staff who may see the library or
any of its users in the admin get it (thumbnails, previews); anyone else only while a
public use exists (``usage.is_public``): a live article whose release the worker has not
run yet. To everyone else it answers the site's ordinary 404, public file or not, so a
guessed id and file name announce nothing.
"""

import posixpath

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect

from core.cache import do_not_store
from core.security import MEDIA_CSP
from media_library import gating, usage
from media_library.locations import DOCUMENT, PHOTO, file_url, storage_for
from media_library.models import Document, Photo
from media_library.storage import CONTENT_TYPES, download_name

PRIVATE_HEADERS = {
    "X-Robots-Tag": "noindex, noarchive",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


def private(response):
    """A response for one person only: never cached, indexed or referred."""
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return do_not_store(response)


def serve_file(storage, name: str, *, attachment: bool):
    """One stored rendition or document as the web server would send it."""
    ext = posixpath.splitext(name)[1].lstrip(".").lower()
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    response = FileResponse(
        handle,
        as_attachment=attachment,
        filename=download_name(name),
        content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response


def file_name(kind: str, obj, filename: str) -> str:
    """The stored name of the file ``filename`` names, if it is one of ``obj``'s."""
    name = (
        gating.photo_file_name(obj, filename)
        if kind == PHOTO
        else gating.document_file_name(obj, filename)
    )
    if name is None:
        raise Http404("No such file.")
    return name


def may_preview(user, model) -> bool:
    """Staff who may see the library, or any model that uses it, in the admin."""
    if not user.is_staff:
        return False
    return any(
        user.has_perm(f"{m._meta.app_label}.view_{m._meta.model_name}")
        for m in {model, *usage.using_models(model)}
    )


def withheld_file(request, kind, pk, filename):
    """A file by its photo's or document's id: for staff, and for anyone while the public
    may see it (a live article whose release has not run yet)."""
    model = Photo if kind == PHOTO else Document
    obj = get_object_or_404(model, pk=pk)
    name = file_name(kind, obj, filename)
    staff = may_preview(request.user, model)
    if not staff and not usage.is_public(obj):
        raise Http404("No such file.")
    if not obj.withheld:
        # Released since the page was made: the public file.
        return redirect(file_url(kind, obj, name))
    response = serve_file(storage_for(obj), name, attachment=kind == DOCUMENT)
    if staff:
        return private(response)
    return do_not_store(response)
