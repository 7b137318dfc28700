"""Exporting to the interchange format, and importing the export back."""

import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from taggit.models import Tag

from articles.models import Article, ArticleNote, Region
from interchange import FORMAT, export_articles, import_articles
from media_library.models import Document, Photo
from media_library.services import document_create, photo_create
from tests.factories import ArticleFactory, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    """Articles using every field of the format, two sharing one photo."""
    # Through the services, as the admin does, so that checksums are recorded.
    photo = photo_create(
        file=image_upload("border.jpg", width=40, height=30),
        alt_text="A fence across a desert",
        caption="The border fence.",
        credit="Photo by A. Photographer / Agency",
        copyright="Agency",
        usage_rights="editorial",
        usage_notes="Editorial use with credit only",
        generate_renditions=False,
    )
    decorative = photo_create(
        file=image_upload("texture.png", width=20, height=20, color=(10, 200, 30)),
        is_decorative=True,
        downloadable=False,
        generate_renditions=False,
    )
    document = document_create(
        file=SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%test\n"),
        title="Full report",
        language="es",
    )
    report = ArticleFactory(
        slug="facing-walls",
        kind="report",
        title="Facing Walls",
        summary="An already dangerous journey has become more perilous.",
        body="<h2>Findings</h2><p>People <em>must</em> be protected.</p>",
        reference_number="AMR 41/6514/2017",
        published_at=datetime(2017, 6, 15, 13, 0, 0, 123456, tzinfo=ZoneInfo("UTC")),
        substantively_updated_at=datetime(2017, 7, 1, 12, tzinfo=ZoneInfo("UTC")),
        hero_photo=photo,
        hero_caption="Tijuana, June 2017.",
        regions=["americas", "mx", "us"],
        topics=["Refugees and migrants", "Asylum"],
    )
    report.attachments.add(document)
    ArticleNote.objects.create(
        article=report,
        kind="correction",
        text="An earlier version said 36 people; the figure is 63.",
        published_at=datetime(2017, 6, 16, 14, 0, 0, 654321, tzinfo=ZoneInfo("UTC")),
    )
    ArticleNote.objects.create(
        article=report,
        kind="update",
        text="The report was presented to Congress.",
        published_at=datetime(2017, 7, 1, 12, tzinfo=ZoneInfo("UTC")),
    )
    release = ArticleFactory(
        slug="walls-release",
        title="Walls do not stop people",
        hero_photo=photo,
        topics=["Asylum"],
        regions=["mx"],
    )
    draft = ArticleFactory(
        slug="draft-statement",
        kind="statement",
        draft=True,
        body="",
        hero_photo=decorative,
        published_at=datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC")) + timedelta(hours=3),
    )
    report.related.add(release, draft)
    release.related.add(report)
    return [report, release, draft]


def snapshot():
    """Everything the format carries, keyed by slug, files compared by their bytes."""
    result = {}
    for article in Article.objects.all():
        photo = article.hero_photo
        result[article.slug] = {
            "kind": article.kind,
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "status": article.status,
            "published_at": article.published_at,
            "substantively_updated_at": article.substantively_updated_at,
            "reference_number": article.reference_number,
            "hero_caption": article.hero_caption,
            "regions": sorted(r.slug for r in article.regions.all()),
            "topics": sorted(article.topics.names()),
            "photo": photo
            and (
                photo.alt_text,
                photo.is_decorative,
                photo.caption,
                photo.credit,
                photo.copyright,
                photo.usage_rights,
                photo.usage_notes,
                photo.downloadable,
                photo.image.read(),
            ),
            "related": sorted(a.slug for a in article.related.all()),
            "attachments": [
                (d.title, d.language, d.file.read()) for d in article.attachments.all()
            ],
            "notes": [(n.kind, n.text, n.published_at) for n in article.notes.all()],
        }
    return result


def empty_database():
    Article.objects.all().delete()
    Photo.objects.all().delete()
    Document.objects.all().delete()
    Tag.objects.all().delete()


