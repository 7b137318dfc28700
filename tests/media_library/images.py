"""Image files for media library tests: good, bad, hostile and metadata-laden."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from tests.factories import image_bytes

GPS_LATITUDE = ((40, 1), (26, 1), (46, 1))


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_gps(width=1600, height=900, orientation=None):
    """A JPEG carrying a camera make, GPS coordinates and optionally an orientation."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Secret Camera Co"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 26.0, 46.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (79.0, 58.0, 56.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def _png_chunk(kind, data):
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width, height):
    """A valid 1-bit PNG of huge dimensions that is tiny on disk (all zeros compress)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows_per_chunk = max(1, (1 << 20) // len(row))
    parts = []
    remaining = height
    while remaining:
        count = min(rows_per_chunk, remaining)
        parts.append(compressor.compress(row * count))
        remaining -= count
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def corrupt_png():
    """A PNG whose image data has been damaged (its checksum no longer matches)."""
    data = bytearray(image_bytes(200, 100, fmt="PNG"))
    start = data.index(b"IDAT") + 10
    for i in range(start, start + 8):
        data[i] ^= 0xFF
    return bytes(data)


def truncated_jpeg():
    data = image_bytes(800, 600, fmt="JPEG")
    return data[: len(data) // 2]


def other_format(fmt, size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, fmt)
    return buffer.getvalue()


def transparent_png(width=800, height=450):
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (0, 0, width // 2, height))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif():
    frames = [Image.new("P", (320, 180), i) for i in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
    b'height="10"><script>alert(1)</script></svg>'
)
