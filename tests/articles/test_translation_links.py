"""What an article says about its other languages, to readers and search engines: the
"English · Español · العربية" line, the switcher's ``translations``, ``hreflang``
alternates, Open Graph locales, JSON-LD translation links and the sitemap's alternates.
Only live versions are ever named."""

import re
from unittest import mock

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from articles.models import Article
from articles.versions import og_locale
from core.cache import content_changed
from core.models import SiteSettings
from tests.articles.list_helpers import parse_xml
from tests.articles.test_detail import json_ld_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def hreflangs(response):
    """``{hreflang: href}`` of the page's ``<link rel="alternate" hreflang>``."""
    html = response.content.decode()
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    assert len(links) == len(dict(links)), "an hreflang given twice"
    return dict(links)


def meta(response, prop):
    return re.findall(rf'<meta property="{prop}" content="([^"]*)">', response.content.decode())


def reading_line(response):
    """The article's line of languages: [(code, name, href or None for the current)]."""
    html = response.content.decode()
    match = re.search(r'<nav class="article__languages"[^>]*>(.*?)</nav>', html, re.DOTALL)
    if match is None:
        return None
    items = re.findall(
        r'<li>(?:<span lang="([^"]+)" aria-current="page">([^<]+)</span>'
        r'|<a href="([^"]+)" lang="([^"]+)" hreflang="\4">([^<]+)</a>)</li>',
        match.group(1),
    )
    return [(a or d, b or e, c or None) for a, b, c, d, e in items]


@pytest.fixture
def story(multilingual):
    """A story live in English, Spanish and Arabic; its French version still a draft."""
    source = ArticleFactory(slug="free-them", title="Free them")
    return {
        "en": source,
        "es": ArticleFactory(
            slug="liberenlos", title="Libérenlos", language="es", translation_of=source
        ),
        "fr": ArticleFactory(
            slug="liberez-les",
            title="Brouillon français",
            language="fr",
            translation_of=source,
            draft=True,
        ),
        "ar": ArticleFactory(
            slug="atliqu-sarahahum", title="أطلقوا سراحهم", language="ar", translation_of=source
        ),
    }


LIVE = {
    "en": f"{ORIGIN}/news/free-them/",
    "es": f"{ORIGIN}/es/news/liberenlos/",
    "ar": f"{ORIGIN}/ar/news/atliqu-sarahahum/",
}


