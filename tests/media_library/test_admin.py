"""The media library as editors use it in the admin."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from core.models import SiteSettings
from media_library import renditions
from media_library.models import Document, Photo
from media_library.storage import originals_storage
from tests.factories import (
    ArticleFactory,
    DocumentFactory,
    SpokespersonFactory,
    image_bytes,
    image_upload,
    make_photo,
)
from tests.media_library import images
from tests.media_library.disk import disk_full_after, files_under

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:media_library_photo_add")
CHANGELIST_URL = reverse("admin:media_library_photo_changelist")


def _form(**overrides):
    data = {
        "title": "Border crossing at dawn",
        "alt_text": "Families wait in line at a border crossing",
        "caption": "Families wait to cross into the neighbouring country.",
        "credit": "Photo by Jane Doe / Agency",
        "usage_rights": "editorial",
        "usage_notes": "Credit required.",
        "focal_x": "0.5",
        "focal_y": "0.4",
    }
    data.update(overrides)
    return data


def _photo(**kwargs):
    kwargs.setdefault("alt_text", "A vigil with candles")
    return make_photo(file=image_upload("p.jpg", width=1600, height=900), **kwargs)


def test_upload_makes_renditions_and_records_the_uploader(
    editor_client, editor, django_capture_on_commit_callbacks
):
    data = _form(image=images.upload("dawn.jpg", images.jpeg_with_gps()))
    # The renditions task is enqueued once the upload commits (and tests run it at once).
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    photo = Photo.objects.get()
    assert photo.uploaded_by == editor
    assert photo.credit == "Photo by Jane Doe / Agency"
    assert photo.sha256 and photo.file_size
    assert renditions.is_current(
        photo.renditions,
        renditions.renditions_key(sha256=photo.sha256, focal_x=0.5, focal_y=0.4),
    )
    # Nothing public uses the new photo yet: its renditions are made in private storage.
    assert photo.withheld
    assert all(originals_storage().exists(p) for p in renditions.stored_paths(photo.renditions))
    assert not any(default_storage.exists(p) for p in renditions.stored_paths(photo.renditions))


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.jpg", b"just some text\n" * 10, "not an image we accept"),
        ("vector.jpg", images.SVG, "SVG files are not accepted"),
        ("scan.tif", images.other_format("TIFF"), "TIFF files are not accepted"),
        ("cut.jpg", images.truncated_jpeg(), "damaged or incomplete"),
        ("bomb.png", images.png_bomb(20_000, 20_000), "decompression bomb"),
    ],
)
def test_bad_upload_re_renders_with_message_and_keeps_fields(editor_client, name, data, message):
    response = editor_client.post(ADD_URL, _form(image=images.upload(name, data)))
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    # What the editor typed is still there.
    assert "Border crossing at dawn" in content
    assert "Photo by Jane Doe / Agency" in content
    assert Photo.objects.count() == 0


def test_oversized_upload_is_refused(editor_client, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 2000
    response = editor_client.post(
        ADD_URL, _form(image=images.upload("big.jpg", image_bytes(800, 600)))
    )
    assert response.status_code == 200
    assert "photos may be at most 2.0\xa0KB" in response.content.decode()
    assert Photo.objects.count() == 0


def test_alt_text_required_unless_decorative(editor_client):
    response = editor_client.post(
        ADD_URL, _form(alt_text="", image=image_upload("a.jpg", width=400, height=300))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["alt_text"] == [
        "Describe what the photo shows for people who cannot see it, or tick “decorative” "
        "if it adds nothing a reader would miss."
    ]
    response = editor_client.post(
        ADD_URL,
        _form(alt_text="", is_decorative="on", image=image_upload("a.jpg", width=400, height=300)),
    )
    assert response.status_code == 302
    assert Photo.objects.get().is_decorative


def test_changing_the_focal_point_regenerates_renditions(
    editor_client, django_capture_on_commit_callbacks
):
    photo = _photo()
    old = renditions.stored_paths(photo.renditions)
    url = reverse("admin:media_library_photo_change", args=[photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, _form(focal_x="0.8", focal_y="0.2"))
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.focal_x, photo.focal_y) == (0.8, 0.2)
    assert renditions.stored_paths(photo.renditions).isdisjoint(old)
    assert not any(default_storage.exists(p) for p in old)


def test_replacing_the_image_regenerates_and_removes_the_old_original(
    editor_client, django_capture_on_commit_callbacks
):
    photo = _photo()
    old_original, old_sha = photo.image.name, photo.sha256
    url = reverse("admin:media_library_photo_change", args=[photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url, _form(image=image_upload("new.png", width=1000, height=1000))
        )
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.sha256 != old_sha
    assert (photo.width, photo.height) == (1000, 1000)
    assert not default_storage.exists(old_original)
    assert photo.renditions["hero"]["height"] == photo.renditions["hero"]["width"]


def test_changelist_shows_thumbnails_and_searches(editor_client, django_assert_max_num_queries):
    _photo(title="Candle vigil", credit="Photo by Ana / Agency")
    _photo(title="Court steps", caption="Lawyers outside the court")
    SiteSettings.load()  # the row exists on any real site; the admin names the site
    with django_assert_max_num_queries(10):
        response = editor_client.get(CHANGELIST_URL)
    content = response.content.decode()
    # Used by nothing public yet: the thumbnails come through the staff-only address.
    assert content.count("/files/photo/") >= 2
    assert "thumb-160-" in content
    response = editor_client.get(CHANGELIST_URL, {"q": "lawyers"})
    assert "Court steps" in response.content.decode()
    assert "Candle vigil" not in response.content.decode()
    for params in ({"usage_rights": "owned"}, {"is_decorative__exact": "1"}, {"q": "ana"}):
        assert editor_client.get(CHANGELIST_URL, params).status_code == 200


def test_change_page_shows_card_preview_and_where_it_is_used(editor_client):
    photo = _photo()
    article = ArticleFactory(title="Release the activists", hero_photo=photo)
    person = SpokespersonFactory(name="Ana Ruiz", photo=photo)
    response = editor_client.get(reverse("admin:media_library_photo_change", args=[photo.pk]))
    content = response.content.decode()
    assert 'sizes="320px" width="320" height="180"' in content and "card-1600-" in content
    assert reverse("admin:articles_article_change", args=[article.pk]) in content
    assert "Release the activists" in content
    assert reverse("admin:press_spokesperson_change", args=[person.pk]) in content


def test_delete_of_photo_in_use_is_refused_with_links(editor_client):
    photo = _photo()
    article = ArticleFactory(title="Release the activists", hero_photo=photo)
    url = reverse("admin:media_library_photo_delete", args=[photo.pk])
    response = editor_client.get(url)
    content = response.content.decode()
    assert "is in use and cannot be deleted" in content
    assert reverse("admin:articles_article_change", args=[article.pk]) in content
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_bulk_delete_refuses_when_any_photo_is_in_use(editor_client):
    used, unused = _photo(title="Used"), _photo(title="Unused")
    ArticleFactory(title="Release the activists", hero_photo=used)
    response = editor_client.post(
        CHANGELIST_URL,
        {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "in use and cannot be deleted" in content
    assert "Release the activists" in content
    assert Photo.objects.count() == 2


def test_unused_photo_is_deleted_with_its_files(editor_client, django_capture_on_commit_callbacks):
    photo = _photo()
    paths = renditions.stored_paths(photo.renditions) | {photo.image.name}
    url = reverse("admin:media_library_photo_delete", args=[photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Photo.objects.exists()
    assert not any(default_storage.exists(p) for p in paths)


def test_writers_cannot_delete_photos(writer_client):
    photo = _photo()
    response = writer_client.post(
        reverse("admin:media_library_photo_delete", args=[photo.pk]), {"post": "yes"}
    )
    assert response.status_code == 403


# --- documents ---------------------------------------------------------------------------

DOC_ADD_URL = reverse("admin:media_library_document_add")


def test_document_upload_records_size_and_type(editor_client):
    data = b"%PDF-1.7\n" + b"0" * 2048
    response = editor_client.post(
        DOC_ADD_URL,
        {"file": images.upload("report.pdf", data), "title": "Full report", "language": "es"},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.file_size, document.content_type, document.language) == (
        len(data),
        "application/pdf",
        "es",
    )
    assert len(document.sha256) == 64
    changelist = editor_client.get(reverse("admin:media_library_document_changelist"))
    assert "2.0\xa0KB" in changelist.content.decode()


def test_document_upload_refuses_non_pdf(editor_client):
    response = editor_client.post(
        DOC_ADD_URL,
        {
            "file": images.upload("report.pdf", b"MZ\x90\x00"),
            "title": "Full report",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "Only PDF documents are accepted" in response.content.decode()
    assert "Full report" in response.content.decode()
    assert not Document.objects.exists()


def test_attached_document_cannot_be_deleted(editor_client):
    document = DocumentFactory()
    article = ArticleFactory(title="Facing Walls")
    article.attachments.add(document)
    change = editor_client.get(reverse("admin:media_library_document_change", args=[document.pk]))
    assert "Facing Walls" in change.content.decode()
    url = reverse("admin:media_library_document_delete", args=[document.pk])
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "is in use and cannot be deleted" in response.content.decode()
    assert reverse("admin:articles_article_change", args=[article.pk]) in response.content.decode()
    assert article.attachments.filter(pk=document.pk).exists()

    response = editor_client.post(
        reverse("admin:media_library_document_changelist"),
        {"action": "delete_selected", "_selected_action": [document.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert Document.objects.filter(pk=document.pk).exists()

    article.attachments.clear()
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Document.objects.exists()


# --- a full disk ---------------------------------------------------------------------------

DISK_FULL = (
    "The file could not be stored: the server&#x27;s disk is full. Nothing was saved; try "
    "again later or tell the site administrator."
)


def test_a_photo_upload_onto_a_full_disk_is_a_form_error_and_leaves_no_file(
    editor_client, settings
):
    data = _form(image=images.upload("dawn.jpg", image_bytes(1600, 900)))
    with disk_full_after(1000):
        response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert DISK_FULL in content
    form = response.context["adminform"].form
    assert "the server's disk is full" in form.errors["image"][0]
    # What the editor typed is still there; nothing is stored, not even part of a file.
    assert "Border crossing at dawn" in content and "Photo by Jane Doe / Agency" in content
    assert Photo.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT) == []


def test_replacing_a_photo_on_a_full_disk_keeps_the_old_one(editor_client, settings):
    photo = _photo(title="Vigil")
    stored = files_under(settings.PRIVATE_MEDIA_ROOT)
    url = reverse("admin:media_library_photo_change", args=[photo.pk])
    data = _form(title="A new title", image=images.upload("new.jpg", image_bytes(1200, 800)))
    with disk_full_after(1000):
        response = editor_client.post(url, data)
    assert response.status_code == 200
    assert DISK_FULL in response.content.decode()
    assert "A new title" in response.content.decode()
    photo.refresh_from_db()
    assert photo.title == "Vigil"
    assert files_under(settings.PRIVATE_MEDIA_ROOT) == stored


def test_a_document_upload_onto_a_full_disk_is_a_form_error_and_leaves_no_file(
    editor_client, settings
):
    data = b"%PDF-1.7\n" + b"0" * 20_000
    with disk_full_after(5000):
        response = editor_client.post(
            DOC_ADD_URL,
            {"file": images.upload("report.pdf", data), "title": "Full report", "language": "es"},
        )
    assert response.status_code == 200
    content = response.content.decode()
    assert DISK_FULL in content
    assert "Full report" in content
    assert not Document.objects.exists()
    assert files_under(settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT) == []
