"""Full-size downloads of photos, for journalists: one clean JPEG per downloadable photo.

The file is made by the renditions task (``processing.photo_generate_renditions``), never
inside a request: the whole original decoded at full size, oriented, converted to sRGB
and re-encoded from its pixels alone, so no EXIF, GPS, device, maker-note or thumbnail
data can reach it. What travels with the image is what press use needs: the credit, the
copyright holder and the usage terms, written as XMP (Pillow writes XMP into JPEG; it
cannot write IPTC-IIM, and XMP's ``photoshop:Credit``, ``dc:rights`` and
``xmpRights:UsageTerms`` are what picture desks' tools read in its place).

Downloads live in the private storage of originals (``STORAGES["originals"]``), under
``downloads/<photo id>/<key>.jpg``: they are served through views that first check the
article is public (``press.downloads``), so a photo of an article that is not public
yet is never reachable by a public URL. The key hashes the original's checksum, the
credits and ``DOWNLOADS_VERSION``: a new credit makes a new file, and an out-of-date file
is never offered (``download()`` answers None until the new one exists).

The file's description is kept in ``Photo.renditions["download"]``; only this module
reads or writes that entry.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.dispatch import Signal
from PIL import Image, ImageOps

from media_library import renditions as rendition_maker
from media_library.storage import originals_storage

# Bump when the download file's content changes, to remake every photo's.
DOWNLOADS_VERSION = 1
FIELD = "download"
JPEG_OPTIONS = {"format": "JPEG", "quality": 90, "optimize": True, "progressive": True}

# Sent (with ``photo_id``) after a photo's download was made, replaced or removed:
# whatever holds the file (an article's media kit) must be remade.
download_changed = Signal()


@dataclass(frozen=True)
class DownloadFile:
    """A photo's full-size download, stored privately."""

    path: str
    width: int
    height: int
    size: int
    format: str = "jpeg"

    @property
    def format_label(self) -> str:
        return "JPEG"

    def open(self):
        return originals_storage().open(self.path, "rb")


def download_key(photo) -> str:
    """Names the download of the photo's current file and credits."""
    source = "\x1f".join(
        [
            photo.sha256 or "",
            photo.credit,
            photo.copyright,
            photo.usage_rights,
            photo.usage_notes,
            f"v{DOWNLOADS_VERSION}",
        ]
    )
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def downloads_dir(photo_id: int) -> str:
    return f"downloads/{photo_id}/"


def _entry(photo) -> dict | None:
    entry = (getattr(photo, "renditions", None) or {}).get(FIELD)
    return entry if isinstance(entry, dict) else None


def download(photo) -> DownloadFile | None:
    """The current download of a photo offered for download, or None: never one the
    usage rights forbid (``Photo.offered_for_download``)."""
    if photo is None or not photo.offered_for_download:
        return None
    entry = _entry(photo)
    if entry is None or entry.get("key") != download_key(photo):
        return None
    return DownloadFile(
        path=entry["path"], width=entry["width"], height=entry["height"], size=entry["size"]
    )


def pending(photo) -> bool:
    """Whether the stored download differs from what the photo asks for: missing or
    stale for a downloadable photo, still there for one that no longer is."""
    entry = _entry(photo)
    if not photo.offered_for_download:
        return entry is not None
    return entry is None or entry.get("key") != download_key(photo)


def usage_terms(photo) -> str:
    """The usage terms as one line: the rights and the notes."""
    terms = photo.get_usage_rights_display()
    return f"{terms}: {photo.usage_notes}" if photo.usage_notes else terms


def xmp_packet(*, credit: str, copyright: str, terms: str) -> bytes:
    """An XMP packet with the credit line, the rights holder and the usage terms."""

    def alt(value):
        return (
            f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'
            if value
            else ""
        )

    fields = []
    if credit:
        fields.append(f"<photoshop:Credit>{escape(credit)}</photoshop:Credit>")
    if copyright:
        fields.append(f"<dc:rights>{alt(f'© {copyright}')}</dc:rights>")
        fields.append("<xmpRights:Marked>True</xmpRights:Marked>")
    if terms:
        fields.append(f"<xmpRights:UsageTerms>{alt(terms)}</xmpRights:UsageTerms>")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/">'
        f"{''.join(fields)}"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def load_full(file) -> Image.Image:
    """The original at full size, oriented, in sRGB, with nothing but its pixels."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        file.seek(0)
        with Image.open(file, formats=["JPEG", "PNG", "WEBP", "GIF"]) as original:
            original.seek(0)
            original.load()
            return rendition_maker._to_srgb(ImageOps.exif_transpose(original))


def encode(image: Image.Image, photo) -> bytes:
    """The download's bytes: JPEG of the pixels plus the XMP credits, nothing else."""
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A") if "A" in image.mode else None)
        image = background
    image.info = {}
    buffer = io.BytesIO()
    xmp = xmp_packet(credit=photo.credit, copyright=photo.copyright, terms=usage_terms(photo))
    image.save(buffer, xmp=xmp, **JPEG_OPTIONS)
    return buffer.getvalue()


def generate(photo) -> dict | None:
    """Write the photo's download to private storage and return its entry (None for a
    photo not offered for download). The caller records it and removes stale files."""
    if not photo.offered_for_download:
        return None
    photo.image.open("rb")
    try:
        image = load_full(photo.image.file)
    finally:
        photo.image.close()
    data = encode(image, photo)
    key = download_key(photo)
    storage = originals_storage()
    name = f"{downloads_dir(photo.pk)}{key}.jpg"
    if storage.exists(name):
        # Left by an earlier, interrupted run: replace it, keep the name.
        storage.delete(name)
    saved = storage.save(name, ContentFile(data))
    return {
        "key": key,
        "path": saved,
        "width": image.width,
        "height": image.height,
        "size": len(data),
    }


def delete_stale(*, photo_id: int, keep: str = "") -> None:
    """Remove the photo's download files other than ``keep`` (all of them by default)."""
    storage = originals_storage()
    folder = downloads_dir(photo_id)
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in files:
        if folder + filename != keep:
            storage.delete(folder + filename)