def test_export_writes_the_format_and_copies_files_once(content, tmp_path):
    path = tmp_path / "out" / "articles.json"
    path.parent.mkdir()

    result = export_articles(path=path)

    assert (result.articles, result.photos, result.documents) == (3, 2, 1)
    document = json.loads(path.read_text())
    assert document["format"] == FORMAT
    report = next(r for r in document["articles"] if r["slug"] == "facing-walls")
    assert report["published_at"] == "2017-06-15T09:00:00.123456-04:00"
    assert report["regions"] == ["americas", "mx", "us"]
    assert report["photo"]["file"].startswith("images/")
    assert (path.parent / report["photo"]["file"]).is_file()
    assert report["photo"]["copyright"] == "Agency"
    assert report["photo"]["usage_notes"] == "Editorial use with credit only"
    # Defaults are left out; a photo not offered for download says so.
    assert "downloadable" not in report["photo"]
    draft = next(r for r in document["articles"] if r["slug"] == "draft-statement")
    assert draft["photo"]["downloadable"] is False
    assert report["attachments"][0]["file"].startswith("docs/")
    assert report["notes"] == [
        {
            "kind": "correction",
            "text": "An earlier version said 36 people; the figure is 63.",
            "published_at": "2017-06-16T10:00:00.654321-04:00",
        },
        {
            "kind": "update",
            "text": "The report was presented to Congress.",
            "published_at": "2017-07-01T08:00:00-04:00",
        },
    ]
    release = next(r for r in document["articles"] if r["slug"] == "walls-release")
    assert "notes" not in release
    assert len(list((path.parent / "images").iterdir())) == 2
    assert not path.with_name("articles.json.partial").exists()


def test_export_then_import_into_an_empty_database_round_trips(content, tmp_path):
    before = snapshot()
    path = tmp_path / "articles.json"
    export_articles(path=path)
    empty_database()

    result = import_articles(path=path)

    assert result.created == 3
    assert Photo.objects.count() == 2
    assert snapshot() == before


def test_importing_an_export_into_the_same_database_changes_nothing(content, tmp_path):
    path = tmp_path / "articles.json"
    export_articles(path=path)
    updated = dict(Article.objects.values_list("slug", "updated_at"))

    result = import_articles(path=path)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert result.photos_reused == 2
    assert dict(Article.objects.values_list("slug", "updated_at")) == updated


def test_empty_database_exports_an_empty_list(tmp_path):
    path = tmp_path / "articles.json"
    export_articles(path=path)
    assert json.loads(path.read_text()) == {"format": FORMAT, "articles": []}


def test_region_slug_is_what_an_edited_region_exports(content, tmp_path):
    Region.objects.filter(slug="us").update(slug="united-states")
    path = tmp_path / "articles.json"
    export_articles(path=path)
    report = json.loads(path.read_text())["articles"][0]
    assert report["regions"] == ["americas", "mx", "united-states"]


def test_command_filters_by_kind_and_reports(content, tmp_path):
    out = io.StringIO()
    path = tmp_path / "reports.json"
    call_command("export_articles", str(path), "--kind", "report", "--no-progress", stdout=out)
    assert "Exported 1 articles, 1 photos and 1 documents" in out.getvalue()
    assert [r["slug"] for r in json.loads(path.read_text())["articles"]] == ["facing-walls"]


def test_command_cannot_write(content, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Cannot write"):
        call_command(
            "export_articles",
            str(tmp_path / "missing" / "x.json"),
            "--no-progress",
            stdout=io.StringIO(),
        )


def test_an_export_of_a_photo_stripped_of_gps_is_the_same_photo_when_imported_back(tmp_path):
    """The export writes the stored original, stripped of metadata, so its bytes are not
    the bytes that were uploaded; importing it back must still find the photo."""
    from tests.media_library.images import jpeg_with_gps, upload

    photo = photo_create(
        file=upload("gps.jpg", jpeg_with_gps(width=80, height=60)),
        alt_text="A march",
        generate_renditions=False,
    )
    ArticleFactory(slug="with-gps", hero_photo=photo)
    assert photo.stored_sha256 and photo.stored_sha256 != photo.sha256
    path = tmp_path / "articles.json"
    export_articles(path=path)

    result = import_articles(path=path)

    assert result.photos_reused == 1 and result.photos_created == 0
    assert Photo.objects.count() == 1
    assert Article.objects.get(slug="with-gps").hero_photo_id == photo.pk


def test_an_offer_confirmed_against_the_rights_stays_in_its_newsroom(content, tmp_path, editor):
    """The format has no confirmation: the export leaves ``downloadable`` to the rights,
    so another newsroom does not offer the photo until someone there confirms, and the
    export imports back here without changing the photo."""
    photo = Article.objects.get(slug="facing-walls").hero_photo
    Photo.objects.filter(pk=photo.pk).update(
        downloadable=True, download_confirmed_by=editor, download_confirmed_at=photo.created_at
    )
    path = tmp_path / "out" / "articles.json"
    path.parent.mkdir()
    export_articles(path=path)
    report = next(
        r for r in json.loads(path.read_text())["articles"] if r["slug"] == "facing-walls"
    )
    assert report["photo"]["usage_rights"] == "editorial"
    assert "downloadable" not in report["photo"]

    import_articles(path=path)
    photo.refresh_from_db()
    assert (photo.downloadable, photo.download_confirmed_by) == (True, editor)

    empty_database()
    import_articles(path=path)
    imported = Article.objects.get(slug="facing-walls").hero_photo
    assert (imported.downloadable, imported.download_confirmed_at) == (False, None)
