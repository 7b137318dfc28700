"""/sitemap.xml and /robots.txt for search engines."""

from datetime import UTC, datetime

import pytest

from articles.models import Article
from tests.articles.list_helpers import parse_xml
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response):
    assert response.status_code == 200
    return [url.findtext(f"{NS}loc") for url in parse_xml(response.content).iter(f"{NS}url")]


def test_sitemap_lists_live_articles_with_lastmod_and_the_list_page(client):
    live = ArticleFactory(slug="live-one")
    Article.objects.filter(pk=live.pk).update(updated_at=datetime(2021, 3, 4, 12, tzinfo=UTC))
    ArticleFactory(slug="draft-one", draft=True)
    ArticleFactory(slug="scheduled-one", scheduled=True)

    response = client.get("/sitemap.xml")
    root = parse_xml(response.content)

    assert locations(response) == [
        "http://testserver/",
        "http://testserver/news/",
        "http://testserver/news/live-one/",
    ]
    article_url = [u for u in root.iter(f"{NS}url") if "live-one" in u.findtext(f"{NS}loc")]
    assert article_url[0].findtext(f"{NS}lastmod") == "2021-03-04"


def test_sitemap_becomes_an_index_of_pages_beyond_the_limit(client, monkeypatch):
    monkeypatch.setattr("articles.sitemaps.ArticleSitemap.limit", 2)
    for n in range(5):
        ArticleFactory(slug=f"a{n}")

    index = parse_xml(client.get("/sitemap.xml").content)
    sitemaps = [s.findtext(f"{NS}loc") for s in index.iter(f"{NS}sitemap")]

    assert sitemaps == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]
    pages = [locations(client.get("/sitemap-articles.xml", {"p": p})) for p in (1, 2, 3)]
    assert sum(len(p) for p in pages) == 5
    assert client.get("/sitemap-articles.xml", {"p": 4}).status_code == 404
    assert client.get("/sitemap-nope.xml").status_code == 404


def test_sitemap_query_count_is_small_and_fixed(client, django_assert_max_num_queries):
    for n in range(30):
        ArticleFactory(slug=f"a{n}")

    # One more on a cold cache: when the next scheduled article goes live.
    with django_assert_max_num_queries(4):
        client.get("/sitemap.xml")


def test_sitemap_index_query_count_does_not_load_every_article(
    client, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr("articles.sitemaps.ArticleSitemap.limit", 2)
    for n in range(30):
        ArticleFactory(slug=f"a{n}")

    # One more on a cold cache: when the next scheduled article goes live.
    with django_assert_max_num_queries(4):
        client.get("/sitemap.xml")
    with django_assert_max_num_queries(2):
        client.get("/sitemap-articles.xml", {"p": 5})


def test_robots_txt_allows_the_site_keeps_out_the_admin_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    text = response.content.decode()

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "User-agent: *" in text
    assert "Disallow: /admin/" in text
    assert "Disallow: /news/?q=" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_robots_txt_does_not_reveal_a_custom_admin_address(client, settings):
    settings.ADMIN_URL = "back-office-7f3a/"

    text = client.get("/robots.txt").content.decode()

    assert "back-office" not in text
    assert "/admin/" not in text
