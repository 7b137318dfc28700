"""Public renditions of photos: resized, cropped, re-encoded and stripped of metadata.

Made with Pillow directly rather than a thumbnailing package: the job is small, Pillow is
already required, and doing it by hand gives full control over the two things that
matter here: the crop follows the editor's focal point, and nothing of the original's
EXIF, GPS, XMP or ICC data reaches a public file (photos of activists and refugees must
not reveal where they were taken). Pixels are copied into a fresh image before saving,
so no metadata can ride along.

Renditions are written through Django's default storage (so S3 works) under
``photos/renditions/<photo id>/<spec>-<width>-<key>.<ext>``, where the key is a hash of
the original's checksum, the focal point and ``RENDITIONS_VERSION``; a changed crop or
file therefore gets new URLs and caches never serve a stale image. The list of files is
kept in ``Photo.renditions`` so pages render them without a query.

**The public API** for everything outside this app (templates, admin, feeds, JSON-LD):
``photo.rendition("og")``, ``photo.rendition_set("card", "webp")`` and
``photo.renditions_pending`` (methods of ``Photo`` that call the functions below). No
other module reads the ``Photo.renditions`` JSON. A photo whose renditions are not made
yet has none: callers show no image rather than a broken one.

``Photo.renditions`` maps each spec name to its largest JPEG (the fallback ``src``),
with every file of the spec under ``variants``::

    {"_key": "3f9a…",
     "card": {"path": "photos/renditions/7/card-960-3f9a….jpg", "width": 960,
              "height": 540, "format": "jpeg",
              "variants": [{"path": "photos/renditions/7/card-320-3f9a….webp",
                            "width": 320, "height": 180, "format": "webp"}, …]},
     "hero": {…}, "thumb": {…}, "og": {…}}
"""

import contextlib
import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps

from media_library.locations import PHOTO, file_url
from media_library.storage import remove_partial, save_whole

# Bump when the output of a spec changes, to regenerate every photo's renditions.
RENDITIONS_VERSION = 2
KEY_FIELD = "_key"


@dataclass(frozen=True)
class Spec:
    """One named rendition: the widths to make, the shape, and the formats."""

    name: str
    widths: tuple[int, ...]
    # Width:height of the crop; None keeps the photo's own aspect ratio.
    ratio: tuple[int, int] | None
    upscale: bool = False
    formats: tuple[str, ...] = ("webp", "jpeg")
    # The <img sizes> used when a template does not give one.
    sizes: str = "100vw"
    # When the widest file is narrower than this many CSS pixels (the widest the layout
    # shows the spec), ``small_sizes`` replaces ``sizes``, its "{max}" standing for that
    # file's width: a browser then never lays out a small original wider than it is.
    layout_width: int | None = None
    small_sizes: str = ""


SPECS = {
    spec.name: spec
    for spec in (
        # Up to 1920: a lead story's card is ~700 CSS px wide, ~1400 device pixels on a
        # phone or laptop with a 2x screen, and a 3x phone shows a full-width card at ~1170.
        Spec(
            "card",
            (320, 480, 640, 960, 1280, 1920),
            (16, 9),
            sizes="(min-width: 60rem) 30vw, 100vw",
        ),
        # The hero is at most 71rem (1136 CSS px) wide: 2272 device pixels on a 2x screen.
        Spec(
            "hero",
            (640, 960, 1280, 1600, 1920, 2400),
            None,
            sizes="(min-width: 75rem) 71rem, 100vw",
            layout_width=1136,
            small_sizes="(min-width: {max}px) {max}px, 100vw",
        ),
        # Admin list thumbnail: always exactly 160x90.
        Spec("thumb", (160,), (16, 9), upscale=True, sizes="160px"),
        # Open Graph / social cards want exactly 1200x630, and JPEG is safest there.
        Spec("og", (1200,), (1200, 630), upscale=True, formats=("jpeg",), sizes="1200px"),
    )
}

# Decoding at least this many pixels each way leaves headroom over the widest rendition
# (hero, 2400) for any crop.
DECODE_MIN_SIZE = 2400

EXTENSIONS = {"webp": "webp", "jpeg": "jpg"}
SAVE_OPTIONS = {
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
    "jpeg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
}


def renditions_key(*, sha256: str, focal_x: float, focal_y: float) -> str:
    """The short hash naming a photo's current set of renditions."""
    source = f"{sha256}:{focal_x:.4f}:{focal_y:.4f}:v{RENDITIONS_VERSION}"
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def renditions_dir(photo_id: int) -> str:
    return f"photos/renditions/{photo_id}/"


