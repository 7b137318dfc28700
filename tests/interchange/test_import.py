"""Importing the interchange format: all-or-nothing, idempotent, one photo per file."""

import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from taggit.models import Tag

from articles.models import Article, SlugRedirect, TaggedArticle
from interchange import FORMAT, ImportFailed, import_articles
from interchange.importing.parse import ARTICLE_KEYS, ATTACHMENT_KEYS, PHOTO_KEYS
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
        result = import_articles(path=bundle([full_record(), statement()]))

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
        import_articles(path=bundle([full_record(), statement()]))

        assert Photo.objects.count() == 1
        photo = Photo.objects.get()
        assert set(photo.hero_articles.values_list("slug", flat=True)) == {
            "facing-walls",
            "walls-statement",
        }

    def test_photo_already_in_library_is_reused(self, bundle):
        import_articles(path=bundle([full_record(related=[])]))
        photo = Photo.objects.get()

        result = import_articles(path=bundle([statement(related=[])]))

        assert result.photos_reused == 1
        assert Photo.objects.count() == 1
        assert Article.objects.get(slug="walls-statement").hero_photo == photo

    def test_topic_matches_an_existing_tag_whatever_its_case(self, bundle):
        import_articles(path=bundle([full_record(), statement()]))
        assert Tag.objects.filter(name__iexact="asylum").count() == 1
        assert Article.objects.get(slug="walls-statement").topics.get().name == "Asylum"

    def test_plain_date_is_midnight_in_the_newsroom_time_zone(self, bundle, settings):
        import_articles(path=bundle([statement(related=[])]))
        published = Article.objects.get().published_at
        assert published == datetime(2017, 6, 16, tzinfo=ZoneInfo(settings.TIME_ZONE))

    def test_related_may_name_an_existing_article(self, bundle):
        existing = ArticleFactory(slug="older-release")
        import_articles(path=bundle([statement(related=["older-release"])]))
        assert list(Article.objects.get(slug="walls-statement").related.all()) == [existing]

    def test_missing_slug_is_made_from_the_title_and_kept_unique(self, bundle):
        ArticleFactory(slug="walls-do-not-stop-people-fleeing-for-their-lives", title="Other")
        record = statement(related=[])
        del record["slug"]
        twin = dict(record, summary="Another one.")

        import_articles(path=bundle([record, twin]))

        assert set(Article.objects.values_list("slug", flat=True)) == {
            "walls-do-not-stop-people-fleeing-for-their-lives",
            "walls-do-not-stop-people-fleeing-for-their-lives-2",
            "walls-do-not-stop-people-fleeing-for-their-lives-3",
        }

    def test_missing_slugs_import_again_without_duplicates(self, bundle):
        record = statement(related=[])
        del record["slug"]
        path = bundle([record])
        import_articles(path=path)
        result = import_articles(path=path)
        assert (result.created, result.unchanged) == (0, 1)
        assert Article.objects.count() == 1

    def test_status_defaults_to_published_and_draft_is_kept(self, bundle):
        import_articles(
            path=bundle([statement(related=[]), full_record(related=[], status="draft")])
        )
        assert Article.objects.get(slug="walls-statement").status == "published"
        assert Article.objects.get(slug="facing-walls").status == "draft"

    def test_script_in_body_is_removed(self, bundle):
        body = (
            '<p onclick="steal()">Hello<script>alert(1)</script></p>'
            '<a href="javascript:alert(1)">x</a><img src="https://evil.example/x.png">'
        )
        import_articles(path=bundle([statement(related=[], body=body)]))
        stored = Article.objects.get().body
        assert "script" not in stored
        assert "onclick" not in stored
        assert "javascript" not in stored
        assert "evil.example" not in stored
        assert "Hello" in stored

    def test_script_in_body_is_removed_when_an_article_is_updated(self, bundle):
        import_articles(path=bundle([statement(related=[])]))
        body = '<p>Changed</p><script>alert(1)</script><p onmouseover="x()">text</p>'

        result = import_articles(path=bundle([statement(related=[], body=body)]))

        assert result.updated == 1
        assert Article.objects.get().body == "<p>Changed</p><p>text</p>"

    def test_body_that_cleans_to_the_stored_one_is_unchanged(self, bundle):
        import_articles(path=bundle([statement(related=[], body="<p>Same</p>")]))
        result = import_articles(
            path=bundle([statement(related=[], body="<p>Same</p><script>x()</script>")])
        )
        assert result.unchanged == 1


