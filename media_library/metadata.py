"""Remove location, device and authorship metadata from an original, without re-encoding.

Renditions are re-encoded from pixels alone (``media_library.renditions``), but the
original is kept too, for the media kit and future renditions, and a photo of an
activist must not keep its GPS position, camera serial number or photographer's name
anywhere. The original's pixels are left exactly as they are (journalists get the
photographer's full quality): only the containers' metadata blocks are rewritten.

What survives: the image data, its colour profile (ICC) and palette/transparency
blocks, animation control, and the EXIF orientation, rewritten as a fresh EXIF block
that holds nothing else (without it a portrait would lie on its side). Everything else
goes: EXIF (GPS, make, model, serial, owner, maker notes, thumbnails), XMP, IPTC and
Photoshop blocks, comments, text chunks, multi-picture extras (depth maps, previews) and
anything a camera appended after the end of the image (motion-photo videos).

The result is decoded again and checked before it is used; a file this module cannot
take apart is refused rather than stored with its metadata.
"""

import io
import re
import struct
import zlib

from PIL import Image

ORIENTATION_TAG = 0x0112


class MetadataError(ValueError):
    """The file's structure could not be rewritten safely."""


def _orientation_tiff(orientation: int) -> bytes:
    """A big-endian TIFF/EXIF structure whose only entry is the orientation."""
    return (
        b"MM\x00\x2a"
        + struct.pack(">I", 8)
        + struct.pack(">H", 1)
        + struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0)
        + struct.pack(">I", 0)
    )


def _orientation(data: bytes) -> int:
    try:
        with Image.open(io.BytesIO(data)) as image:
            value = image.getexif().get(ORIENTATION_TAG, 1)
    except (OSError, ValueError, SyntaxError):
        return 1
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


# --- JPEG -------------------------------------------------------------------------------

_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
# In entropy-coded data a 0xFF is followed by 0x00 (a stuffed byte) or a restart marker;
# anything else (including a 0xFF fill byte) starts the next marker.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")


def _keep_jpeg_segment(marker: int, payload: bytes) -> bytes | None:
    """The payload to write for an APPn/COM segment, or None to drop it."""
    if marker == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) >= 14:
        # The JFIF header without its optional thumbnail.
        return payload[:12] + b"\x00\x00"
    if marker == 0xE2 and payload.startswith(b"ICC_PROFILE\x00"):
        return payload
    if marker == 0xEE and payload.startswith(b"Adobe"):
        # Says how to convert the colours of CMYK/YCCK files; nothing personal.
        return payload
    if 0xE0 <= marker <= 0xEF or marker == _COM:
        return None
    return payload


def _strip_jpeg(data: bytes, orientation: int) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise MetadataError("not a JPEG stream")
    out = [b"\xff\xd8"]
    if orientation != 1:
        exif = b"Exif\x00\x00" + _orientation_tiff(orientation)
        out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    pos, end = 2, len(data)
    while True:
        if pos >= end or data[pos] != 0xFF:
            raise MetadataError("JPEG marker expected")
        while pos < end and data[pos] == 0xFF:
            pos += 1  # fill bytes
        if pos >= end:
            raise MetadataError("truncated JPEG")
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            out.append(b"\xff\xd9")
            # Whatever follows the end of the image (trailers, appended videos) is dropped.
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(bytes((0xFF, marker)))
            continue
        if pos + 2 > end:
            raise MetadataError("truncated JPEG segment")
        length = struct.unpack(">H", data[pos : pos + 2])[0]
        if length < 2 or pos + length > end:
            raise MetadataError("bad JPEG segment length")
        payload = data[pos + 2 : pos + length]
        pos += length
        kept = _keep_jpeg_segment(marker, payload)
        if kept is not None:
            out.append(bytes((0xFF, marker)) + struct.pack(">H", len(kept) + 2) + kept)
        if marker == _SOS:
            # Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or
            # a restart marker.
            marker_found = _JPEG_MARKER.search(data, pos)
            if marker_found is None:
                raise MetadataError("truncated JPEG scan")
            out.append(data[pos : marker_found.start()])
            pos = marker_found.start()


