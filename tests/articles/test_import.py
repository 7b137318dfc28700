"""Importing the interchange format: all-or-nothing, idempotent, one photo per file."""

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from taggit.models import Tag

from articles.importing import FORMAT, ImportFailed, articles_import
from articles.models import Article, TaggedArticle
from media_library.models import Document, Photo
from tests.factories import ArticleFactory, image_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def bundle(tmp_path):
    """A folder with small images and a PDF, and a function writing articles.json there."""
    folder = tmp_path / "bundle"
    (folder / "images").mkdir(parents=True)
    (folder / "docs").mkdir()
    (folder / "images" / "border.jpg").write_bytes(image_bytes(60, 40))
    (folder / "images" / "court.png").write_bytes(image_bytes(50, 30, fmt="PNG"))
    (folder / "images" / "border-copy.jpg").write_bytes(image_bytes(60, 40))
    (folder / "images" / "not-an-image.jpg").write_bytes(b"hello")
    (folder / "docs" / "report.pdf").write_bytes(PDF)
    (folder / "docs" / "notes.txt").write_bytes(b"plain text")

    def write(articles, **document):
        path = folder / "articles.json"
        path.write_text(json.dumps({"format": FORMAT, "articles": articles, **document}))
        return path

    write.folder = folder
    return write


def full_record(**overrides):
    record = {
        "slug": "facing-walls",
        "kind": "report",
        "title": "Facing Walls: USA and Mexico's violations of the rights of asylum-seekers",
        "summary": "An already dangerous journey has become even more perilous.",
        "body": "<p>People fleeing violence <strong>deserve</strong> protection.</p>",
        "published_at": "2017-06-15T09:00:00-04:00",
        "status": "published",
        "regions": ["americas", "MX", "us"],
        "topics": ["Refugees and migrants", "Asylum"],
        "photo": {
            "file": "images/border.jpg",
            "alt_text": "A family walks along the border fence",
            "caption": "The border at Tijuana.",
            "credit": "Photo by A. Photographer / Agency",
        },
        "related": ["walls-statement"],
        "attachments": [{"file": "docs/report.pdf", "title": "Full report", "language": "en"}],
        "reference_number": "AMR 41/6514/2017",
    }
    record.update(overrides)
    return record


def statement(**overrides):
    record = {
        "slug": "walls-statement",
        "kind": "statement",
        "title": "Walls do not stop people fleeing for their lives",
        "summary": "Building walls will not deter people from seeking safety.",
        "published_at": "2017-06-16",
        "regions": ["mx"],
        "topics": ["asylum"],
        "photo": {
            "file": "images/border-copy.jpg",
            "alt_text": "The same border fence",
        },
        "related": ["facing-walls"],
    }
    record.update(overrides)
    return record


def counts():
    return (
        Article.objects.count(),
        Photo.objects.count(),
        Document.objects.count(),
        Tag.objects.count(),
        TaggedArticle.objects.count(),
    )


