"""Upload checks for photos and documents, shared by the admin, the importer and services.

A photo is accepted only when Pillow can decode it completely as JPEG, PNG, WebP or GIF
(judged by the decoded format, never by the file name), within the size and pixel limits
of the settings. Decompression bombs, truncated and corrupt files are refused with a
message an editor can act on. Documents must be PDFs (by their magic bytes).
"""

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

# Pillow format names we accept, and how editors know them.
ACCEPTED_IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}

# Formats people commonly try, recognised by their first bytes so the message can name
# them. Pillow is never asked to parse these: fewer decoders, less attack surface.
_KNOWN_REFUSED_SIGNATURES = [
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
    (b"%PDF-", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"8BPS", "Photoshop (PSD)"),
]

PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class ImageInfo:
    """What validation learned about an accepted image."""

    format: str
    width: int
    height: int


def _head(file, length=512):
    file.seek(0)
    head = file.read(length)
    file.seek(0)
    return head


def _refused_format_name(head: bytes) -> str | None:
    for signature, name in _KNOWN_REFUSED_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp" and head[8:12] in {b"heic", b"heix", b"mif1", b"avif"}:
        return "HEIC/AVIF"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in text:
        return "SVG"
    return None


def _accepted_list():
    return ", ".join(ACCEPTED_IMAGE_FORMATS.values())


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    return size


def validate_image_file(file) -> ImageInfo:
    """Check an uploaded or opened image file; raise ValidationError with a clear message.

    Opens the file twice: ``verify()`` checks the structure, then a fresh open decodes
    every pixel, which is what catches truncated files. Pillow's decompression-bomb
    warning is treated as an error too.
    """
    size = _file_size(file)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > settings.PHOTO_MAX_UPLOAD_BYTES:
        raise ValidationError(
            "The file is %(size)s; photos may be at most %(limit)s. Export a smaller JPEG "
            "and upload that.",
            params={
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.PHOTO_MAX_UPLOAD_BYTES),
            },
            code="file_too_large",
        )

    refused = _refused_format_name(_head(file))
    if refused:
        raise ValidationError(
            "%(format)s files are not accepted. Upload a %(accepted)s image.",
            params={"format": refused, "accepted": _accepted_list()},
            code="unsupported_format",
        )

    formats = list(ACCEPTED_IMAGE_FORMATS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file, formats=formats) as image:
                image_format = image.format
                width, height = image.size
                _check_pixels(width, height)
                image.verify()
            file.seek(0)
            with Image.open(file, formats=formats) as image:
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            "This image declares far more pixels than it could reasonably hold (a "
            "so-called decompression bomb) and was refused. Re-export it from an image "
            "editor and try again.",
            code="decompression_bomb",
        ) from exc
    except UnidentifiedImageError as exc:
        raise ValidationError(
            "This file is not an image we accept. Upload a %(accepted)s image.",
            params={"accepted": _accepted_list()},
            code="unsupported_format",
        ) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # Pillow reports truncated and malformed data with these.
        raise ValidationError(
            "The image is damaged or incomplete (perhaps the upload was cut short). "
            "Open it in an image editor, save it again and re-upload it.",
            code="corrupt_image",
        ) from exc
    finally:
        file.seek(0)
    return ImageInfo(format=image_format, width=width, height=height)


def _check_pixels(width: int, height: int) -> None:
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise ValidationError(
            "The image is %(width)s x %(height)s pixels (%(mp).1f megapixels); the limit "
            "is %(limit).1f megapixels. Scale it down and upload it again.",
            params={
                "width": width,
                "height": height,
                "mp": width * height / 1_000_000,
                "limit": settings.PHOTO_MAX_PIXELS / 1_000_000,
            },
            code="too_many_pixels",
        )


def validate_document_file(file) -> None:
    """Accept only PDF files (checked by content, not name) within the size limit."""
    size = _file_size(file)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > settings.DOCUMENT_MAX_UPLOAD_BYTES:
        raise ValidationError(
            "The file is %(size)s; documents may be at most %(limit)s.",
            params={
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.DOCUMENT_MAX_UPLOAD_BYTES),
            },
            code="file_too_large",
        )
    if not _head(file, 1024).lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(PDF_MAGIC):
        raise ValidationError(
            "Only PDF documents are accepted; this file is not a PDF.", code="not_pdf"
        )
