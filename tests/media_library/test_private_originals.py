"""Originals are private and clean; public names are ours; old originals can be moved."""

import hashlib
import io
import json
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import ExifTags, Image

from interchange import import_articles
from media_library import storage
from media_library.metadata import MetadataError, strip_metadata
from media_library.models import Document, Photo
from media_library.services import document_create, photo_create
from tests.factories import image_bytes, make_photo
from tests.media_library import images

pytestmark = pytest.mark.django_db

PHOTO_ADD = reverse("admin:media_library_photo_add")
DOCUMENT_ADD = reverse("admin:media_library_document_add")
RANDOM_NAME = r"[A-Za-z0-9_-]{22}"


def _stored_original(photo) -> bytes:
    with photo.image.open("rb"):
        return photo.image.read()


def _assert_clean(data: bytes):
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert set(exif) <= {ExifTags.Base.Orientation}
    for secret in (b"Secret Camera Co", b"Jane Doe", b"GPS", b"secret"):
        assert secret not in data


def _photo_form(upload):
    return {
        "image": upload,
        "title": "Dawn",
        "alt_text": "Families at a crossing",
        "usage_rights": "owned",
        "focal_x": "0.5",
        "focal_y": "0.5",
    }


# --- where originals live --------------------------------------------------------------


def test_admin_upload_keeps_a_clean_original_outside_the_media_folder(editor_client):
    response = editor_client.post(
        PHOTO_ADD, _photo_form(images.upload("gps.jpg", images.jpeg_with_gps(), "image/jpeg"))
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert re.fullmatch(rf"originals/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.jpg", photo.image.name)
    on_disk = settings.PRIVATE_MEDIA_ROOT / photo.image.name
    assert on_disk.is_file()
    assert not on_disk.resolve().is_relative_to(settings.MEDIA_ROOT.resolve())
    assert not (settings.MEDIA_ROOT / photo.image.name).exists()
    assert not default_storage.exists(photo.image.name)
    _assert_clean(on_disk.read_bytes())
    assert photo.file_size == on_disk.stat().st_size


def test_originals_have_no_url_and_the_admin_does_not_link_them(editor_client):
    photo = make_photo(file=images.upload("gps.jpg", images.jpeg_with_gps()), alt_text="A")
    with pytest.raises(storage.PrivateFileError):
        photo.image.url  # noqa: B018 - the access itself must fail
    response = editor_client.get(reverse("admin:media_library_photo_change", args=[photo.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "private, never published" in html
    assert f'href="{settings.MEDIA_URL}{photo.image.name}"' not in html
    for rendition in photo.rendition_set("card"):
        # Nothing public uses it yet: staff see its renditions through /files/.
        assert rendition.url.startswith("/files/photo/")
        assert "originals" not in rendition.url


def test_orientation_survives_cleaning():
    photo = make_photo(
        file=images.upload("o.jpg", images.jpeg_with_gps(1200, 600, orientation=6)), alt_text="A"
    )
    image = Image.open(io.BytesIO(_stored_original(photo)))
    assert image.getexif()[ExifTags.Base.Orientation] == 6
    assert photo.rendition("hero").height > photo.rendition("hero").width


def test_a_replaced_original_is_cleaned_and_the_old_one_deleted(
    editor_client, django_capture_on_commit_callbacks
):
    photo = make_photo(file=images.upload("a.jpg", image_bytes(800, 450)), alt_text="A")
    old_name = photo.image.name
    url = reverse("admin:media_library_photo_change", args=[photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url, _photo_form(images.upload("new.html", images.jpeg_with_gps(), "text/html"))
        )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.image.name != old_name and photo.image.name.endswith(".jpg")
    assert not (settings.PRIVATE_MEDIA_ROOT / old_name).exists()
    _assert_clean(_stored_original(photo))
    assert not photo.renditions_pending


def test_import_stores_clean_originals(tmp_path, django_capture_on_commit_callbacks):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "gps.jpg").write_bytes(images.jpeg_with_gps())
    record = {
        "slug": "with-gps",
        "kind": "statement",
        "title": "A statement",
        "summary": "Summary.",
        "published_at": "2024-05-01",
        "photo": {"file": "gps.jpg", "alt_text": "A crossing", "credit": "Photo by Jane Doe"},
    }
    path = folder / "articles.json"
    path.write_text(json.dumps({"format": "newsroom-articles/1", "articles": [record]}))
    with django_capture_on_commit_callbacks(execute=True):
        import_articles(path=path)
    photo = Photo.objects.get()
    assert (settings.PRIVATE_MEDIA_ROOT / photo.image.name).is_file()
    _assert_clean(_stored_original(photo))
    assert not photo.renditions_pending  # queued after commit, run by the (test) worker
    # Keyed by the checksum of the file as received: importing again reuses the photo.
    with django_capture_on_commit_callbacks(execute=True):
        import_articles(path=path)
    assert Photo.objects.count() == 1


# --- names and types of what is stored -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "extension"),
    [
        ("polyglot.html", images.jpeg_with_gps(), "jpg"),
        ("script.js", image_bytes(300, 200, fmt="PNG"), "png"),
        ("photo.gif", image_bytes(300, 200, fmt="WEBP"), "webp"),
        ("noext", image_bytes(300, 200, fmt="GIF"), "gif"),
    ],
)
def test_stored_names_come_from_the_verified_format(name, data, extension):
    photo = photo_create(
        file=images.upload(name, data, "text/html"), alt_text="A", generate_renditions=False
    )
    assert re.fullmatch(rf"originals/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.{extension}", photo.image.name)
    assert name.split(".")[0] not in photo.image.name


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("drawing.svg", images.SVG),
        ("app.js", b"alert(document.cookie)"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_hostile_uploads_are_refused(editor_client, name, data):
    response = editor_client.post(PHOTO_ADD, _photo_form(images.upload(name, data, "image/png")))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"]
    assert not Photo.objects.exists()
    assert not any(settings.PRIVATE_MEDIA_ROOT.rglob("*.*"))


def test_documents_get_a_random_folder_and_a_pdf_name(editor_client):
    polyglot = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    response = editor_client.post(
        DOCUMENT_ADD,
        {
            "file": images.upload("Polyglot Report.html", polyglot, "text/html"),
            "title": "Report",
            "language": "en",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert re.fullmatch(rf"documents/{RANDOM_NAME}/polyglot-report\.pdf", document.file.name)
    assert document.content_type == "application/pdf"
    assert document.file.url.startswith(settings.MEDIA_URL)


def test_non_pdf_documents_are_refused():
    with pytest.raises(ValidationError):
        document_create(file=images.upload("x.pdf", b"alert(1)"), title="Script")
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("documents/abc/report.pdf", ("application/pdf", 'attachment; filename="report.pdf"')),
        ("photos/renditions/7/card-320-abc.webp", ("image/webp", None)),
        ("photos/renditions/7/og-1200-abc.jpg", ("image/jpeg", None)),
        ("somewhere/page.html", ("application/octet-stream", 'attachment; filename="page.html"')),
    ],
)
def test_object_parameters_follow_our_names(name, expected):
    params = storage.object_parameters_for(name)
    assert (params["ContentType"], params.get("ContentDisposition")) == expected


# --- the metadata stripper -------------------------------------------------------------


def _with_metadata(fmt):
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Jane Doe"
    exif[ExifTags.Base.Make] = "Secret Camera Co"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    image = Image.new("RGB", (120, 80), (10, 120, 30))
    buffer = io.BytesIO()
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Author", "Jane Doe")
        info.add_itxt("XML:com.adobe.xmp", "<x>GPS secret</x>")
        image.save(buffer, fmt, pnginfo=info, exif=exif)
    elif fmt == "WEBP":
        image.save(buffer, fmt, exif=exif, xmp=b"<x>GPS secret</x>")
    elif fmt == "GIF":
        image.save(buffer, fmt, comment=b"Jane Doe secret")
    else:
        image.save(buffer, fmt, exif=exif, comment=b"secret", xmp=b"<x>GPS</x>", progressive=True)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_stripping_removes_every_kind_of_metadata_and_keeps_the_pixels(fmt):
    data = _with_metadata(fmt)
    assert b"Jane Doe" in data
    clean = strip_metadata(data, fmt)
    _assert_clean(clean)
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(clean))
    assert after.format == fmt and after.size == before.size
    assert after.convert("RGB").tobytes() == before.convert("RGB").tobytes()


def test_data_after_the_end_of_a_jpeg_is_dropped():
    data = images.jpeg_with_gps() + b"ftypmp42 a motion photo with its own GPS"
    assert b"motion photo" not in strip_metadata(data, "JPEG")


def test_animated_gif_keeps_its_frames_and_loop():
    frames = [Image.new("RGB", (64, 48), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], loop=0, comment=b"secret"
    )
    clean = strip_metadata(buffer.getvalue(), "GIF")
    assert b"secret" not in clean
    animated = Image.open(io.BytesIO(clean))
    assert animated.n_frames == 3 and animated.info["loop"] == 0


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_a_damaged_structure_is_refused_not_stored(fmt):
    data = _with_metadata(fmt)
    with pytest.raises(MetadataError):
        strip_metadata(data[: len(data) // 2], fmt)


# --- moving originals stored by older versions -----------------------------------------


def _legacy_photo(name, data):
    default_storage.save(name, ContentFile(data))
    return Photo.objects.create(
        image=name, width=1600, height=900, alt_text="Legacy", sha256="0" * 64
    )


def test_move_originals_makes_old_public_originals_private_and_clean(
    django_capture_on_commit_callbacks,
):
    legacy = _legacy_photo("photos/originals/2026/12/gps.jpg", images.jpeg_with_gps())
    renditions_before = legacy.renditions
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("move_originals", stdout=out, verbosity=0)
    assert "Originals moved: 1; failed: 0." in out.getvalue()

    legacy.refresh_from_db()
    assert re.fullmatch(rf"originals/\d{{4}}/\d{{2}}/{RANDOM_NAME}\.jpg", legacy.image.name)
    assert not default_storage.exists("photos/originals/2026/12/gps.jpg")
    assert not (settings.MEDIA_ROOT / "photos/originals/2026/12/gps.jpg").exists()
    stored = (settings.PRIVATE_MEDIA_ROOT / legacy.image.name).read_bytes()
    _assert_clean(stored)
    assert legacy.sha256 == "0" * 64 and legacy.renditions == renditions_before
    # What an export will write, so that importing it back finds this photo.
    assert legacy.stored_sha256 == hashlib.sha256(stored).hexdigest()

    # A second run finds nothing to do.
    out = StringIO()
    call_command("move_originals", stdout=out, verbosity=0)
    assert "Originals moved: 0; failed: 0." in out.getvalue()


def test_move_originals_dry_run_and_damaged_files(django_capture_on_commit_callbacks):
    _legacy_photo("photos/originals/2026/12/gps.jpg", images.jpeg_with_gps())
    broken = _legacy_photo("photos/originals/2026/12/broken.jpg", images.truncated_jpeg())
    out = StringIO()
    call_command("move_originals", "--dry-run", stdout=out, verbosity=0)
    assert "would move: 2" in out.getvalue()
    assert default_storage.exists("photos/originals/2026/12/gps.jpg")

    err = StringIO()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError, match="1 original"),
    ):
        call_command("move_originals", stdout=StringIO(), stderr=err, verbosity=0)
    assert f"Photo {broken.pk}" in err.getvalue()
    # The damaged one stays where it was, for a person to look at; the other moved.
    assert default_storage.exists("photos/originals/2026/12/broken.jpg")
    assert not default_storage.exists("photos/originals/2026/12/gps.jpg")