# --- PNG --------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pixels, palette, transparency, colour and animation: nothing that names a person or place.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
    b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _strip_png(data: bytes, orientation: int) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise MetadataError("not a PNG stream")
    out = [_PNG_SIGNATURE]
    pos, end = len(_PNG_SIGNATURE), len(data)
    while True:
        if pos + 12 > end:
            raise MetadataError("truncated PNG chunk")
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        chunk_end = pos + 12 + length
        if chunk_end > end:
            raise MetadataError("truncated PNG chunk")
        if kind == b"IEND" and orientation != 1:
            out.append(_png_chunk(b"eXIf", _orientation_tiff(orientation)))
        if kind in _PNG_KEEP:
            out.append(data[pos:chunk_end])
        pos = chunk_end
        if kind == b"IEND":
            return b"".join(out)


# --- WebP -------------------------------------------------------------------------------

_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_VP8X_EXIF, _VP8X_XMP = 0x08, 0x04


def _riff_chunk(kind: bytes, payload: bytes) -> bytes:
    pad = b"\x00" if len(payload) % 2 else b""
    return kind + struct.pack("<I", len(payload)) + payload + pad


def _strip_webp(data: bytes, orientation: int) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MetadataError("not a WebP stream")
    end = 8 + struct.unpack("<I", data[4:8])[0]
    if end > len(data):
        raise MetadataError("truncated WebP file")
    chunks = []
    pos = 12
    has_vp8x = False
    while pos + 8 <= end:
        kind = data[pos : pos + 4]
        length = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        payload = data[pos + 8 : pos + 8 + length]
        if len(payload) != length:
            raise MetadataError("truncated WebP chunk")
        pos += 8 + length + (length % 2)
        if kind == b"VP8X":
            has_vp8x = True
            flags = payload[0] & ~(_VP8X_EXIF | _VP8X_XMP)
            if orientation != 1:
                flags |= _VP8X_EXIF
            payload = bytes((flags,)) + payload[1:]
        if kind in _WEBP_KEEP:
            chunks.append(_riff_chunk(kind, payload))
    if not chunks:
        raise MetadataError("WebP without image data")
    if orientation != 1 and has_vp8x:
        chunks.append(_riff_chunk(b"EXIF", _orientation_tiff(orientation)))
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- GIF --------------------------------------------------------------------------------

_GIF_ANIMATION_APPS = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    while True:
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _colour_table_size(flags: int) -> int:
    return 3 * (2 ** ((flags & 0x07) + 1)) if flags & 0x80 else 0


def _strip_gif(data: bytes, orientation: int) -> bytes:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise MetadataError("not a GIF stream")
    pos = 13 + _colour_table_size(data[10])
    out = [data[:pos]]
    while True:
        introducer = data[pos]
        if introducer == 0x3B:
            out.append(b";")
            return b"".join(out)
        start = pos
        if introducer == 0x2C:
            pos += 10 + _colour_table_size(data[pos + 9]) + 1
            pos = _skip_sub_blocks(data, pos)
            out.append(data[start:pos])
        elif introducer == 0x21:
            label = data[pos + 1]
            first = data[pos + 3 : pos + 3 + data[pos + 2]]
            pos = _skip_sub_blocks(data, pos + 2)
            if label == 0xFE:  # comment
                continue
            if label == 0xFF and first[:11] not in _GIF_ANIMATION_APPS:  # XMP and others
                continue
            out.append(data[start:pos])
        else:
            raise MetadataError("unknown GIF block")


_STRIPPERS = {"JPEG": _strip_jpeg, "PNG": _strip_png, "WEBP": _strip_webp, "GIF": _strip_gif}


def strip_metadata(data: bytes, image_format: str) -> bytes:
    """Return ``data`` (a JPEG, PNG, WebP or GIF) without metadata; raise MetadataError.

    ``image_format`` is Pillow's name for the format that validation detected.
    """
    try:
        stripper = _STRIPPERS[image_format]
    except KeyError:
        raise MetadataError(f"unsupported format {image_format}") from None
    try:
        clean = stripper(data, _orientation(data))
    except (IndexError, struct.error) as exc:
        raise MetadataError("damaged image structure") from exc
    _check_clean(clean, image_format)
    return clean


def _check_clean(data: bytes, image_format: str) -> None:
    """Decode the result: it must be the same format, whole, and carry no metadata."""
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            if image.format == "JPEG":
                # Decoding at 1/8 scale still reads every scan to the end, at a fraction
                # of the cost (the upload itself was decoded in full by validation).
                image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
            tags = set(image.getexif())
            leftovers = {"xmp", "XML:com.adobe.xmp", "comment", "photoshop"} & set(image.info)
    except (OSError, ValueError, SyntaxError) as exc:
        raise MetadataError("the cleaned image does not decode") from exc
    if tags - {ORIENTATION_TAG} or leftovers:
        raise MetadataError("metadata survived cleaning")