class TestIdempotence:
    def test_importing_again_changes_nothing(self, bundle):
        path = bundle([full_record(), statement()])
        import_articles(path=path)
        before = {a.slug: a.updated_at for a in Article.objects.all()}
        before_counts = counts()

        result = import_articles(path=path)

        assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
        assert counts() == before_counts
        assert {a.slug: a.updated_at for a in Article.objects.all()} == before

    def test_changed_record_is_updated(self, bundle):
        import_articles(path=bundle([full_record(), statement()]))
        untouched = Article.objects.get(slug="walls-statement").updated_at

        result = import_articles(
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
        import_articles(path=bundle([full_record(), statement()]))
        before = Article.objects.get(slug="facing-walls").updated_at

        result = import_articles(path=bundle([full_record(related=[]), statement()]))

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
            import_articles(path=path)
        assert "line 3, column 13" in exc.value.errors[0]

    def test_wrong_format_marker(self, bundle):
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([], format="wordpress-export"))
        assert exc.value.errors == [
            "format: expected \"newsroom-articles/1\", found 'wordpress-export'"
        ]

    def test_missing_file(self, tmp_path):
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=tmp_path / "nope.json")
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
            import_articles(path=bundle(records))

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
            "record 4 (facing-walls): photo.file: images/missing.jpg: no such file in the folder",
            "record 4 (facing-walls): attachments[0].file: docs/missing.pdf: no such file in the",
            "record 4 (facing-walls): attachments[1].file: docs/notes.txt: Only PDF",
            "record 4 (facing-walls): attachments[2].title: required",
            "record 5 (statement-5): colour: unknown field",
            "record 5 (statement-5): published_at: 'yesterday' is not an ISO date-time",
            "record 5 (statement-5): reference_number: Only reports carry a reference number.",
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
            import_articles(path=bundle([statement(related=["facing-walls", "nowhere"])]))
        assert exc.value.errors == [
            "record 1 (walls-statement): related[0]: no article with slug 'facing-walls' in "
            "this file or the database",
            "record 1 (walls-statement): related[1]: no article with slug 'nowhere' in this "
            "file or the database",
        ]
        assert counts() == (0, 0, 0, 0, 0)

    def test_article_cannot_be_related_to_itself(self, bundle):
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([statement(related=["walls-statement"])]))
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
        result = import_articles(path=bundle([statement(related=[])]))
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
        import_articles(path=path)
    assert page_cache.content_version() != before


def media_files(settings):
    """Every stored file: public media and the private originals."""
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


class TestConfinedToItsFolder:
    """Files are read only from inside the JSON file's folder; outside looks missing."""

    @pytest.fixture
    def elsewhere(self, bundle):
        """A real image and a text file next to the bundle folder, not inside it."""
        outside = bundle.folder.parent
        (outside / "elsewhere.jpg").write_bytes(image_bytes(60, 40))
        (outside / "secret.txt").write_bytes(b"not an image")
        return outside

    def photo_errors(self, bundle, file):
        record = statement(related=[], photo={"file": file, "alt_text": "A fence"})
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([record]))
        return exc.value.errors

    @pytest.mark.parametrize(
        "file",
        [
            "../elsewhere.jpg",
            "images/../../elsewhere.jpg",
            "images/../border.jpg",  # back inside, yet ".." is never followed
            "ABSOLUTE/elsewhere.jpg",
            "/etc/passwd",
            "C:\\Windows\\win.ini",
            "../secret.txt",
            "../nowhere.jpg",
            "images",
        ],
    )
    def test_outside_missing_and_odd_paths_get_one_message(self, bundle, elsewhere, file):
        file = file.replace("ABSOLUTE", str(elsewhere))
        assert self.photo_errors(bundle, file) == [
            f"record 1 (walls-statement): photo.file: {file}: no such file in the folder "
            "of the JSON file"
        ]
        assert counts() == (0, 0, 0, 0, 0)

    def test_symlink_leading_out_is_refused(self, bundle, elsewhere):
        (bundle.folder / "images" / "link.jpg").symlink_to(elsewhere / "elsewhere.jpg")
        (bundle.folder / "images" / "dir").symlink_to(elsewhere, target_is_directory=True)

        for file in ("images/link.jpg", "images/dir/elsewhere.jpg"):
            assert self.photo_errors(bundle, file) == [
                f"record 1 (walls-statement): photo.file: {file}: no such file in the folder "
                "of the JSON file"
            ]

    def test_symlink_staying_inside_is_followed(self, bundle):
        (bundle.folder / "images" / "alias.jpg").symlink_to(bundle.folder / "images" / "court.png")
        record = statement(related=[], photo={"file": "images/alias.jpg", "alt_text": "A court"})

        import_articles(path=bundle([record]))

        assert Photo.objects.get().width == 50

    def test_attachments_are_confined_too(self, bundle, elsewhere):
        (elsewhere / "report.pdf").write_bytes(PDF)
        record = statement(
            related=[], attachments=[{"file": "../report.pdf", "title": "Full report"}]
        )
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([record]))
        assert exc.value.errors == [
            "record 1 (walls-statement): attachments[0].file: ../report.pdf: no such file "
            "in the folder of the JSON file"
        ]