class TestOnThePage:
    @pytest.mark.parametrize("code", ["en", "es", "ar"])
    def test_every_live_version_lists_the_whole_group_with_x_default(self, client, story, code):
        response = client.get(story[code].get_absolute_url())

        assert response.status_code == 200
        assert hreflangs(response) == {**LIVE, "x-default": LIVE["en"]}

    def test_x_default_is_the_source_when_the_default_language_has_no_version(
        self, client, multilingual
    ):
        source = ArticleFactory(slug="fuente", language="es")
        arabic = ArticleFactory(slug="masdar", language="ar", translation_of=source)
        ArticleFactory(slug="source-fr", language="fr", translation_of=source)

        alternates = hreflangs(client.get(arabic.get_absolute_url()))

        assert alternates["x-default"] == f"{ORIGIN}/es/news/fuente/"
        assert set(alternates) == {"es", "fr", "ar", "x-default"}

    def test_an_unpublished_source_is_never_the_x_default(self, client, multilingual):
        source = ArticleFactory(slug="retired", language="es", draft=True)
        french = ArticleFactory(slug="en-francais", language="fr", translation_of=source)
        ArticleFactory(slug="bil-arabiya", language="ar", translation_of=source)

        response = client.get(french.get_absolute_url())

        assert hreflangs(response) == {
            "fr": f"{ORIGIN}/fr/news/en-francais/",
            "ar": f"{ORIGIN}/ar/news/bil-arabiya/",
            "x-default": f"{ORIGIN}/fr/news/en-francais/",
        }
        assert "retired" not in response.content.decode()

    def test_a_story_in_one_language_has_no_alternates(self, client, multilingual):
        alone = ArticleFactory(slug="alone")
        ArticleFactory(language="es", translation_of=alone, draft=True)
        ArticleFactory(language="fr", translation_of=alone, scheduled=True)

        response = client.get(alone.get_absolute_url())

        assert hreflangs(response) == {}
        assert reading_line(response) is None
        assert meta(response, "og:locale:alternate") == []
        assert response.context["translations"] == [("en", "English", "/news/alone/")]
        data = json_ld_of(response)
        assert "workTranslation" not in data
        assert data["inLanguage"] == "en"

    def test_an_english_only_site_is_unchanged(self, client):
        article = ArticleFactory()

        response = client.get(article.get_absolute_url())

        assert hreflangs(response) == {}
        assert reading_line(response) is None
        assert meta(response, "og:locale") == []
        assert "translations" not in response.context

    def test_the_reading_line_names_live_versions_in_their_own_language(self, client, story):
        response = client.get(story["es"].get_absolute_url())

        assert reading_line(response) == [
            ("en", "English", "/news/free-them/"),
            ("es", "Español", None),
            ("ar", "العربية", "/ar/news/atliqu-sarahahum/"),
        ]

    def test_the_switcher_gets_the_live_versions_in_language_order(self, client, story):
        response = client.get(story["ar"].get_absolute_url())

        assert response.context["translations"] == [
            ("en", "English", "/news/free-them/"),
            ("es", "Español", "/es/news/liberenlos/"),
            ("ar", "العربية", "/ar/news/atliqu-sarahahum/"),
        ]

    def test_open_graph_locales(self, client, story):
        response = client.get(story["es"].get_absolute_url())

        assert meta(response, "og:locale") == ["es_ES"]
        assert meta(response, "og:locale:alternate") == ["en_US", "ar_EG"]

    def test_open_graph_locale_of_a_language_with_a_region(self):
        assert og_locale("pt-br") == "pt_BR"
        assert og_locale("fr") == "fr_FR"
        assert og_locale("xx") == "xx"

    def test_json_ld_of_a_source_names_its_live_translations(self, client, story):
        data = json_ld_of(client.get(story["en"].get_absolute_url()))

        assert data["inLanguage"] == "en"
        assert data["workTranslation"] == [
            {"@type": "NewsArticle", "@id": LIVE[code], "url": LIVE[code], "inLanguage": code}
            for code in ("es", "ar")
        ]
        assert "translationOfWork" not in data

    def test_json_ld_of_a_translation_names_its_source(self, client, story):
        data = json_ld_of(client.get(story["ar"].get_absolute_url()))

        assert data["inLanguage"] == "ar"
        assert data["translationOfWork"] == {
            "@type": "NewsArticle",
            "@id": LIVE["en"],
            "url": LIVE["en"],
            "inLanguage": "en",
        }
        assert "workTranslation" not in data

    def test_json_ld_of_a_translation_of_an_unpublished_source_names_no_source(
        self, client, multilingual
    ):
        source = ArticleFactory(slug="withdrawn", draft=True)
        spanish = ArticleFactory(language="es", translation_of=source)

        data = json_ld_of(client.get(spanish.get_absolute_url()))

        assert "translationOfWork" not in data
        assert data["inLanguage"] == "es"

    @pytest.mark.parametrize("code", ["en", "es", "ar"])
    def test_an_unpublished_version_appears_nowhere(self, client, story, code):
        html = client.get(story[code].get_absolute_url()).content.decode()
        # The header's switcher names every language of the site; for French, with no
        # live version of this story, it leads to the French list.
        switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.DOTALL)
        assert '<a href="/fr/news/" lang="fr"' in switcher.group(0)
        html = html.replace(switcher.group(0), "")

        assert "liberez-les" not in html
        assert "Brouillon français" not in html
        assert "Français" not in html
        assert "fr_FR" not in html
        assert '"fr"' not in html

    def test_a_version_going_live_joins_the_others_at_once(self, client, story):
        client.get(story["en"].get_absolute_url())
        french = Article.objects.get(pk=story["fr"].pk)
        french.status = Article.Status.PUBLISHED
        french.save()

        response = client.get(story["en"].get_absolute_url())

        assert hreflangs(response)["fr"] == f"{ORIGIN}/fr/news/liberez-les/"
        assert meta(response, "og:locale:alternate") == ["es_ES", "fr_FR", "ar_EG"]

    def test_a_version_unpublished_leaves_the_others_at_once(self, client, story):
        client.get(story["en"].get_absolute_url())
        Article.objects.filter(pk=story["ar"].pk).update(status=Article.Status.DRAFT)
        # A write through the ORM's update is not a save: the desk's routes signal it.
        content_changed()

        response = client.get(story["en"].get_absolute_url())

        assert set(hreflangs(response)) == {"en", "es", "x-default"}
        assert "atliqu-sarahahum" not in response.content.decode()

    def test_a_preview_of_a_draft_shows_itself_among_the_live_versions_without_alternates(
        self, admin_client, story
    ):
        response = admin_client.get(f"/admin/articles/article/{story['fr'].pk}/preview/")

        assert response.status_code == 200
        assert response.context["translations"] == [
            ("en", "English", "/news/free-them/"),
            ("es", "Español", "/es/news/liberenlos/"),
            ("fr", "Français", "/fr/news/liberez-les/"),
            ("ar", "العربية", "/ar/news/atliqu-sarahahum/"),
        ]
        assert hreflangs(response) == {}
        assert ("fr", "Français", None) in reading_line(response)

    def test_the_preview_of_a_live_version_has_no_alternates(self, admin_client, story):
        response = admin_client.get(f"/admin/articles/article/{story['es'].pk}/preview/")

        assert hreflangs(response) == {}
        assert "translationOfWork" in json_ld_of(response)


