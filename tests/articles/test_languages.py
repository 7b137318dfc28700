"""Articles in several languages: one URL tree per language, a list per language, one
translation group per story sharing what is not words."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article, ArticleGrouping, Region
from articles.search import uses_full_text_search
from core.models import SiteSettings
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("multilingual")]


def spanish_of(source, **kwargs):
    return ArticleFactory(language="es", translation_of=source, **kwargs)


def test_each_language_lists_its_own_articles(client):
    ArticleFactory(title="Release the activists")
    ArticleFactory(title="Liberen a los activistas", language="es")
    ArticleFactory(title="Borrador en español", language="es", draft=True)

    english = client.get("/news/")
    spanish = client.get("/es/news/")

    assertContains(english, "Release the activists")
    assertNotContains(english, "Liberen a los activistas")
    assertContains(spanish, "Liberen a los activistas")
    assertNotContains(spanish, "Release the activists")
    assertNotContains(spanish, "Borrador en español")
    assert spanish["Content-Language"] == "es"
    assert english["Content-Language"] == "en"
    assert "Accept-Language" not in spanish.get("Vary", "")


def test_the_default_language_keeps_its_addresses_and_its_code_redirects(client):
    article = ArticleFactory(slug="release-them")

    assert article.get_absolute_url() == "/news/release-them/"
    assert client.get("/news/release-them/").status_code == 200
    response = client.get("/en/news/?kind=report")
    assert response.status_code == 301
    assert response["Location"] == "/news/?kind=report"
    assert client.get("/en/news/release-them/")["Location"] == "/news/release-them/"


def test_no_visitor_is_redirected_by_their_browser_language(client):
    ArticleFactory(title="Release the activists")

    response = client.get("/news/", headers={"accept-language": "es"})

    assert response.status_code == 200
    assertContains(response, "Release the activists")
    assert response["Content-Language"] == "en"


def test_an_article_lives_under_its_language(client):
    article = ArticleFactory(language="ar", slug="sudan-release")

    assert article.get_absolute_url() == "/ar/news/sudan-release/"
    response = client.get("/ar/news/sudan-release/")
    assert response.status_code == 200
    assertContains(response, article.title)


def test_another_languages_address_redirects_to_the_version_in_the_page_language(client):
    source = ArticleFactory(slug="mexico-release")
    spanish_of(source, slug="mexico-liberen")

    response = client.get("/es/news/mexico-release/")
    assert response.status_code == 301
    assert response["Location"] == "/es/news/mexico-liberen/"
    assert client.get("/news/mexico-liberen/")["Location"] == "/news/mexico-release/"


def test_a_story_missing_in_a_language_is_a_404_naming_the_languages_it_has(client):
    source = ArticleFactory(slug="sudan-release", title="Sudan: release them")
    ArticleFactory(language="ar", translation_of=source, title="السودان: أطلقوا سراحهم")
    ArticleFactory(language="es", translation_of=source, title="Borrador", draft=True)

    response = client.get("/fr/news/sudan-release/")

    assert response.status_code == 404
    assertContains(response, "/news/sudan-release/", status_code=404)
    assertContains(response, "السودان: أطلقوا سراحهم", status_code=404)
    assertContains(response, 'hreflang="ar"', status_code=404)
    # A version that is not live is never named, nor linked.
    assertNotContains(response, "Borrador", status_code=404)
    # Nor is a draft reached through another language's address.
    assert client.get("/es/news/sudan-release/").status_code == 404


def test_a_language_the_newsroom_does_not_publish_in_has_no_pages(client, settings):
    settings.LANGUAGES = [("en", "English"), ("es", "Español")]
    ArticleFactory(slug="release-them")

    assert client.get("/fr/news/").status_code == 404
    assert client.get("/fr/news/release-them/").status_code == 404


def test_feeds_and_corrections_are_per_language(client):
    ArticleFactory(title="Release the activists")
    ArticleFactory(title="Liberen a los activistas", language="es")

    feed = client.get("/es/news/feed/")

    assert feed.status_code == 200
    assert b"<language>es</language>" in feed.content
    assert "Liberen a los activistas" in feed.content.decode()
    assert "Release the activists" not in feed.content.decode()
    assert b"<language>en</language>" in client.get("/news/feed/").content
    assert client.get("/ar/news/corrections/").status_code == 200
    assert b"<language>ar</language>" in client.get("/ar/news/corrections/feed/").content


def test_spanish_search_uses_spanish_stemming(client):
    ArticleFactory(
        language="es",
        title="Activistas detenidas en Oaxaca",
        summary="Las autoridades deben liberar a las activistas.",
    )

    response = client.get("/es/news/", {"q": "detenidas"})

    assertContains(response, "Activistas detenidas en Oaxaca")


@pytest.mark.skipif(
    not uses_full_text_search(), reason="stemming is PostgreSQL's; SQLite matches words as typed"
)
def test_spanish_stems_match_across_forms_on_postgresql(client):
    ArticleFactory(language="es", title="Activistas detenidas en Oaxaca", summary="…")

    assertContains(client.get("/es/news/", {"q": "detenido"}), "Activistas detenidas en Oaxaca")
    # The English stemmer would not have found it: the page's language chooses.
    assertNotContains(client.get("/news/", {"q": "detenido"}), "Activistas detenidas")


def test_a_translation_shares_the_sources_kind_regions_topics_and_photo():
    mexico = Region.objects.get(iso_code="MX")
    source = ArticleFactory(kind=Article.Kind.REPORT, reference_number="AMR 41/1/2026")
    source.regions.set([mexico])
    source.topics.set(["Refugees"])
    spanish = spanish_of(source, kind=Article.Kind.STATEMENT)

    spanish.refresh_from_db()
    assert spanish.kind == Article.Kind.REPORT
    assert spanish.reference_number == "AMR 41/1/2026"
    assert list(spanish.regions.all()) == [mexico]
    assert [t.name for t in spanish.topics.all()] == ["Refugees"]
    # The stored groupings follow, so "All of Americas" lists the translation too.
    assert ArticleGrouping.objects.filter(article_id=spanish.pk, grouping__slug="americas")

    # Every route that edits the source reaches its translations: here regions.set().
    sudan = Region.objects.get(iso_code="SD")
    source.regions.set([sudan])
    assert list(spanish.regions.all()) == [sudan]
    assert not ArticleGrouping.objects.filter(article_id=spanish.pk, grouping__slug="americas")
    source.kind = Article.Kind.PRESS_RELEASE
    source.reference_number = ""
    source.save()
    spanish.refresh_from_db()
    assert (spanish.kind, spanish.reference_number) == (Article.Kind.PRESS_RELEASE, "")


def test_a_group_has_one_version_per_language():
    source = ArticleFactory(title="Sudan")
    spanish_of(source)

    with pytest.raises(ValidationError) as error:
        ArticleFactory.build(language="es", translation_of=source, slug="otra").full_clean()
    assert "already has a version in Español" in str(error.value)
    with pytest.raises(ValidationError, match="already has a version in English"):
        ArticleFactory.build(language="en", translation_of=source, slug="again").full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        spanish_of(source)


def test_a_translation_of_a_translation_and_unknown_languages_are_refused():
    source = ArticleFactory(title="Sudan")
    spanish = spanish_of(source, title="Sudán")

    with pytest.raises(ValidationError, match="is itself a translation"):
        ArticleFactory.build(language="fr", translation_of=spanish, slug="x").full_clean()
    with pytest.raises(ValidationError, match="not one of the newsroom's languages"):
        ArticleFactory.build(language="de", slug="y").full_clean()


def test_a_source_with_translations_is_not_deleted_from_under_them():
    source = ArticleFactory()
    spanish_of(source)

    with pytest.raises(ProtectedError):
        source.delete()


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("code", ["es", "ar"])
@pytest.mark.parametrize(
    "params", [{}, {"type": "report", "region": "americas"}, {"q": "activists", "page": 2}]
)
def test_a_language_list_asks_the_database_what_the_default_list_asks(client, code, params):
    for language in ("en", code):
        for n in range(25):
            ArticleFactory(
                language=language, kind="report", regions=["mx"], title=f"activists {n}"
            )
    SiteSettings.load()

    counts = {}
    for url in ("/news/", f"/{code}/news/"):
        cache.clear()
        cold = _queries(client, url, params)
        warm = _queries(client, url, params)
        counts[url] = (cold, warm)

    assert counts[f"/{code}/news/"] == counts["/news/"]