class TestHostileValues:
    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("published_at", "0001-01-01T00:00:00+05:00"),
            ("published_at", "9999-12-31T23:59:59-05:00"),
            ("published_at", "1899-12-31"),
            ("substantively_updated_at", "2201-01-01T00:00:00+00:00"),
        ],
    )
    def test_dates_outside_the_bound_are_refused(self, bundle, key, value):
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([statement(related=[], **{key: value})]))
        assert exc.value.errors == [
            f"record 1 (walls-statement): {key}: {value!r}: Give a date between 1 January "
            "1900 and 31 December 2200."
        ]
        assert counts() == (0, 0, 0, 0, 0)

    def test_dates_at_the_ends_of_the_bound_are_imported(self, bundle, client):
        import_articles(
            path=bundle(
                [
                    statement(related=[], published_at="1900-01-01T00:00:00+00:00"),
                    full_record(related=[], published_at="2200-12-31T23:59:59+00:00"),
                ]
            )
        )
        assert client.get("/news/?sort=oldest").status_code == 200
        assert client.get("/news/walls-statement/").status_code == 200

    def test_control_characters_are_reported_with_record_and_field(self, bundle, settings):
        records = [
            full_record(related=[], summary="Detained\x00 activists"),
            statement(
                related=[],
                topics=["Asylum", "Bell\x07"],
                photo={"file": "images/court.png", "alt_text": "A court", "caption": "\x1b[31m"},
            ),
            statement(slug="third", related=[], title="Broken \ud800 surrogate"),
            statement(slug="fourth", related=[], summary="Tabs\tnew lines\nand\r\nreturns"),
        ]
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle(records))

        assert exc.value.errors == [
            "record 1 (facing-walls): summary: contains a control character or an invalid "
            "character",
            "record 2 (walls-statement): topics[1]: contains a control character or an "
            "invalid character",
            "record 2 (walls-statement): photo.caption: contains a control character or an "
            "invalid character",
            "record 3 (third): title: contains a control character or an invalid character",
        ]
        assert counts() == (0, 0, 0, 0, 0)
        assert media_files(settings) == []

    def test_values_of_the_wrong_type_are_errors(self, bundle):
        record = full_record(
            related=[], kind=["report"], status={"a": 1}, regions=[["mx"]], topics=[7], slug=5
        )
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([record]))
        assert exc.value.errors == [
            "record 1 (Facing Walls: USA and Mexico's violations of the rights o...): " + line
            for line in (
                "kind: ['report'] is not one of press-release, report, statement",
                "status: {'a': 1} is not one of draft, published",
                "slug: must be a non-empty string",
                "regions[0]: unknown region ['mx'] (use a region slug or ISO code)",
                "topics[0]: must be a non-empty string",
            )
        ]

    ODD_VALUES = [None, 0, 1.5, True, "", "x", [], {}, [None], [[]], [{}], {"a": [1]}, "\u00e9"]

    @pytest.mark.parametrize(
        "where",
        [
            *sorted(ARTICLE_KEYS),
            *(f"photo.{key}" for key in sorted(PHOTO_KEYS)),
            *(f"attachments.{key}" for key in sorted(ATTACHMENT_KEYS)),
        ],
    )
    def test_any_json_value_anywhere_is_a_result_or_an_error(self, bundle, where):
        for value in self.ODD_VALUES:
            record = full_record(related=[])
            if where.startswith("photo."):
                record["photo"] = {**record["photo"], where.split(".")[1]: value}
            elif where.startswith("attachments."):
                attachment = {**record["attachments"][0], where.split(".")[1]: value}
                record["attachments"] = [attachment]
            else:
                record[where] = value
            try:
                import_articles(path=bundle([record]), generate_renditions=False)
            except ImportFailed as exc:
                assert exc.errors

    def test_deep_nesting_is_an_error_not_a_traceback(self, bundle):
        path = bundle.folder / "articles.json"
        path.write_text(
            f'{{"format": "{FORMAT}", "articles": ' + "[" * 100_000 + "]" * 100_000 + "}"
        )
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=path)
        assert exc.value.errors == [f"{path}: nested too deeply to be an article file"]

        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_articles", str(path), "--no-progress", stderr=err)
        assert "nested too deeply" in err.getvalue()

    def test_nesting_inside_a_record_is_reported_per_field(self, bundle):
        nested = "deep"
        for _ in range(50):
            nested = [nested]
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([statement(related=[], regions=nested)]))
        [error] = exc.value.errors
        assert error.startswith("record 1 (walls-statement): regions[0][0][0]")
        assert error.endswith(": nested too deeply")

    @pytest.mark.parametrize(
        "text",
        ['{"format": "newsroom-articles/1", "articles": [}', "\ufeff{}", "[1, 2]", ""],
    )
    def test_malformed_json_is_an_error(self, bundle, text):
        path = bundle.folder / "articles.json"
        path.write_text(text)
        with pytest.raises(ImportFailed):
            import_articles(path=path)

    def test_undecodable_file_is_an_error(self, bundle):
        path = bundle.folder / "articles.json"
        path.write_bytes(b'{"format": "\xff\xfe"}')
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=path)
        assert "cannot be read" in exc.value.errors[0]

    @staticmethod
    def run_command(path):
        """The command as run from a shell: its stderr and its exit status."""
        err = io.StringIO()
        try:
            call_command("import_articles", str(path), "--no-progress", stderr=err)
        except CommandError as error:
            return err.getvalue(), error.returncode
        return err.getvalue(), 0

    def test_a_number_too_long_to_read_is_reported_on_its_field(self, bundle, settings):
        huge = "9" * 5000
        records = [
            full_record(related=[], reference_number=None),
            statement(related=[]),
        ]
        text = json.dumps({"format": FORMAT, "articles": records})
        text = text.replace('"kind": "report"', f'"kind": {huge}', 1)
        text = text.replace('"file": "images/border-copy.jpg"', f'"file": -{huge}', 1)
        path = bundle.folder / "articles.json"
        path.write_text(text)

        err, status = self.run_command(path)

        assert status == 1
        assert err.splitlines() == [
            "record 1 (facing-walls): kind: a number of 5000 digits, too long to read",
            "record 2 (walls-statement): photo.file: a number of 5000 digits, too long to read",
        ]
        assert counts() == (0, 0, 0, 0, 0)
        assert media_files(settings) == []

    def test_a_number_too_long_to_read_outside_the_records_is_a_file_error(self, bundle):
        path = bundle.folder / "articles.json"
        path.write_text(f'{{"format": {"1" * 5000}, "articles": [], "extra": {"2" * 9000}}}')
        err, status = self.run_command(path)
        assert status == 1
        assert err.splitlines() == [
            f'format: expected "{FORMAT}", found a number of 5000 digits, too long to read'
        ]
        assert counts() == (0, 0, 0, 0, 0)


