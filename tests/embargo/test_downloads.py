"""The embargo page's downloads: the media kit and photos at full size go through the
recipient's link before the lift, and never through the public addresses."""

import io
import zipfile

import pytest

from media_library.models import Photo
from press import media_kit
from press.models import MediaKit

pytestmark = pytest.mark.django_db


def test_the_page_links_the_kit_and_the_photo_through_the_link(client, embargoed, token):
    html = client.get(f"/embargo/{token}/").content.decode()
    assert f"/embargo/{token}/media-kit.zip" in html
    assert f"/embargo/{token}/photos/{embargoed.hero_photo_id}.jpg" in html
    assert f"/news/{embargoed.slug}/media-kit.zip" not in html
    assert f"/news/{embargoed.slug}/photos/" not in html


def test_the_recipient_downloads_the_kit_before_the_lift(client, embargoed, token):
    media_kit.build(embargoed.pk)
    response = client.get(f"/embargo/{token}/media-kit.zip")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, noarchive"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert any(name.endswith(".jpg") for name in archive.namelist())
    assert "CREDITS.csv" in archive.namelist()
    # The public address knows nothing of it until the lift.
    assert client.get(f"/news/{embargoed.slug}/media-kit.zip").status_code == 404
    assert MediaKit.objects.filter(article=embargoed).exists()


def test_the_recipient_downloads_the_photo_at_full_size(client, embargoed, token):
    photo = Photo.objects.get(pk=embargoed.hero_photo_id)
    response = client.get(f"/embargo/{token}/photos/{photo.pk}.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"/news/{embargoed.slug}/photos/{photo.pk}.jpg").status_code == 404


def test_an_unknown_token_downloads_nothing(client, embargoed, token):
    assert client.get("/embargo/not-a-token/media-kit.zip").status_code == 404
    photo_url = f"/embargo/not-a-token/photos/{embargoed.hero_photo_id}.jpg"
    assert client.get(photo_url).status_code == 404


def test_a_photo_the_rights_forbid_is_not_offered_under_embargo_either(client, embargoed, token):
    from media_library.processing import photo_generate_renditions
    from media_library.services import photo_save

    photo = Photo.objects.get(pk=embargoed.hero_photo_id)
    assert client.get(f"/embargo/{token}/photos/{photo.pk}.jpg").status_code == 200
    photo.usage_rights, photo.downloadable = "licensed", False
    photo_save(photo=photo, file_changed=False)
    photo_generate_renditions(photo=photo)

    html = client.get(f"/embargo/{token}/").content.decode()
    assert f"/embargo/{token}/photos/{photo.pk}.jpg" not in html
    assert "not available for download" in html
    assert client.get(f"/embargo/{token}/photos/{photo.pk}.jpg").status_code == 404
    media_kit.build(embargoed.pk)
    response = client.get(f"/embargo/{token}/media-kit.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert not any(name.endswith(".jpg") for name in archive.namelist())
    credits = archive.read("CREDITS.csv").decode("utf-8-sig")
    assert "not included: licensed for our use only; ask the press office" in credits
