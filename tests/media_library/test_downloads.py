"""Full-size downloads: clean of EXIF/GPS, credits in the file, remade when they change."""

import io
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from PIL import ExifTags, Image

from media_library import downloads
from media_library.models import Photo
from media_library.processing import photo_generate_renditions
from media_library.services import photo_delete, photo_save
from media_library.storage import originals_storage
from tests.factories import make_photo
from tests.media_library import images

pytestmark = pytest.mark.django_db


def _photo(data=None, **kwargs):
    kwargs.setdefault("alt_text", "Activists hold a banner outside the court")
    kwargs.setdefault("credit", "Photo by Ana Ruiz / Agencia Sur")
    kwargs.setdefault("copyright", "Agencia Sur")
    kwargs.setdefault("usage_rights", "creative-commons")
    kwargs.setdefault("usage_notes", "CC BY 4.0, with credit")
    data = data or images.jpeg_with_gps(width=2400, height=1600)
    return make_photo(file=images.upload("court.jpg", data), **kwargs)


def _read(download):
    with download.open() as fh:
        data = fh.read()
    image = Image.open(io.BytesIO(data))
    image.load()
    return data, image


def test_download_is_full_size_jpeg_without_exif_gps_or_device_data():
    photo = _photo()
    download = photo.download()
    assert download is not None
    data, image = _read(download)
    assert image.format == "JPEG"
    assert (image.width, image.height) == (download.width, download.height) == (2400, 1600)
    assert download.size == len(data)
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in image.info
    assert b"Secret Camera Co" not in data
    assert b"GPS" not in data


def test_credit_copyright_and_usage_terms_travel_in_the_xmp():
    photo = _photo(credit="Photo by Ana Ruiz / Agencia Sur & Co <AR>")
    _data, image = _read(photo.download())
    xmp = image.info["xmp"].decode()
    assert (
        "<photoshop:Credit>Photo by Ana Ruiz / Agencia Sur &amp; Co &lt;AR&gt;</photoshop:Credit>"
        in xmp
    )
    assert "© Agencia Sur" in xmp
    assert "Creative Commons: CC BY 4.0, with credit" in xmp
    # Well-formed XML, so picture desks' tools read it too.
    packet = image.info["xmp"].split(b"?>", 1)[1].rsplit(b"<?", 1)[0]
    root = ElementTree.fromstring(packet)  # noqa: S314 - our own file
    credit = root.find(".//{http://ns.adobe.com/photoshop/1.0/}Credit")
    assert credit.text == "Photo by Ana Ruiz / Agencia Sur & Co <AR>"


def test_orientation_is_applied_to_the_pixels():
    photo = _photo(images.jpeg_with_gps(width=1200, height=800, orientation=6))
    _data, image = _read(photo.download())
    assert (image.width, image.height) == (800, 1200)


def test_downloads_are_private_files():
    photo = _photo()
    path = photo.download().path
    assert originals_storage().exists(path)
    assert path.startswith(f"downloads/{photo.pk}/")
    assert "downloads/" not in str(photo.rendition("hero").url)


def test_photo_not_offered_has_no_download_and_unticking_removes_it(
    django_capture_on_commit_callbacks,
):
    assert _photo(downloadable=False).download() is None

    photo = _photo()
    path = photo.download().path
    photo.downloadable = False
    assert photo.renditions_pending
    with django_capture_on_commit_callbacks(execute=True):
        photo_save(photo=photo, file_changed=False)
        photo_generate_renditions(photo=photo)
    photo.refresh_from_db()
    assert photo.download() is None
    assert not photo.renditions_pending
    assert not originals_storage().exists(path)


def test_a_new_credit_withdraws_the_old_file_until_the_new_one_is_made(
    django_capture_on_commit_callbacks,
):
    photo = _photo()
    old = photo.download()
    photo.credit = "Photo by Someone Else"
    photo_save(photo=photo, file_changed=False)
    # Never offered with the wrong credit inside.
    assert photo.download() is None
    assert photo.renditions_pending
    with django_capture_on_commit_callbacks(execute=True):
        assert photo_generate_renditions(photo=photo)
    new = Photo.objects.get(pk=photo.pk).download()
    assert new.path != old.path
    assert "Someone Else" in _read(new)[1].info["xmp"].decode()
    assert not originals_storage().exists(old.path)
    # Renditions (crop unchanged) were not remade.
    assert not photo_generate_renditions(photo=photo)


def test_deleting_a_photo_deletes_its_download(django_capture_on_commit_callbacks):
    photo = _photo()
    path = photo.download().path
    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo)
    assert not originals_storage().exists(path)


def test_transparent_png_download_is_flattened_on_white():
    photo = _photo(images.transparent_png(), usage_rights="owned", usage_notes="")
    _data, image = _read(photo.download())
    assert image.mode == "RGB"
    assert image.getpixel((image.width - 1, 0)) == (255, 255, 255)


def test_usage_terms_read_as_one_line():
    photo = Photo(usage_rights="editorial", usage_notes="Credit required")
    assert downloads.usage_terms(photo) == "Editorial use with credit: Credit required"
    assert downloads.usage_terms(Photo(usage_rights="owned")) == "Owned by the organisation"


def test_admin_edits_copyright_and_download_offer(editor_client):
    photo = _photo()
    url = reverse("admin:media_library_photo_change", args=[photo.pk])
    page = editor_client.get(url).content.decode()
    assert 'name="copyright"' in page
    assert 'name="downloadable"' in page
    assert "Offer for download" in page
    form = {
        "title": "Court",
        "alt_text": photo.alt_text,
        "credit": photo.credit,
        "copyright": "Agencia Norte",
        "usage_rights": "licensed",
        "usage_notes": "Until 2030",
        "focal_x": "0.5",
        "focal_y": "0.5",
    }
    assert editor_client.post(url, form).status_code == 302
    photo.refresh_from_db()
    assert photo.copyright == "Agencia Norte"
    assert photo.downloadable is False

    changelist = reverse("admin:media_library_photo_changelist")
    response = editor_client.get(changelist, {"downloadable__exact": "0"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [photo]
    assert editor_client.get(changelist, {"q": "Agencia Norte"}).context["cl"].result_count == 1