class TestFailedWriteLeavesNothing:
    def test_files_stored_before_a_failure_are_removed(self, bundle, settings, monkeypatch):
        from interchange.importing import write

        def fail(*args, **kwargs):
            raise DatabaseError("the database went away mid-import")

        monkeypatch.setattr(write, "create_articles", fail)
        with pytest.raises(DatabaseError):
            import_articles(path=bundle([full_record(), statement()]))

        assert counts() == (0, 0, 0, 0, 0)
        assert media_files(settings) == []

    def test_a_good_import_keeps_its_files(self, bundle, settings):
        import_articles(path=bundle([full_record(), statement()]), generate_renditions=False)
        # One photo (two records share its bytes) and one document.
        assert len(media_files(settings)) == 2


class TestAnalyze:
    def test_written_tables_are_analyzed_after_commit(
        self, bundle, django_capture_on_commit_callbacks
    ):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            import_articles(path=bundle([statement(related=[])]), generate_renditions=False)

        analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
        if connection.vendor == "postgresql":
            [sql] = analyzed
            for table in ("articles_article", "articles_article_regions", "taggit_tag"):
                assert f'"{table}"' in sql
        else:
            assert analyzed == []

    def test_nothing_written_nothing_analyzed(self, bundle, django_capture_on_commit_callbacks):
        path = bundle([statement(related=[])])
        import_articles(path=path, generate_renditions=False)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = import_articles(path=path, generate_renditions=False)
        assert result.unchanged == 1
        assert callbacks == []


