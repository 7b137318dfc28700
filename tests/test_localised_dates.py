"""The public site's dates, counts and region names in the page's language: CLDR's long
dates and digit grouping (Babel), CLDR's country names, the catalogue's groupings; the
default language reads exactly as before."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Region
from articles.regions import region_choices, region_index, region_name
from core.localise import public_date, public_number
from tests.factories import ArticleFactory

FOUR = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("ar", "العربية")]

# 03:30 UTC on June 16 is still June 15 in New York: the newsroom's day, not UTC's.
LATE_EVENING = datetime(2017, 6, 16, 3, 30, tzinfo=UTC)

LONG_DATES = {
    "en": "June 15, 2017",
    "es": "15 de junio de 2017",
    "fr": "15 juin 2017",
    "ar": "15 يونيو 2017",
}


def render(source, language, **context):
    with override_settings(LANGUAGES=FOUR), translation.override(language):
        return Template("{% load dates article_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(("language", "expected"), LONG_DATES.items())
@override_settings(TIME_ZONE="America/New_York")
def test_a_datetime_is_the_newsroom_day_in_the_page_language(language, expected):
    assert render("{{ when|public_date }}", language, when=LATE_EVENING) == expected


@pytest.mark.parametrize(("language", "expected"), LONG_DATES.items())
def test_a_date_in_the_page_language(language, expected):
    assert render("{{ day|public_date }}", language, day=date(2017, 6, 15)) == expected


def test_the_english_date_is_what_the_date_filter_wrote():
    day = date(2017, 1, 5)
    assert render('{{ day|date:"F j, Y" }}', "en", day=day) == "January 5, 2017"
    assert render("{{ day|public_date }}", "en", day=day) == "January 5, 2017"


def test_arabic_dates_and_counts_keep_latin_digits():
    # CLDR's "ar" writes Latin digits: the same as the page's addresses and <time> values.
    assert public_date(date(2017, 6, 15), "ar") == "15 يونيو 2017"
    assert public_number(1234, "ar") == "1,234"


@pytest.mark.parametrize("value", [None, "", "2017-06-15", 3, object()])
def test_anything_but_a_date_renders_nothing(value):
    assert public_date(value, "es") == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1,234"), ("es", "1.234"), ("fr", "1\u202f234"), ("ar", "1,234")],
)
def test_counts_group_digits_as_the_language_does(language, expected):
    assert render("{{ n|public_number }}", language, n=1234) == expected


def test_an_unknown_language_reads_like_the_default():
    assert public_date(date(2017, 6, 15), "xx") == "June 15, 2017"


@pytest.mark.django_db
class TestRegionNames:
    def test_a_country_takes_its_cldr_name_outside_the_default_language(self):
        egypt = Region.objects.get(iso_code="EG")
        assert region_name(egypt, "en") == egypt.name == "Egypt"
        assert region_name(egypt, "es") == "Egipto"
        assert region_name(egypt, "fr") == "Égypte"
        assert region_name(egypt, "ar") == "مصر"

    def test_a_grouping_takes_its_translation(self):
        grouping = Region.objects.get(slug="middle-east-north-africa")
        assert region_name(grouping, "en") == "Middle East and North Africa"
        assert region_name(grouping, "es") == "Oriente Medio y Norte de África"
        assert region_name(grouping, "ar") == "الشرق الأوسط وشمال أفريقيا"

    def test_the_active_language_is_the_default(self):
        africa = Region.objects.get(slug="africa")
        with override_settings(LANGUAGES=FOUR), translation.override("fr"):
            assert region_name(africa) == "Afrique"
        with translation.override("en"):
            assert region_name(africa) == "Africa"

    def test_a_name_cldr_or_the_catalogue_lacks_is_the_stored_one(self):
        parent = Region.objects.get(slug="africa")
        invented = Region.objects.create(
            name="Atlantis", slug="atlantis", iso_code="AA", parent=parent
        )
        grouping = Region.objects.create(name="Polar regions", slug="polar")
        assert region_name(invented, "es") == "Atlantis"
        assert region_name(grouping, "ar") == "Polar regions"

    def test_english_keeps_the_stored_name_even_when_renamed(self):
        Region.objects.filter(iso_code="CI").update(name="Ivory Coast")
        ivory = Region.objects.get(iso_code="CI")
        assert region_name(ivory, "en") == "Ivory Coast"
        assert region_name(ivory, "fr") == "Côte d\u2019Ivoire"


def choices_in(language):
    with override_settings(LANGUAGES=FOUR), translation.override(language):
        return region_choices()


@pytest.mark.django_db
class TestChoicesPerLanguage:
    def test_english_choices_are_the_stored_names_in_their_order(self):
        choices = choices_in("en")
        labels = [label for label, _ in choices]
        assert labels == [
            "Africa",
            "Americas",
            "Asia-Pacific",
            "Europe and Central Asia",
            "Middle East and North Africa",
        ]
        africa = dict(choices)["Africa"]
        assert africa[0] == ("africa", "All of Africa")
        assert ("eg", "Egypt") in dict(choices)["Middle East and North Africa"]

    def test_spanish_and_arabic_choices_are_named_and_sorted_in_their_language(self):
        spanish = dict(choices_in("es"))
        arabic = dict(choices_in("ar"))
        mena_es = spanish["Oriente Medio y Norte de África"]
        mena_ar = arabic["الشرق الأوسط وشمال أفريقيا"]
        assert mena_es[0] == (
            "middle-east-north-africa",
            "Oriente Medio y Norte de África (toda la región)",
        )
        assert ("eg", "Egipto") in mena_es
        assert ("eg", "مصر") in mena_ar
        # Sorted by the name the reader sees: "Arabia Saudí" before "Argelia" before "Baréin".
        names_es = [name for _, name in mena_es[1:]]
        assert (
            names_es.index("Arabia Saudí") < names_es.index("Argelia") < names_es.index("Baréin")
        )
        names_ar = [name for _, name in mena_ar[1:]]
        assert names_ar.index("الأردن") < names_ar.index("مصر")

    def test_languages_do_not_share_a_cached_index(self):
        first_es = choices_in("es")
        first_en = choices_in("en")
        assert choices_in("es") == first_es
        assert choices_in("en") == first_en
        assert first_es != first_en
        assert next(label for label, _ in choices_in("fr")) == "Afrique"
        with override_settings(LANGUAGES=FOUR), translation.override("ar"):
            assert region_index()["eg"].name == "Egypt"  # the stored name, for the admin


@pytest.mark.django_db
@pytest.mark.usefixtures("multilingual")
class TestPages:
    def test_a_spanish_article_page_dates_and_names_in_spanish(self, client):
        article = ArticleFactory(
            language="es",
            published_at=datetime(2017, 6, 15, 14, 0, tzinfo=UTC),
            regions=["eg", "africa"],
        )
        response = client.get(article.get_absolute_url())
        assertContains(response, "15 de junio de 2017")
        assertContains(response, 'datetime="2017-06-15T10:00:00-04:00"')
        assertContains(response, ">Egipto</a>")
        assertContains(response, ">África</a>")
        assertNotContains(response, "June 15, 2017")

    def test_an_arabic_list_counts_and_dates_in_arabic(self, client):
        ArticleFactory(
            language="ar", published_at=datetime(2017, 6, 15, 14, 0, tzinfo=UTC), regions=["eg"]
        )
        response = client.get("/ar/news/")
        assertContains(response, "15 يونيو 2017")
        assertContains(response, "مصر (1)")

    def test_the_english_pages_read_as_before(self, client):
        article = ArticleFactory(
            published_at=datetime(2017, 6, 15, 14, 0, tzinfo=UTC), regions=["eg"]
        )
        assertContains(client.get(article.get_absolute_url()), ">Egypt</a>")
        response = client.get("/news/")
        assertContains(response, "June 15, 2017")
        assertContains(response, "Egypt (1)")
        assertContains(response, "All of Middle East and North Africa")