class TestQueries:
    def test_a_warm_page_of_a_group_reads_only_the_article(
        self, client, story, django_assert_max_num_queries
    ):
        client.get(story["es"].get_absolute_url())
        with django_assert_max_num_queries(1):
            response = client.get(story["es"].get_absolute_url())
        assert set(hreflangs(response)) == {"en", "es", "ar", "x-default"}

    def test_a_cold_page_of_a_group_keeps_the_article_pages_budget(
        self, client, story, django_assert_max_num_queries
    ):
        SiteSettings.load()
        client.get("/news/")  # the content epoch and the next publication, as on any page
        # The budget of tests/articles/test_detail.py, whatever the group's size.
        with django_assert_max_num_queries(10) as queries:
            response = client.get(story["es"].get_absolute_url())
        assert response.status_code == 200
        # The group's versions: one query.
        assert sum(map(is_versions_query, queries.captured_queries)) == 1

    def test_an_english_only_site_asks_nothing_about_versions(
        self, client, django_assert_max_num_queries
    ):
        SiteSettings.load()
        article = ArticleFactory()
        client.get("/news/")
        with django_assert_max_num_queries(10) as queries:
            client.get(article.get_absolute_url())
        assert not any(map(is_versions_query, queries.captured_queries))


def is_versions_query(query):
    """The query ``articles.versions`` reads a group's live versions with."""
    return query["sql"].startswith(
        'SELECT "articles_article"."id" AS "pk", "articles_article"."language" AS "language", '
    )


def sitemap_urls(response):
    """``{loc: {hreflang: href}}`` of a sitemap."""
    assert response.status_code == 200
    root = parse_xml(response.content)
    return {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")
        }
        for url in root.iter(f"{SITEMAP}url")
    }


