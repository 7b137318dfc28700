"""The interchange format's languages: "language" and "translation_of" on import and export."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from interchange import FORMAT, ImportFailed, export_articles, import_articles
from interchange.importing.parse import parse_file
from media_library.models import Photo, PhotoText
from media_library.services import photo_create
from tests.factories import ArticleFactory, image_bytes, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(tmp_path):
    """A folder with two images, and a function writing articles.json there."""
    folder = tmp_path / "bundle"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "border.jpg").write_bytes(image_bytes(60, 40))
    (folder / "images" / "court.png").write_bytes(image_bytes(50, 30, fmt="PNG"))

    def write(articles):
        path = folder / "articles.json"
        path.write_text(json.dumps({"format": FORMAT, "articles": articles}))
        return path

    return write


def source(**overrides):
    record = {
        "slug": "facing-walls",
        "kind": "report",
        "title": "Facing Walls",
        "summary": "An already dangerous journey has become even more perilous.",
        "published_at": "2017-06-15T09:00:00-04:00",
        "regions": ["americas", "mx"],
        "topics": ["Asylum", "Refugees and migrants"],
        "reference_number": "AMR 41/6514/2017",
        "photo": {"file": "images/border.jpg", "alt_text": "A family walks along the fence"},
    }
    record.update(overrides)
    return record


def translation(language="es", **overrides):
    """A translation record giving none of the shared fields."""
    record = {
        "slug": f"facing-walls-{language}",
        "title": f"Muros ({language})",
        "summary": f"Un viaje peligroso ({language}).",
        "published_at": "2017-06-15T10:00:00-04:00",
        "language": language,
        "translation_of": "facing-walls",
    }
    record.update(overrides)
    return record


def problems(path):
    with pytest.raises(ImportFailed) as caught:
        import_articles(path=path)
    return caught.value.errors


@pytest.mark.usefixtures("multilingual")
class TestImport:
    def test_a_translation_may_come_before_its_source_and_shares_its_fields(self, bundle):
        result = import_articles(path=bundle([translation("fr"), source(), translation("es")]))

        assert result.created == 3
        report = Article.objects.get(slug="facing-walls")
        assert (report.language, report.translation_of) == ("en", None)
        for code in ("es", "fr"):
            version = Article.objects.get(slug=f"facing-walls-{code}")
            assert version.language == code
            assert version.translation_of == report
            assert version.kind == "report"
            assert version.reference_number == "AMR 41/6514/2017"
            assert version.hero_photo == report.hero_photo
            assert {r.slug for r in version.regions.all()} == {"americas", "mx"}
            assert set(version.topics.names()) == {"Asylum", "Refugees and migrants"}
        assert Photo.objects.count() == 1
        # The source's texts describe the photo, wherever its translations stand.
        assert Photo.objects.get().alt_text == "A family walks along the fence"

    def test_a_translation_may_give_the_shared_fields_when_they_agree(self, bundle):
        given = {key: source()[key] for key in ("kind", "regions", "topics", "photo")}
        given["regions"] = ["MX", "americas"]  # an ISO code names the same region
        given["topics"] = ["asylum", "refugees and migrants"]
        given["reference_number"] = "AMR 41/6514/2017"

        import_articles(path=bundle([source(), translation("es", **given)]))

        assert Article.objects.get(slug="facing-walls-es").translation_of.slug == "facing-walls"

    def test_a_translation_of_an_article_in_the_database(self, bundle):
        import_articles(path=bundle([source()]))
        report = Article.objects.get(slug="facing-walls")

        import_articles(path=bundle([translation("ar")]))

        version = Article.objects.get(slug="facing-walls-ar")
        assert version.translation_of == report
        assert version.hero_photo_id == report.hero_photo_id
        assert version.kind == "report"
        assert {r.slug for r in version.regions.all()} == {"americas", "mx"}
        assert Photo.objects.count() == 1

    def test_its_photo_given_again_against_a_database_source_is_the_same_photo(self, bundle):
        import_articles(path=bundle([source()]))
        import_articles(path=bundle([translation("es", photo=source()["photo"])]))

        assert Photo.objects.count() == 1
        assert Article.objects.get(slug="facing-walls-es").hero_photo == Photo.objects.get()

    def test_reimporting_a_group_changes_nothing(self, bundle):
        path = bundle([translation("es"), source(), translation("fr")])
        import_articles(path=path)

        result = import_articles(path=path)

        assert (result.created, result.updated, result.unchanged) == (0, 0, 3)

    def test_versions_may_trade_languages_within_a_group(self, bundle):
        import_articles(path=bundle([source(), translation("es"), translation("fr")]))

        result = import_articles(
            path=bundle(
                [
                    source(),
                    translation("fr", slug="facing-walls-es"),
                    translation("es", slug="facing-walls-fr"),
                    translation("ar", slug="facing-walls-ar"),
                ]
            )
        )

        assert (result.created, result.updated) == (1, 2)
        languages = dict(Article.objects.values_list("slug", "language"))
        assert languages == {
            "facing-walls": "en",
            "facing-walls-es": "fr",
            "facing-walls-fr": "es",
            "facing-walls-ar": "ar",
        }

    def test_a_translation_may_become_the_source_of_its_group(self, bundle):
        import_articles(path=bundle([source(), translation("es")]))

        import_articles(
            path=bundle(
                [
                    source(translation_of="facing-walls-es"),
                    translation(
                        "es",
                        translation_of=None,
                        **{
                            k: source()[k]
                            for k in ("kind", "regions", "topics", "reference_number", "photo")
                        },
                    ),
                    translation("fr", slug="new-fr", translation_of="facing-walls-es"),
                ]
            )
        )

        spanish = Article.objects.get(slug="facing-walls-es")
        assert spanish.translation_of is None
        assert set(spanish.translations.values_list("slug", flat=True)) == {
            "facing-walls",
            "new-fr",
        }

    def test_unknown_language(self, bundle):
        errors = problems(bundle([source(language="de"), translation("xx")]))

        assert errors == [
            "record 1 (facing-walls): language: 'de' is not one of the newsroom's languages "
            "(en, es, fr, ar)",
            "record 2 (facing-walls-xx): language: 'xx' is not one of the newsroom's "
            "languages (en, es, fr, ar)",
        ]
        assert not Article.objects.exists()

    def test_translation_of_that_names_nothing(self, bundle):
        errors = problems(bundle([source(), translation("es", translation_of="no-such")]))

        assert errors == [
            "record 2 (facing-walls-es): translation_of: no article with slug 'no-such' in "
            "this file or the database"
        ]
        assert not Article.objects.exists()

    def test_translation_of_itself(self, bundle):
        errors = problems(bundle([source(translation_of="facing-walls")]))

        assert errors == [
            "record 1 (facing-walls): translation_of: an article cannot be a translation of itself"
        ]

    def test_translation_of_a_translation_in_the_file(self, bundle):
        errors = problems(
            bundle(
                [
                    source(),
                    translation("es"),
                    translation("fr", translation_of="facing-walls-es"),
                ]
            )
        )

        assert errors == [
            "record 3 (facing-walls-fr): translation_of: 'facing-walls-es' (record 2) is "
            "itself a translation, of 'facing-walls': name the source of the group instead"
        ]
        assert not Article.objects.exists()

    def test_translation_of_a_translation_in_the_database(self, bundle):
        report = ArticleFactory(slug="facing-walls")
        ArticleFactory(slug="muros", language="es", translation_of=report)

        errors = problems(bundle([translation("fr", translation_of="muros")]))

        assert errors == [
            "record 1 (facing-walls-fr): translation_of: 'muros' (in the database) is itself "
            "a translation, of 'facing-walls': name the source of the group instead"
        ]
        assert not Article.objects.filter(slug="facing-walls-fr").exists()

    def test_a_source_in_the_database_does_not_become_a_translation(self, bundle):
        other = ArticleFactory(slug="other-story")
        report = ArticleFactory(slug="facing-walls")
        ArticleFactory(slug="muros", language="es", translation_of=report)

        errors = problems(bundle([source(language="fr", translation_of=other.slug)]))

        assert errors == [
            "record 1 (facing-walls): translation_of: this article has translations of its "
            "own in the database ('muros'): it is the source of its group"
        ]

    def test_two_articles_in_one_language_in_the_file(self, bundle):
        errors = problems(
            bundle(
                [
                    source(),
                    translation("es"),
                    translation("es", slug="otra-version"),
                    translation("en", slug="english-again"),
                ]
            )
        )

        assert errors == [
            "record 3 (otra-version): language: the translation group of 'facing-walls' "
            "already has an article in Español (es): 'facing-walls-es' (record 2)",
            "record 4 (english-again): language: the translation group of 'facing-walls' "
            "already has an article in English (en): 'facing-walls' (record 1)",
        ]
        assert not Article.objects.exists()

    def test_two_articles_in_one_language_with_the_database(self, bundle):
        report = ArticleFactory(slug="facing-walls", kind="report", reference_number="")
        ArticleFactory(slug="muros", language="es", translation_of=report)

        errors = problems(bundle([translation("es", slug="otra-version")]))

        assert errors == [
            "record 1 (otra-version): language: the translation group of 'facing-walls' "
            "already has an article in Español (es): 'muros' (in the database)"
        ]
        assert not Article.objects.filter(slug="otra-version").exists()

    def test_a_source_taking_the_language_of_its_translation_in_the_database(self, bundle):
        report = ArticleFactory(slug="facing-walls")
        ArticleFactory(slug="muros", language="es", translation_of=report)

        errors = problems(bundle([source(language="es")]))

        assert errors == [
            "record 1 (facing-walls): language: the translation group of 'facing-walls' "
            "already has an article in Español (es): 'muros' (in the database)"
        ]

    def test_shared_fields_that_disagree_are_each_reported(self, bundle):
        errors = problems(
            bundle(
                [
                    translation(
                        "es",
                        kind="statement",
                        regions=["mx"],
                        topics=["Asylum"],
                        photo={"file": "images/court.png", "alt_text": "Un tribunal"},
                    ),
                    source(),
                ]
            )
        )

        where = "record 2"
        assert errors == [
            f"record 1 (facing-walls-es): kind: 'statement' differs from its source "
            f"'facing-walls' ({where}), which has 'report'; leave it out or give the same",
            f"record 1 (facing-walls-es): regions: ['mx'] differs from its source "
            f"'facing-walls' ({where}), which has ['americas', 'mx']; leave it out or give "
            "the same",
            f"record 1 (facing-walls-es): topics: ['Asylum'] differs from its source "
            f"'facing-walls' ({where}), which has ['Asylum', 'Refugees and migrants']; leave "
            "it out or give the same",
            f"record 1 (facing-walls-es): photo.file: this photo differs from its source "
            f"'facing-walls' ({where}), which has another one (images/border.jpg); leave it "
            "out or give the same",
        ]
        assert not Article.objects.exists()

    def test_a_reference_number_that_disagrees(self, bundle):
        errors = problems(
            bundle([source(), translation("es", reference_number="AMR 41/0001/2017")])
        )

        assert errors == [
            "record 2 (facing-walls-es): reference_number: 'AMR 41/0001/2017' differs from "
            "its source 'facing-walls' (record 1), which has 'AMR 41/6514/2017'; leave it out "
            "or give the same"
        ]

    def test_shared_fields_that_disagree_with_a_database_source(self, bundle):
        import_articles(path=bundle([source()]))

        errors = problems(bundle([translation("es", kind="statement", regions=[])]))

        assert errors == [
            "record 1 (facing-walls-es): kind: 'statement' differs from its source "
            "'facing-walls' (in the database), which has 'report'; leave it out or give the "
            "same",
            "record 1 (facing-walls-es): regions: [] differs from its source 'facing-walls' "
            "(in the database), which has ['americas', 'mx']; leave it out or give the same",
        ]
        assert not Article.objects.filter(slug="facing-walls-es").exists()

    def test_a_photo_for_a_source_without_one(self, bundle):
        errors = problems(
            bundle(
                [
                    source(photo=None),
                    translation("es", photo={"alt_text": "Una familia"}),
                    translation("fr", photo={"file": "images/border.jpg", "alt_text": "Une"}),
                ]
            )
        )

        assert errors == [
            "record 2 (facing-walls-es): photo.file: required: its source 'facing-walls' "
            "(record 1) has no photo to share",
            "record 3 (facing-walls-fr): photo.file: its source 'facing-walls' (record 1) "
            "has no photo",
        ]

    def test_every_bad_record_is_reported_together_with_other_problems(self, bundle):
        errors = problems(
            bundle(
                [
                    source(title=""),
                    translation("es", translation_of="nothing"),
                    translation("de"),
                ]
            )
        )

        assert errors == [
            "record 1 (facing-walls): title: must not be empty",
            "record 3 (facing-walls-de): language: 'de' is not one of the newsroom's "
            "languages (en, es, fr, ar)",
            "record 2 (facing-walls-es): translation_of: no article with slug 'nothing' in "
            "this file or the database",
        ]

    def test_translation_of_must_be_a_slug(self, bundle):
        errors = problems(bundle([source(), translation("es", translation_of=7)]))

        assert errors == [
            "record 2 (facing-walls-es): translation_of: must be the slug of the article "
            "this record translates"
        ]

    def test_sources_are_looked_up_in_one_query_however_many_translations(self, bundle):
        import_articles(path=bundle([source(slug=f"story-{n}", photo=None) for n in range(6)]))
        ArticleFactory(
            slug="story-0-ar", language="ar", translation_of=Article.objects.get(slug="story-0")
        )

        def queries(count):
            records = [
                translation(code, slug=f"story-{n}-{code}", translation_of=f"story-{n}")
                for n in range(count)
                for code in ("es", "fr")
            ]
            with CaptureQueriesContext(connection) as captured:
                parse_file(path=bundle(records))
            return len(captured.captured_queries)

        assert queries(2) == queries(6)


def test_an_english_only_file_imports_as_before(bundle):
    import_articles(path=bundle([source(), source(slug="other", photo=None)]))

    assert set(Article.objects.values_list("language", "translation_of")) == {("en", None)}


def test_a_newsroom_in_one_language_refuses_another(bundle):
    errors = problems(bundle([source(language="es")]))

    assert errors == [
        "record 1 (facing-walls): language: 'es' is not one of the newsroom's languages (en)"
    ]


@pytest.mark.usefixtures("multilingual")
class TestExport:
    @pytest.fixture
    def group(self):
        photo = photo_create(
            file=image_upload("border.jpg", width=40, height=30),
            alt_text="A fence across a desert",
            caption="The border fence.",
            generate_renditions=False,
        )
        report = ArticleFactory(
            slug="facing-walls",
            kind="report",
            reference_number="AMR 41/6514/2017",
            hero_photo=photo,
            regions=["americas", "mx"],
            topics=["Asylum"],
            published_at=datetime(2017, 6, 15, 13, tzinfo=ZoneInfo("UTC")),
        )
        for code in ("es", "ar"):
            ArticleFactory(
                slug=f"facing-walls-{code}",
                language=code,
                translation_of=report,
                title=f"Title in {code}",
                published_at=datetime(2017, 6, 16, 13, tzinfo=ZoneInfo("UTC")),
            )
        return report

    def snapshot(self):
        return {
            article.slug: (
                article.language,
                article.translation_of and article.translation_of.slug,
                article.title,
                article.kind,
                article.reference_number,
                article.published_at,
                sorted(r.slug for r in article.regions.all()),
                sorted(article.topics.names()),
                article.hero_photo and article.hero_photo.image.read(),
            )
            for article in Article.objects.all()
        }

    def test_export_writes_language_and_translation_of(self, group, tmp_path):
        path = tmp_path / "articles.json"
        export_articles(path=path)

        records = {r["slug"]: r for r in json.loads(path.read_text())["articles"]}
        assert records["facing-walls"]["language"] == "en"
        assert "translation_of" not in records["facing-walls"]
        assert records["facing-walls-es"]["language"] == "es"
        assert records["facing-walls-es"]["translation_of"] == "facing-walls"
        assert records["facing-walls-ar"]["translation_of"] == "facing-walls"

    def test_a_group_of_three_languages_round_trips(self, group, tmp_path):
        before = self.snapshot()
        path = tmp_path / "articles.json"
        export_articles(path=path)
        # The translations first: the import takes a source further down the file.
        document = json.loads(path.read_text())
        document["articles"].reverse()
        path.write_text(json.dumps(document))
        Article.objects.filter(translation_of__isnull=False).delete()
        Article.objects.all().delete()
        Photo.objects.all().delete()

        result = import_articles(path=path)

        assert result.created == 3
        assert Photo.objects.count() == 1
        assert self.snapshot() == before

    def test_importing_the_export_into_the_same_database_changes_nothing(self, group, tmp_path):
        path = tmp_path / "articles.json"
        export_articles(path=path)

        result = import_articles(path=path)

        assert (result.created, result.updated, result.unchanged) == (0, 0, 3)


@pytest.mark.usefixtures("multilingual")
class TestPhotoTexts:
    def test_a_records_photo_texts_are_in_its_language(self, bundle):
        import_articles(
            path=bundle(
                [
                    translation("es", photo={"alt_text": "Una familia", "caption": "La valla."}),
                    source(),
                    translation("fr", photo={"file": "images/border.jpg", "alt_text": "Une"}),
                    translation("ar"),
                ]
            )
        )

        photo = Photo.objects.get()
        assert photo.alt_text == "A family walks along the fence"
        texts = {t.language: (t.alt_text, t.caption) for t in PhotoText.objects.all()}
        assert texts == {"es": ("Una familia", "La valla."), "fr": ("Une", "")}
        for code in ("es", "fr", "ar"):
            assert Article.objects.get(slug=f"facing-walls-{code}").hero_photo == photo

    def test_texts_for_the_photo_of_a_source_in_the_database(self, bundle):
        import_articles(path=bundle([source()]))
        path = bundle([translation("es", photo={"alt_text": "Una familia"})])

        import_articles(path=path)
        import_articles(path=path)

        assert [(t.language, t.alt_text) for t in PhotoText.objects.all()] == [
            ("es", "Una familia")
        ]
        assert Photo.objects.count() == 1

    def test_export_writes_each_records_texts_in_its_language_and_round_trips(self, tmp_path):
        photo = photo_create(
            file=image_upload("border.jpg", width=40, height=30),
            alt_text="A fence across a desert",
            caption="The border fence.",
            generate_renditions=False,
        )
        PhotoText.objects.create(photo=photo, language="es", alt_text="Una valla", caption="")
        PhotoText.objects.create(
            photo=photo, language="ar", alt_text="سياج", caption="السياج الحدودي."
        )
        report = ArticleFactory(slug="facing-walls", hero_photo=photo)
        for code in ("es", "ar", "fr"):
            ArticleFactory(slug=f"walls-{code}", language=code, translation_of=report)
        path = tmp_path / "articles.json"
        export_articles(path=path)
        records = {r["slug"]: r for r in json.loads(path.read_text())["articles"]}
        assert records["facing-walls"]["photo"]["alt_text"] == "A fence across a desert"
        assert records["walls-es"]["photo"]["alt_text"] == "Una valla"
        assert records["walls-ar"]["photo"]["caption"] == "السياج الحدودي."
        assert records["walls-fr"]["photo"]["alt_text"] == ""
        texts = set(PhotoText.objects.values_list("language", "alt_text", "caption"))

        assert import_articles(path=path).unchanged == 4
        Article.objects.filter(translation_of__isnull=False).delete()
        Article.objects.all().delete()
        Photo.objects.all().delete()
        import_articles(path=path)

        photo = Photo.objects.get()
        assert (photo.alt_text, photo.caption) == ("A fence across a desert", "The border fence.")
        assert set(PhotoText.objects.values_list("language", "alt_text", "caption")) == texts
