"""Answers for journalists' downloads: an article's photos at full size and its media kit.

Plain functions taking an article the caller has already decided the visitor may see
(the public views pass a live one), so any page that shows an article can offer the same
downloads. Files come from private storage; nothing here builds a file.
"""

from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

from press import kit_requests, media_kit
from press.models import MediaKit

# How long a journalist's browser should wait before asking again for a kit being built.
RETRY_AFTER_SECONDS = 30


def _attachment(file, *, filename, content_type, size):
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["Content-Length"] = str(size)
    # Public content, but the file behind the address changes with every edit.
    patch_cache_control(response, no_cache=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def photo_download(article, photo_id):
    """The kit entry (name, file) of one of the article's downloadable photos, or None."""
    contents = media_kit.kit_contents(article)
    return next((p for p in contents.photos if p.photo.pk == photo_id), None)


def photo_download_response(article, photo_id: int):
    """The full-size JPEG of one of the article's photos, as an attachment named as in
    the media kit; 404 for a photo the article does not offer (or not yet made)."""
    item = photo_download(article, photo_id)
    if item is None:
        raise Http404("No such download.")
    return _attachment(
        item.file.open(), filename=item.name, content_type="image/jpeg", size=item.file.size
    )


def current_kit(article, contents=None):
    """The stored kit matching the article as it stands now, or None."""
    contents = contents or media_kit.kit_contents(article)
    try:
        # Loaded with the article where its view selects it (the article page does).
        kit = article.media_kit
    except MediaKit.DoesNotExist:
        return None
    return kit if kit.version == contents.version and kit.path else None


def media_kit_response(request, article):
    """The article's media kit as a ZIP attachment or, while it is being built, a short
    page answering 503 with ``Retry-After`` (and a build queued if none is)."""
    contents = media_kit.kit_contents(article)
    kit = current_kit(article, contents)
    if kit is not None:
        try:
            file = media_kit.originals_storage().open(kit.path, "rb")
        except FileNotFoundError:
            kit = None
        else:
            return _attachment(
                file,
                filename=f"{article.slug}-media-kit.zip",
                content_type="application/zip",
                size=kit.size,
            )
    kit_requests.request_build(article.pk)
    response = TemplateResponse(
        request,
        "articles/media_kit/preparing.html",
        {"article": article, "retry_after": RETRY_AFTER_SECONDS},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    # An expected, passing state, not a server fault: Django would log every 5xx as an
    # error (and report it); this one is not.
    response._has_been_logged = True
    return response