class TestGoodFile:
    def test_imports_every_field(self, bundle):
        result = articles_import(path=bundle([full_record(), statement()]))

        assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
        report = Article.objects.get(slug="facing-walls")
        assert report.kind == "report"
        assert report.title.startswith("Facing Walls")
        assert report.summary == "An already dangerous journey has become even more perilous."
        assert report.body == "<p>People fleeing violence <strong>deserve</strong> protection.</p>"
        assert report.published_at == datetime(2017, 6, 15, 13, 0, tzinfo=ZoneInfo("UTC"))
        assert report.status == "published"
        assert report.reference_number == "AMR 41/6514/2017"
        assert {r.slug for r in report.regions.all()} == {"americas", "mx", "us"}
        assert set(report.topics.names()) == {"Refugees and migrants", "Asylum"}
        assert report.hero_photo.alt_text == "A family walks along the border fence"
        assert report.hero_photo.caption == "The border at Tijuana."
        assert report.hero_photo.credit == "Photo by A. Photographer / Agency"
        assert [a.slug for a in report.related.all()] == ["walls-statement"]
        [document] = report.attachments.all()
        assert (document.title, document.language) == ("Full report", "en")
        assert document.file.read() == PDF
        assert report.created_by is None

    def test_same_photo_file_becomes_one_photo(self, bundle):
        # border-copy.jpg has the same bytes as border.jpg.
        articles_import(path=bundle([full_record(), statement()]))

        assert Photo.objects.count() == 1
        photo = Photo.objects.get()
        assert set(photo.hero_articles.values_list("slug", flat=True)) == {
            "facing-walls",
            "walls-statement",
        }

    def test_photo_already_in_library_is_reused(self, bundle):
        articles_import(path=bundle([full_record(related=[])]))
        photo = Photo.objects.get()

        result = articles_import(path=bundle([statement(related=[])]))

        assert result.photos_reused == 1
        assert Photo.objects.count() == 1
        assert Article.objects.get(slug="walls-statement").hero_photo == photo

    def test_topic_matches_an_existing_tag_whatever_its_case(self, bundle):
        articles_import(path=bundle([full_record(), statement()]))
        assert Tag.objects.filter(name__iexact="asylum").count() == 1
        assert Article.objects.get(slug="walls-statement").topics.get().name == "Asylum"

    def test_plain_date_is_midnight_in_the_newsroom_time_zone(self, bundle, settings):
        articles_import(path=bundle([statement(related=[])]))
        published = Article.objects.get().published_at
        assert published == datetime(2017, 6, 16, tzinfo=ZoneInfo(settings.TIME_ZONE))

    def test_related_may_name_an_existing_article(self, bundle):
        existing = ArticleFactory(slug="older-release")
        articles_import(path=bundle([statement(related=["older-release"])]))
        assert list(Article.objects.get(slug="walls-statement").related.all()) == [existing]

    def test_missing_slug_is_made_from_the_title_and_kept_unique(self, bundle):
        ArticleFactory(slug="walls-do-not-stop-people-fleeing-for-their-lives", title="Other")
        record = statement(related=[])
        del record["slug"]
        twin = dict(record, summary="Another one.")

        articles_import(path=bundle([record, twin]))

        assert set(Article.objects.values_list("slug", flat=True)) == {
            "walls-do-not-stop-people-fleeing-for-their-lives",
            "walls-do-not-stop-people-fleeing-for-their-lives-2",
            "walls-do-not-stop-people-fleeing-for-their-lives-3",
        }

    def test_missing_slugs_import_again_without_duplicates(self, bundle):
        record = statement(related=[])
        del record["slug"]
        path = bundle([record])
        articles_import(path=path)
        result = articles_import(path=path)
        assert (result.created, result.unchanged) == (0, 1)
        assert Article.objects.count() == 1

    def test_status_defaults_to_published_and_draft_is_kept(self, bundle):
        articles_import(
            path=bundle([statement(related=[]), full_record(related=[], status="draft")])
        )
        assert Article.objects.get(slug="walls-statement").status == "published"
        assert Article.objects.get(slug="facing-walls").status == "draft"

    def test_script_in_body_is_removed(self, bundle):
        body = (
            '<p onclick="steal()">Hello<script>alert(1)</script></p>'
            '<a href="javascript:alert(1)">x</a><img src="https://evil.example/x.png">'
        )
        articles_import(path=bundle([statement(related=[], body=body)]))
        stored = Article.objects.get().body
        assert "script" not in stored
        assert "onclick" not in stored
        assert "javascript" not in stored
        assert "evil.example" not in stored
        assert "Hello" in stored

    def test_script_in_body_is_removed_when_an_article_is_updated(self, bundle):
        articles_import(path=bundle([statement(related=[])]))
        body = '<p>Changed</p><script>alert(1)</script><p onmouseover="x()">text</p>'

        result = articles_import(path=bundle([statement(related=[], body=body)]))

        assert result.updated == 1
        assert Article.objects.get().body == "<p>Changed</p><p>text</p>"

    def test_body_that_cleans_to_the_stored_one_is_unchanged(self, bundle):
        articles_import(path=bundle([statement(related=[], body="<p>Same</p>")]))
        result = articles_import(
            path=bundle([statement(related=[], body="<p>Same</p><script>x()</script>")])
        )
        assert result.unchanged == 1


