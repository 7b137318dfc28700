"""Renditions: the right sizes and formats, cropped to the focal point, metadata-free."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from media_library import renditions
from media_library.models import Photo
from media_library.processing import photo_generate_renditions
from media_library.services import InUseError, photo_delete
from media_library.storage import originals_storage
from tests.factories import ArticleFactory, SpokespersonFactory, image_bytes, make_photo
from tests.media_library import images

pytestmark = pytest.mark.django_db

# Where a photo nothing public uses keeps its renditions (media_library.gating).
files = originals_storage()


def _create(data, name="photo.jpg", **kwargs):
    kwargs.setdefault("alt_text", "Two people at a border fence")
    return make_photo(file=images.upload(name, data), **kwargs)


def _open(entry):
    with files.open(entry["path"]) as fh:
        image = Image.open(io.BytesIO(fh.read()))
        image.load()
        return image


def _all_variants(photo):
    return [v for name in renditions.SPECS for v in photo.renditions[name]["variants"]]


def test_photo_create_stores_checksum_size_and_every_spec():
    data = image_bytes(2000, 1500)
    photo = _create(data, credit="Photo by A / B")
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.file_size == len(data)
    assert (photo.width, photo.height) == (2000, 1500)
    card = photo.renditions["card"]
    sizes = {(v["width"], v["height"], v["format"]) for v in card["variants"]}
    widths = (320, 480, 640, 960, 1280, 1920)
    assert sizes == {(w, w * 9 // 16, f) for w in widths for f in ("webp", "jpeg")}
    assert (card["width"], card["format"]) == (1920, "jpeg")
    hero = {(v["width"], v["height"]) for v in photo.renditions["hero"]["variants"]}
    # Up to the original's own width; 1920 is within 10% of it, so it adds nothing.
    assert hero == {(640, 480), (960, 720), (1280, 960), (1600, 1200), (2000, 1500)}
    thumb = photo.renditions["thumb"]
    assert (thumb["width"], thumb["height"]) == (160, 90)
    og = photo.renditions["og"]["variants"]
    assert [(v["width"], v["height"], v["format"]) for v in og] == [(1200, 630, "jpeg")]
    for variant in _all_variants(photo):
        assert variant["path"].startswith(f"photos/renditions/{photo.pk}/")
        assert files.exists(variant["path"])
        image = _open(variant)
        assert image.size == (variant["width"], variant["height"])
        assert image.format == variant["format"].upper()
    assert Photo.objects.get(pk=photo.pk).renditions == photo.renditions


def test_hero_is_never_upscaled():
    photo = _create(image_bytes(700, 400))
    hero = photo.renditions["hero"]["variants"]
    # 640 is within 10% of the original's 700: the original's width replaces it.
    assert {v["width"] for v in hero} == {700}
    card = photo.renditions["card"]["variants"]
    assert {v["width"] for v in card} == {320, 480, 700}


def test_renditions_go_up_to_the_originals_own_width():
    # A 1200 px original shown 1136 px wide once got a 960 px file.
    photo = _create(image_bytes(1200, 800))
    assert {v["width"] for v in photo.renditions["hero"]["variants"]} == {640, 960, 1200}
    assert {v["width"] for v in photo.renditions["card"]["variants"]} == {
        320,
        480,
        640,
        960,
        1200,
    }


def test_a_large_original_gets_every_width():
    photo = _create(image_bytes(3000, 2000))
    hero = [v["width"] for v in photo.renditions["hero"]["variants"] if v["format"] == "jpeg"]
    assert sorted(hero) == [640, 960, 1280, 1600, 1920, 2400]


def test_a_small_photo_still_gets_one_rendition_at_its_own_width():
    photo = _create(image_bytes(300, 200))
    assert {v["width"] for v in photo.renditions["hero"]["variants"]} == {300}
    assert {v["width"] for v in photo.renditions["card"]["variants"]} == {300}


def test_gps_and_camera_exif_never_reach_a_rendition():
    photo = _create(images.jpeg_with_gps())
    # Neither the (private) original nor any rendition keeps them.
    with photo.image.open("rb"):
        original = photo.image.read()
    assert b"Secret Camera Co" not in original
    assert not Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    for variant in _all_variants(photo):
        image = _open(variant)
        exif = image.getexif()
        assert len(exif) == 0, variant["path"]
        assert not exif.get_ifd(0x8825)
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"):
            assert key not in image.info, (key, variant["path"])
        with files.open(variant["path"]) as fh:
            raw = fh.read()
        assert b"Secret Camera Co" not in raw
        assert b"Exif\x00\x00" not in raw


def test_exif_orientation_is_applied_before_metadata_is_dropped():
    # Stored 1200 wide and 600 high, but "rotate 90°" makes it a portrait photo.
    photo = _create(images.jpeg_with_gps(1200, 600, orientation=6))
    hero = photo.renditions["hero"]
    assert hero["height"] > hero["width"]
    assert (hero["width"], hero["height"]) == (600, 1200)


def _red_share(image):
    rgb = image.convert("RGB")
    pixels = list(rgb.get_flattened_data())
    return sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80) / len(pixels)


def test_card_crop_keeps_the_focal_region():
    # A wide panorama, blue except a red block near its right edge.
    image = Image.new("RGB", (3200, 900), (20, 40, 200))
    image.paste((220, 20, 20), (2800, 300, 3100, 600))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    data = buffer.getvalue()

    on_focus = _create(data, name="pano.png", focal_x=0.93, focal_y=0.5)
    off_focus = _create(data, name="pano.png", focal_x=0.1, focal_y=0.5)

    def card(photo):
        jpeg = renditions.variants(photo.renditions, "card", "jpeg")[-1]
        return _open(jpeg)

    assert _red_share(card(on_focus)) > 0.04
    assert _red_share(card(off_focus)) == 0


def test_focal_crop_box_stays_inside_the_image():
    assert renditions.focal_crop_box(1600, 900, (16, 9), 0.5, 0.5) == (0, 0, 1600, 900)
    assert renditions.focal_crop_box(3200, 900, (16, 9), 1.0, 0.5) == (1600, 0, 3200, 900)
    assert renditions.focal_crop_box(3200, 900, (16, 9), 0.0, 0.5) == (0, 0, 1600, 900)
    assert renditions.focal_crop_box(900, 1600, (16, 9), 0.5, 0.0) == (0, 0, 900, 506)


def test_transparent_png_gets_a_white_jpeg_background():
    photo = _create(images.transparent_png(), name="logo.png")
    jpeg = _open(renditions.variants(photo.renditions, "card", "jpeg")[0])
    assert jpeg.mode == "RGB"
    right = jpeg.getpixel((jpeg.width - 5, jpeg.height // 2))
    assert all(channel > 245 for channel in right)
    webp = _open(renditions.variants(photo.renditions, "card", "webp")[0])
    assert webp.mode == "RGBA"


def test_animated_gif_uses_its_first_frame():
    photo = _create(images.animated_gif(), name="anim.gif")
    for variant in photo.renditions["card"]["variants"]:
        image = _open(variant)
        assert getattr(image, "n_frames", 1) == 1


def test_generation_is_idempotent(django_capture_on_commit_callbacks):
    photo = _create(image_bytes(1000, 600))
    before = dict(photo.renditions)
    with django_capture_on_commit_callbacks(execute=True):
        assert photo_generate_renditions(photo=photo) is False
    assert photo.renditions == before


def test_new_focal_point_regenerates_and_deletes_stale_files(django_capture_on_commit_callbacks):
    photo = _create(image_bytes(2000, 800))
    old_paths = renditions.stored_paths(photo.renditions)
    photo.focal_x = 0.9
    photo.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert photo_generate_renditions(photo=photo) is True
    new_paths = renditions.stored_paths(photo.renditions)
    assert old_paths.isdisjoint(new_paths)
    assert not any(files.exists(p) for p in old_paths)
    assert all(files.exists(p) for p in new_paths)
    assert Photo.objects.get(pk=photo.pk).renditions == photo.renditions


def test_photo_create_can_leave_renditions_for_later():
    photo = _create(image_bytes(400, 300), generate_renditions=False)
    assert photo.renditions == {}


def test_photo_create_refuses_bad_files_and_missing_alt_text():
    with pytest.raises(ValidationError):
        _create(b"not an image")
    with pytest.raises(ValidationError) as excinfo:
        make_photo(file=images.upload("a.jpg", image_bytes(100, 100)))
    assert "alt text" in str(excinfo.value).lower()
    decorative = make_photo(file=images.upload("a.jpg", image_bytes(100, 100)), is_decorative=True)
    assert decorative.pk
    assert Photo.objects.count() == 1


def test_photo_in_use_cannot_be_deleted(django_capture_on_commit_callbacks):
    photo = _create(image_bytes(400, 300))
    article = ArticleFactory(hero_photo=photo)
    SpokespersonFactory(name="Ana Ruiz", photo=photo)
    with pytest.raises(InUseError) as excinfo:
        photo_delete(photo=photo)
    assert article.title in str(excinfo.value)
    assert "Ana Ruiz" in str(excinfo.value)
    assert Photo.objects.filter(pk=photo.pk).exists()

    article.delete()
    photo.spokespeople.all().delete()
    paths = renditions.stored_paths(photo.renditions) | {photo.image.name}
    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo)
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not any(s.exists(p) for p in paths for s in (default_storage, files))