class TestSitemap:
    def test_every_live_version_is_a_url_with_the_groups_alternates(self, client, story):
        urls = sitemap_urls(client.get("/sitemap.xml"))

        group = {**LIVE, "x-default": LIVE["en"]}
        for location in LIVE.values():
            assert urls[location] == group
        assert not any("liberez-les" in loc for loc in urls)
        assert not any("liberez-les" in href for links in urls.values() for href in links.values())

    def test_declares_the_xhtml_namespace(self, client, story):
        content = client.get("/sitemap.xml").content.decode()
        assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in content
        assert "<xhtml:link" in content

    def test_a_story_in_one_language_has_no_alternates(self, client, multilingual):
        ArticleFactory(slug="alone")
        ArticleFactory(slug="solo", language="es")

        urls = sitemap_urls(client.get("/sitemap.xml"))

        assert urls[f"{ORIGIN}/news/alone/"] == {}
        assert urls[f"{ORIGIN}/es/news/solo/"] == {}

    def test_the_lists_and_home_in_every_language(self, client, multilingual):
        urls = sitemap_urls(client.get("/sitemap.xml"))

        assert urls[f"{ORIGIN}/es/news/"] == {
            "en": f"{ORIGIN}/news/",
            "es": f"{ORIGIN}/es/news/",
            "fr": f"{ORIGIN}/fr/news/",
            "ar": f"{ORIGIN}/ar/news/",
            "x-default": f"{ORIGIN}/news/",
        }
        assert f"{ORIGIN}/ar/" in urls

    def test_an_english_only_sitemap_has_no_alternates(self, client):
        ArticleFactory(slug="alone")
        content = client.get("/sitemap.xml").content.decode()
        assert "<xhtml:link" not in content
        assert list(sitemap_urls(client.get("/sitemap.xml"))) == [
            f"{ORIGIN}/",
            f"{ORIGIN}/news/",
            f"{ORIGIN}/news/alone/",
        ]

    def test_alternates_cost_one_query_per_sitemap_page(
        self, client, multilingual, monkeypatch, django_assert_max_num_queries
    ):
        monkeypatch.setattr("articles.sitemaps.ArticleSitemap.limit", 20)
        for n in range(15):
            source = ArticleFactory(slug=f"story-{n}")
            ArticleFactory(slug=f"historia-{n}", language="es", translation_of=source)
            ArticleFactory(slug=f"qissa-{n}", language="ar", translation_of=source)

        client.get("/sitemap.xml")  # the index; and the cache of the next publication
        # What the English-only sitemap page costs (two), and one for the alternates.
        with django_assert_max_num_queries(3):
            response = client.get("/sitemap-articles.xml", {"p": 2})
        urls = sitemap_urls(response)
        assert len(urls) == 20
        assert all(len(links) == 4 for links in urls.values())


def test_a_warm_page_of_a_group_fetches_its_fragments_and_versions_in_one_round_trip(
    client, story
):
    client.get(story["es"].get_absolute_url())
    get_many = FileBasedCache.get_many
    with mock.patch.object(
        FileBasedCache, "get_many", autospec=True, side_effect=get_many
    ) as many:
        response = client.get(story["es"].get_absolute_url())
    assert set(hreflangs(response)) == {"en", "es", "ar", "x-default"}
    assert many.call_count == 1
    # The fragments of tests/articles/test_detail_fragments.py, and the versions.
    assert len(many.call_args.args[1]) == 5


class TestFeeds:
    @pytest.mark.parametrize("code", ["es", "ar"])
    def test_each_languages_feeds_declare_their_language(self, client, story, code):
        rss = parse_xml(client.get(f"/{code}/news/feed/").content)
        atom = parse_xml(client.get(f"/{code}/news/feed/atom/").content)

        assert rss.findtext("channel/language") == code
        assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == code
        assert [item.findtext("link") for item in rss.iter("item")] == [LIVE[code]]

    def test_the_default_languages_atom_feed_declares_it(self, client, story):
        atom = parse_xml(client.get("/news/feed/atom/").content)
        assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"

    @pytest.mark.parametrize("code", ["es", "ar"])
    def test_a_languages_list_points_feed_readers_at_its_own_feeds(self, client, story, code):
        html = client.get(f"/{code}/news/", {"type": "statement"}).content.decode()

        feeds = re.findall(
            r'<link rel="alternate" type="application/(rss|atom)\+xml" title="[^"]*" '
            r'href="([^"]+)">',
            html,
        )
        assert dict(feeds) == {
            "rss": f"/{code}/news/feed/?type=statement",
            "atom": f"/{code}/news/feed/atom/?type=statement",
        }
