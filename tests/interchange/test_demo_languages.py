"""The demo newsroom in the languages it is run with: versions of some stories in one to
three other languages, stories told in one language only, the scheduled statement going
out in every language at the same moment; nothing of a language not configured."""

import io
import json

import pytest
from django.core.management import call_command
from pytest_django.asserts import assertContains

from articles.models import Article
from interchange import demo
from interchange.management.commands.seed_demo import Command
from media_library.models import PhotoText

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_photos(monkeypatch):
    monkeypatch.setattr(Command, "photo_size", (48, 32))


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def other_language_records():
    return json.loads(demo.TRANSLATIONS.read_text(encoding="utf-8"))["articles"]


def test_the_demo_publishes_in_four_languages(multilingual, client):
    seed()

    by_language = {
        code: Article.objects.filter(language=code).count() for code in ("en", "es", "fr", "ar")
    }
    assert all(by_language.values()), by_language
    assert by_language["en"] == len(json.loads(demo.ARTICLES.read_text())["articles"])
    # A report in all four languages, one group sharing the photo with texts per language.
    report = Article.objects.get(slug="facing-walls-asylum-seekers-at-the-border")
    group = report.translation_group()
    assert sorted(group.values_list("language", flat=True)) == ["ar", "en", "es", "fr"]
    assert set(group.values_list("hero_photo", flat=True)) == {report.hero_photo_id}
    assert set(
        PhotoText.objects.filter(photo=report.hero_photo).values_list("language", flat=True)
    ) == {"es", "fr", "ar"}
    # Stories told in one language only.
    spanish_only = Article.objects.get(slug="colombia-lideres-sociales-asesinados")
    assert spanish_only.translation_of is None and not spanish_only.translations.exists()
    # The scheduled statement goes out in every language at the same moment.
    statement = Article.objects.get(slug="scheduled-human-rights-day-statement")
    versions = statement.translation_group()
    assert versions.count() == 4
    assert {version.published_at for version in versions} == {statement.published_at}
    assert all(version.is_scheduled for version in versions)

    spanish = client.get("/es/news/")
    assertContains(spanish, "Frente a muros")
    arabic = client.get("/ar/news/jidran-talibu-al-lujuu-ala-al-hudud/")
    assertContains(arabic, 'lang="ar" dir="rtl"')
    assertContains(arabic, "15 يونيو 2017")
    photo_text = PhotoText.objects.get(photo=report.hero_photo, language="ar")
    assert photo_text.alt_text == "امرأة وطفلان ينتظرون بجانب الجدار الحدودي"


def test_an_english_only_demo_has_no_other_languages(client):
    seed()

    assert set(Article.objects.values_list("language", flat=True)) == {"en"}
    slugs = {record["slug"] for record in other_language_records()}
    assert not Article.objects.filter(slug__in=slugs).exists()
    assert not PhotoText.objects.exists()


def test_seeding_the_four_languages_twice_changes_nothing(multilingual):
    seed()
    before = list(Article.objects.order_by("pk").values_list("pk", "slug", "updated_at"))

    seed()

    assert list(Article.objects.order_by("pk").values_list("pk", "slug", "updated_at")) == before