def focal_crop_box(
    width: int, height: int, ratio: tuple[int, int], focal_x: float, focal_y: float
) -> tuple[int, int, int, int]:
    """The largest box of the given ratio inside the image, centred on the focal point
    as far as the edges allow."""
    target = ratio[0] / ratio[1]
    if width / height > target:
        crop_h = height
        crop_w = max(1, min(width, round(height * target)))
    else:
        crop_w = width
        crop_h = max(1, min(height, round(width / target)))
    left = round(focal_x * width - crop_w / 2)
    top = round(focal_y * height - crop_h / 2)
    left = min(max(left, 0), width - crop_w)
    top = min(max(top, 0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def _output_widths(spec: Spec, source_width: int) -> list[int]:
    if spec.upscale:
        return list(spec.widths)
    if source_width >= spec.widths[-1]:
        return list(spec.widths)
    widths = [w for w in spec.widths if w < source_width]
    # Up to the original's own width, so nothing shown as wide as the original is
    # upscaled by the browser; a step within 10% of it adds nothing.
    if widths and widths[-1] * 1.1 > source_width:
        widths.pop()
    return [*widths, source_width]


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert to sRGB pixels (honouring an embedded colour profile), without metadata."""
    icc = image.info.get("icc_profile")
    alpha = _has_alpha(image)
    mode = "RGBA" if alpha else "RGB"
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        # A broken profile is not worth refusing a photo for: use the pixels as is.
        with contextlib.suppress(ImageCms.PyCMSError, OSError):
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode=mode if image.mode != "CMYK" else "RGB",
            )
    converted = image.convert(mode)
    # A fresh image with only the pixels: no EXIF, GPS, XMP, ICC or comments survive.
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def load_oriented(file) -> Image.Image:
    """Open an original, take its first frame, apply its EXIF orientation, drop metadata."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        file.seek(0)
        with Image.open(file, formats=["JPEG", "PNG", "WEBP", "GIF"]) as original:
            original.seek(0)
            if original.format == "JPEG":
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves
                # more pixels than the largest rendition needs: much faster, same output.
                original.draft(None, (DECODE_MIN_SIZE, DECODE_MIN_SIZE))
            original.load()
            oriented = ImageOps.exif_transpose(original)
            return _to_srgb(oriented)


def _encode(image: Image.Image, fmt: str) -> bytes:
    if fmt == "jpeg" and image.mode == "RGBA":
        # JPEG has no transparency: put transparent areas on white, as a page would.
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, **SAVE_OPTIONS[fmt])
    return buffer.getvalue()


def render_spec(image: Image.Image, spec: Spec, focal_x: float, focal_y: float):
    """Yield (width, height, format, bytes) for every file of one spec."""
    width, height = image.size
    if spec.ratio:
        box = focal_crop_box(width, height, spec.ratio, focal_x, focal_y)
    else:
        box = (0, 0, width, height)
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    for out_w in _output_widths(spec, box_w):
        if spec.ratio:
            out_h = round(out_w * spec.ratio[1] / spec.ratio[0])
        else:
            out_h = max(1, round(out_w * box_h / box_w))
        resized = image.resize((out_w, out_h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
        for fmt in spec.formats:
            yield out_w, out_h, fmt, _encode(resized, fmt)


def generate(
    *, image: Image.Image, photo_id: int, key: str, focal_x: float, focal_y: float, storage
) -> dict:
    """Write every spec's files to storage and return the ``Photo.renditions`` value."""
    result: dict = {KEY_FIELD: key}
    folder = renditions_dir(photo_id)
    written = []
    try:
        for spec in SPECS.values():
            entries = []
            for out_w, out_h, fmt, data in render_spec(image, spec, focal_x, focal_y):
                name = f"{folder}{spec.name}-{out_w}-{key}.{EXTENSIONS[fmt]}"
                if storage.exists(name):
                    # Left by an earlier, interrupted run: replace it, keep the name.
                    storage.delete(name)
                saved = save_whole(storage, name, ContentFile(data))
                written.append(saved)
                entries.append({"path": saved, "width": out_w, "height": out_h, "format": fmt})
            jpegs = (e for e in entries if e["format"] == "jpeg")
            fallback = max(jpegs, key=lambda e: e["width"])
            result[spec.name] = {**fallback, "variants": entries}
    except OSError:
        # A full disk part way: no half set stays behind (nothing records it), and the
        # space goes back for the retry, which makes the whole set again.
        for saved in written:
            remove_partial(storage, saved)
        raise
    return result


def is_current(renditions: dict, key: str) -> bool:
    """Whether stored renditions match the key and cover every spec."""
    return (
        bool(renditions)
        and renditions.get(KEY_FIELD) == key
        and all(renditions.get(name) for name in SPECS)
    )


def variants(renditions: dict | None, spec_name: str, fmt: str) -> list[dict]:
    """The files of one spec in one format, narrowest first."""
    entry = (renditions or {}).get(spec_name)
    if not isinstance(entry, dict):
        return []
    return sorted(
        (v for v in entry.get("variants", []) if v.get("format") == fmt),
        key=lambda v: v["width"],
    )


def stored_paths(renditions: dict | None) -> set[str]:
    """Every storage path a ``Photo.renditions`` value refers to."""
    return {
        variant["path"]
        for name, entry in (renditions or {}).items()
        if name != KEY_FIELD and isinstance(entry, dict)
        for variant in entry.get("variants", [])
    }


@dataclass(frozen=True)
class Rendition:
    """One public file of a photo."""

    url: str
    width: int
    height: int
    format: str


def _public(photo, entry: dict) -> Rendition:
    return Rendition(
        url=file_url(PHOTO, photo, entry["path"]),
        width=entry["width"],
        height=entry["height"],
        format=entry["format"],
    )


def rendition_set(photo, spec_name: str, fmt: str = "jpeg") -> list[Rendition]:
    """Every file of a spec in one format, narrowest first; [] when none are made yet."""
    if photo is None:
        return []
    return [
        _public(photo, v) for v in variants(getattr(photo, "renditions", None), spec_name, fmt)
    ]


def rendition(photo, spec_name: str, fmt: str = "jpeg") -> Rendition | None:
    """The largest file of a spec in one format (the fallback ``src``), or None."""
    files = rendition_set(photo, spec_name, fmt)
    return files[-1] if files else None


def pending(photo) -> bool:
    """Whether the photo's renditions are missing or older than its file or focal point."""
    if not photo.sha256:
        return True
    key = renditions_key(sha256=photo.sha256, focal_x=photo.focal_x, focal_y=photo.focal_y)
    return not is_current(photo.renditions, key)
