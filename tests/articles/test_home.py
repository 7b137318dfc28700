"""The home page: the newsroom's mission, the latest four articles and the way in."""

import pytest
from django.core.cache import cache

from core.models import SiteSettings
from tests.articles.list_helpers import rich_articles
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_mission_the_latest_four_and_a_link_to_the_newsroom(client):
    for n in range(6):
        ArticleFactory(title=f"Story {n}")
    ArticleFactory(title="Hidden draft", draft=True)
    settings = SiteSettings.load()
    settings.mission = "We defend the defenders."
    settings.save()

    response = client.get("/")
    html = response.content.decode()

    assert "We defend the defenders." in html
    assert [a.title for a in response.context["latest"]] == [f"Story {n}" for n in (5, 4, 3, 2)]
    assert html.count('class="card"') == 4
    assert "Hidden draft" not in html
    assert '<a class="button" href="/news/">' in html
    assert 'type="application/rss+xml"' in html


def test_home_query_count(client, django_assert_max_num_queries):
    rich_articles(6)
    SiteSettings.load()
    cache.clear()

    # One more on a cold cache: when the next scheduled article goes live (it names the
    # content epoch that every cached value is keyed by).
    with django_assert_max_num_queries(4):
        assert client.get("/").status_code == 200


def test_an_empty_home_page_still_leads_to_the_newsroom(client):
    html = client.get("/").content.decode()

    assert "Nothing has been published yet." in html
    assert 'href="/news/"' in html