class TestOldAddresses:
    @pytest.fixture
    def moved(self):
        article = ArticleFactory(slug="walls-statement", title="Walls do not stop people")
        article.slug = "walls-statement-2017"
        article.save()
        return article

    def test_a_record_cannot_take_another_articles_old_address(self, bundle, moved):
        with pytest.raises(ImportFailed) as exc:
            import_articles(path=bundle([statement(related=[])]))
        assert exc.value.errors == [
            "record 1 (walls-statement): slug: 'walls-statement' is an old address of the "
            "article now at 'walls-statement-2017', and links to it still lead there"
        ]

    def test_a_made_slug_steps_around_old_addresses(self, bundle, moved):
        record = statement(related=[], title="Walls statement")
        del record["slug"]
        import_articles(path=bundle([record]))
        assert Article.objects.filter(title="Walls statement").get().slug == "walls-statement-2"
        assert SlugRedirect.objects.get(old_slug="walls-statement").article == moved


class TestPhotoRightsAndDownloads:
    """``copyright``, ``usage_rights``, ``usage_notes`` and ``downloadable`` on ``photo``."""

    def test_are_imported(self, bundle):
        photo = {
            **full_record()["photo"],
            "copyright": "Agency",
            "usage_rights": "editorial",
            "usage_notes": "Editorial use with credit only",
            "downloadable": False,
        }
        import_articles(path=bundle([full_record(photo=photo, related=[])]))
        stored = Article.objects.get(slug="facing-walls").hero_photo
        assert (stored.copyright, stored.usage_rights, stored.usage_notes) == (
            "Agency",
            "editorial",
            "Editorial use with credit only",
        )
        assert stored.downloadable is False

    def test_default_to_offered_for_download_with_no_copyright(self, bundle):
        import_articles(path=bundle([full_record(related=[])]))
        stored = Article.objects.get(slug="facing-walls").hero_photo
        assert (stored.copyright, stored.usage_rights, stored.downloadable) == ("", "owned", True)

    @pytest.mark.parametrize(
        ("rights", "offered"),
        [
            ("owned", True),
            ("creative-commons", True),
            ("licensed", False),
            ("editorial", False),
            ("restricted", False),
        ],
    )
    def test_left_out_downloadable_follows_the_rights(self, bundle, rights, offered):
        photo = {**full_record()["photo"], "usage_rights": rights}
        import_articles(path=bundle([full_record(photo=photo, related=[])]))
        stored = Article.objects.get(slug="facing-walls").hero_photo
        assert stored.downloadable is offered

    def test_an_offer_the_rights_forbid_is_refused(self, bundle):
        photo = {**full_record()["photo"], "usage_rights": "licensed", "downloadable": True}
        cc = {**statement()["photo"], "usage_rights": "creative-commons", "downloadable": True}
        with pytest.raises(ImportFailed) as exc:
            import_articles(
                path=bundle(
                    [full_record(photo=photo, related=[]), statement(photo=cc, related=[])]
                )
            )
        assert exc.value.errors == [
            "record 1 (facing-walls): photo.downloadable: true, but usage_rights 'licensed' "
            "(Licensed for our use) does not allow journalists to be given the photo; "
            "leave downloadable out (or false), or import it and offer it from the admin, "
            "which asks someone to confirm that we may redistribute it"
        ]
        assert counts() == (0, 0, 0, 0, 0)

    def test_every_bad_value_is_reported_with_its_record(self, bundle):
        limit = Photo._meta.get_field("copyright").max_length
        notes_limit = Photo._meta.get_field("usage_notes").max_length
        bad = {
            **full_record()["photo"],
            "copyright": "C" * (limit + 1),
            "usage_rights": "all-rights-free",
            "usage_notes": "N" * (notes_limit + 1),
            "downloadable": "yes",
        }
        other = {**statement()["photo"], "copyright": 12, "downloadable": 1}
        with pytest.raises(ImportFailed) as exc:
            import_articles(
                path=bundle(
                    [full_record(photo=bad, related=[]), statement(photo=other, related=[])]
                )
            )
        assert exc.value.errors == [
            "record 1 (facing-walls): photo.downloadable: must be true or false",
            f"record 1 (facing-walls): photo.usage_rights: 'all-rights-free' is not one of "
            f"{', '.join(v for v, _ in Photo._meta.get_field('usage_rights').choices)}",
            f"record 1 (facing-walls): photo.copyright: longer than {limit} characters "
            f"({limit + 1})",
            f"record 1 (facing-walls): photo.usage_notes: longer than {notes_limit} characters "
            f"({notes_limit + 1})",
            "record 2 (walls-statement): photo.downloadable: must be true or false",
            "record 2 (walls-statement): photo.copyright: must be a string",
        ]
        assert counts() == (0, 0, 0, 0, 0)