class TestIdempotence:
    def test_importing_again_changes_nothing(self, bundle):
        path = bundle([full_record(), statement()])
        articles_import(path=path)
        before = {a.slug: a.updated_at for a in Article.objects.all()}
        before_counts = counts()

        result = articles_import(path=path)

        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
        assert counts() == before_counts
        assert {a.slug: a.updated_at for a in Article.objects.all()} == before

    def test_changed_record_is_updated(self, bundle):
        articles_import(path=bundle([full_record(), statement()]))
        untouched = Article.objects.get(slug="walls-statement").updated_at

        result = articles_import(
            path=bundle(
                [
                    full_record(title="Facing Walls (corrected)", regions=["mx"], topics=[]),
                    statement(),
                ]
            )
        )

        assert (result.updated, result.unchanged) == (1, 1)
        report = Article.objects.get(slug="facing-walls")
        assert report.title == "Facing Walls (corrected)"
        assert [r.slug for r in report.regions.all()] == ["mx"]
        assert list(report.topics.all()) == []
        assert Article.objects.get(slug="walls-statement").updated_at == untouched

    def test_change_of_relations_alone_counts_as_an_update(self, bundle):
        articles_import(path=bundle([full_record(), statement()]))
        before = Article.objects.get(slug="facing-walls").updated_at

        result = articles_import(path=bundle([full_record(related=[]), statement()]))

        assert result.updated == 1
        report = Article.objects.get(slug="facing-walls")
        assert report.related.count() == 0
        assert report.updated_at > before
        assert report.body.startswith("<p>People fleeing")


class TestBadFile:
    def test_invalid_json_names_line_and_column(self, bundle):
        path = bundle.folder / "articles.json"
        path.write_text('{"format": "newsroom-articles/1",\n "articles": [\n  {"title": }\n]}')
        with pytest.raises(ImportFailed) as exc:
            articles_import(path=path)
        assert "line 3, column 13" in exc.value.errors[0]

    def test_wrong_format_marker(self, bundle):
        with pytest.raises(ImportFailed) as exc:
            articles_import(path=bundle([], format="wordpress-export"))
        assert exc.value.errors == [
            "format: expected \"newsroom-articles/1\", found 'wordpress-export'"
        ]

    def test_missing_file(self, tmp_path):
        with pytest.raises(ImportFailed) as exc:
            articles_import(path=tmp_path / "nope.json")
        assert "no such file" in exc.value.errors[0]

    def test_every_problem_is_reported_and_nothing_written(self, bundle):
        ArticleFactory(slug="existing")
        before = counts()
        records = [
            full_record(related=[]),  # 1: fine
            {"slug": "no-fields"},  # 2
            statement(  # 3
                slug="Bad Slug!",
                kind="op-ed",
                status="archived",
                published_at="2017-06-15T09:00:00",
                regions=["atlantis", "MX"],
                topics=["", "x" * 101],
                related=["facing-walls", "nowhere"],
            ),
            full_record(  # 4
                slug="facing-walls",
                title="T" * 256,
                reference_number="XYZ 1/2/3",
                photo={"file": "images/missing.jpg", "alt_text": "x"},
                attachments=[
                    {"file": "docs/missing.pdf", "title": "Gone"},
                    {"file": "docs/notes.txt", "title": "Notes"},
                    {"file": "docs/report.pdf"},
                ],
                related=[],
            ),
            statement(  # 5
                slug="statement-5",
                kind="press-release",
                reference_number="AMR 41/6514/2017",
                photo={"file": "images/not-an-image.jpg", "caption": "no alt"},
                published_at="yesterday",
                colour="red",
                related=["statement-5"],
            ),
            "not an object",  # 6
        ]

        with pytest.raises(ImportFailed) as exc:
            articles_import(path=bundle(records))

        errors = exc.value.errors
        expected = [
            "record 2 (no-fields): title: required",
            "record 2 (no-fields): summary: required",
            "record 2 (no-fields): kind: required",
            "record 2 (no-fields): published_at: required",
            "record 3 (Bad Slug!): kind: 'op-ed' is not one of",
            "record 3 (Bad Slug!): status: 'archived' is not one of",
            "record 3 (Bad Slug!): published_at: '2017-06-15T09:00:00' has no UTC offset",
            "record 3 (Bad Slug!): slug: 'Bad Slug!' may contain only",
            "record 3 (Bad Slug!): regions[0]: unknown region 'atlantis'",
            "record 3 (Bad Slug!): topics[0]: must be a non-empty string",
            "record 3 (Bad Slug!): topics[1]: longer than 100 characters",
            "record 4 (facing-walls): title: longer than 255 characters",
            "record 4 (facing-walls): reference_number: Use the form AAA 00/0000/YYYY",
            "record 4 (facing-walls): photo.file: no such file: images/missing.jpg",
            "record 4 (facing-walls): attachments[0].file: no such file: docs/missing.pdf",
            "record 4 (facing-walls): attachments[1].file: docs/notes.txt: Only PDF",
            "record 4 (facing-walls): attachments[2].title: required",
            "record 5 (statement-5): colour: unknown field",
            "record 5 (statement-5): published_at: 'yesterday' is not an ISO date-time",
            "record 5 (statement-5): reference_number: only reports carry",
            "record 5 (statement-5): photo.file: images/not-an-image.jpg:",
            "record 5 (statement-5): photo.alt_text: required",
            "record 6: record: must be a JSON object",
            "record 4 (facing-walls): slug: duplicate: record 1 has the same slug",
        ]
        for line in expected:
            assert any(error.startswith(line) for error in errors), (line, errors)
        assert len(errors) == len(expected)
        assert counts() == before

    def test_unknown_related_slug_is_an_error(self, bundle):
        with pytest.raises(ImportFailed) as exc:
            articles_import(path=bundle([statement(related=["facing-walls", "nowhere"])]))
        assert exc.value.errors == [
            "record 1 (walls-statement): related[0]: no article with slug 'facing-walls' in "
            "this file or the database",
            "record 1 (walls-statement): related[1]: no article with slug 'nowhere' in this "
            "file or the database",
        ]
        assert counts() == (0, 0, 0, 0, 0)

    def test_article_cannot_be_related_to_itself(self, bundle):
        with pytest.raises(ImportFailed) as exc:
            articles_import(path=bundle([statement(related=["walls-statement"])]))
        assert exc.value.errors == [
            "record 1 (walls-statement): related[0]: an article cannot be related to itself"
        ]


class TestCommand:
    def test_success_prints_a_summary(self, bundle):
        out = io.StringIO()
        call_command(
            "import_articles",
            str(bundle([full_record(), statement()])),
            "--no-progress",
            stdout=out,
        )
        assert "Imported 2 articles" in out.getvalue()
        assert "2 created" in out.getvalue()

    def test_problems_go_to_stderr_and_exit_non_zero(self, bundle):
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command(
                "import_articles",
                str(bundle([statement(kind="memo", related=[])])),
                "--no-progress",
                stderr=err,
            )
        assert "record 1 (walls-statement): kind: 'memo' is not one of" in err.getvalue()
        assert Article.objects.count() == 0

    def test_unknown_user(self, bundle):
        with pytest.raises(CommandError, match="No user named 'ghost'"):
            call_command("import_articles", str(bundle([])), "--user", "ghost")

    def test_user_is_recorded(self, bundle, editor):
        call_command(
            "import_articles",
            str(bundle([statement(related=[])])),
            "--user",
            editor.username,
            "--no-progress",
            stdout=io.StringIO(),
        )
        article = Article.objects.get()
        assert article.created_by == editor
        assert article.updated_by == editor

    def test_skip_renditions_says_what_to_run(self, bundle):
        out = io.StringIO()
        call_command(
            "import_articles",
            str(bundle([statement(related=[])])),
            "--skip-renditions",
            "--no-progress",
            stdout=out,
        )
        assert "manage.py generate_renditions --missing" in out.getvalue()
        assert Photo.objects.get().renditions == {}


def test_renditions_are_made_after_commit(bundle, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = articles_import(path=bundle([statement(related=[])]))
    photo = Photo.objects.get()
    assert photo.renditions
    assert result.photos_without_renditions == []
    assert Image.open(io.BytesIO(photo.image.read())).size == (60, 40)


def test_import_invalidates_cached_pages(tmp_path, settings, django_capture_on_commit_callbacks):
    from core import cache as page_cache

    before = page_cache.content_version()
    path = tmp_path / "articles.json"
    path.write_text(
        json.dumps(
            {
                "format": "newsroom-articles/1",
                "articles": [
                    {
                        "kind": "statement",
                        "title": "A new statement",
                        "summary": "Summary.",
                        "published_at": "2024-05-01",
                    }
                ],
            }
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        articles_import(path=path)
    assert page_cache.content_version() != before
