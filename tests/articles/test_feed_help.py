"""What a person finds behind a visible "RSS feed" link: a page that explains how to
follow the list in a feed reader, with the addresses to copy, instead of raw XML.

Feed readers still find the feeds themselves through ``<link rel="alternate">``, and the
feeds are unchanged."""

import re

import pytest
from django.core.cache import cache

from articles.models import ArticleNote
from core.models import SiteSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

FILTERS = "?type=report&region=americas"


ALTERNATE = r'<link rel="alternate" type="application/(\w+)\+xml"[^>]* href="([^"]+)"'


def alternate_links(html):
    links = re.findall(ALTERNATE, html)
    return {kind: href.replace("&amp;", "&") for kind, href in links}


def link_href(html, text):
    """The href of the link whose text ends with ``text``."""
    pattern = rf'<a [^>]*href="([^"]+)"[^>]*>(?:(?!</a>).)*{re.escape(text)}</a>'
    match = re.search(pattern, html, re.S)
    assert match, f"no link {text!r}"
    return match.group(1).replace("&amp;", "&")


@pytest.fixture
def reports():
    ArticleFactory(kind="report", title="Facing walls", regions=["mx"])
    ArticleFactory(title="A release on France", regions=["fr"])


def test_the_visible_rss_links_lead_to_the_help_page(client, reports):
    html = client.get(f"/news/{FILTERS}").content.decode()
    assert link_href(html, "RSS feed of this list") == f"/news/feed/about/{FILTERS}"
    assert link_href(html, "RSS feed") == "/news/feed/about/"  # the footer's
    # Feed readers and browsers that discover feeds still get the feeds themselves.
    assert alternate_links(html) == {
        "rss": f"/news/feed/{FILTERS}",
        "atom": f"/news/feed/atom/{FILTERS}",
    }

    html = client.get("/news/corrections/").content.decode()
    assert link_href(html, "RSS") == "/news/corrections/feed/about/"
    assert alternate_links(html) == {"rss": "/news/corrections/feed/"}


def test_the_help_page_explains_how_to_follow_the_list(client, reports):
    response = client.get(f"/news/feed/about/{FILTERS}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    # What the list is, and what the reader will show.
    assert "<h1>Follow “Report, Americas” in a feed reader</h1>" in html
    assert SiteSettings.load().mission in html
    # The two addresses to paste, whole, with the list's filters.
    rss = "http://testserver/news/feed/?type=report&amp;region=americas"
    atom = "http://testserver/news/feed/atom/?type=report&amp;region=americas"
    assert re.search(rf'<input [^>]*id="feed-address-rss"[^>]*value="{re.escape(rss)}"', html)
    assert re.search(rf'<input [^>]*id="feed-address-atom"[^>]*value="{re.escape(atom)}"', html)
    assert '<label for="feed-address-rss">' in html
    # A copy button for browsers that can, hidden until the script shows it.
    assert re.search(r'<button [^>]*data-copy-from="feed-address-rss"[^>]*hidden', html)
    assert "What is a feed reader?" in html
    # E-mail alerts and the list itself, for the same filters.
    assert link_href(html, "Get e-mail alerts for this list") == f"/press/alerts/{FILTERS}"
    assert link_href(html, "Back to the list") == f"/news/{FILTERS}"
    assert alternate_links(html) == {
        "rss": f"/news/feed/{FILTERS}",
        "atom": f"/news/feed/atom/{FILTERS}",
    }


def test_without_filters_it_is_the_whole_newsroom(client):
    html = client.get("/news/feed/about/").content.decode()
    assert "<h1>Follow the newsroom in a feed reader</h1>" in html
    assert 'value="http://testserver/news/feed/"' in html
    assert 'value="http://testserver/news/feed/atom/"' in html
    assert link_href(html, "Get e-mail alerts for new articles") == "/press/alerts/"


def test_the_order_and_the_page_are_not_part_of_a_feed(client):
    html = client.get("/news/feed/about/?type=report&sort=oldest&page=3").content.decode()
    assert 'value="http://testserver/news/feed/?type=report"' in html


def test_filters_that_are_not_understood_are_said_and_left_out(client):
    response = client.get("/news/feed/about/?type=report&year=not-a-year")
    assert response.status_code == 200
    # Each garbage value is not an entry in nginx's cache.
    assert "s-maxage" not in response.get("Cache-Control", "")
    html = response.content.decode()
    assert "not understood" in html
    assert 'value="http://testserver/news/feed/?type=report"' in html


def test_the_page_is_page_cached_per_filter(client, reports):
    assert "s-maxage=10" in client.get(f"/news/feed/about/{FILTERS}")["Cache-Control"]
    tracked = client.get(f"/news/feed/about/{FILTERS}&utm_source=newsletter")
    assert "s-maxage" not in tracked.get("Cache-Control", "")
    # Another list is another page, never the first one's.
    other = client.get("/news/feed/about/?type=statement")
    assert "s-maxage=10" in other["Cache-Control"]
    assert "type=statement" in other.content.decode()
    assert "region=americas" not in other.content.decode()


@pytest.mark.parametrize("query", ["", FILTERS, "?topic=asylum&q=detention&year=2020"])
def test_query_count_is_fixed(client, django_assert_max_num_queries, reports, query):
    SiteSettings.load()
    cache.clear()
    # Cold: the content epoch, the site settings, the names of regions or of the popular
    # topics, and a topic that is not among those. Warm: at most that last one.
    with django_assert_max_num_queries(4):
        assert client.get(f"/news/feed/about/{query}").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(f"/news/feed/about/{query}").status_code == 200


def test_the_feeds_themselves_are_unchanged(client, reports):
    response = client.get(f"/news/feed/{FILTERS}")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert b"<rss " in response.content and b"Facing walls" in response.content
    assert b"xml-stylesheet" not in response.content
    response = client.get(f"/news/feed/atom/{FILTERS}")
    assert response["Content-Type"].startswith("application/atom+xml")


def test_the_corrections_feed_has_its_help_page(client, django_assert_max_num_queries):
    article = ArticleFactory(title="Detentions in the capital")
    ArticleNote.objects.create(article=article, kind="correction", text="It was 63, not 36.")
    SiteSettings.load()
    cache.clear()
    with django_assert_max_num_queries(2):
        response = client.get("/news/corrections/feed/about/")
    html = response.content.decode()
    assert "<h1>Follow corrections and clarifications in a feed reader</h1>" in html
    assert 'value="http://testserver/news/corrections/feed/"' in html
    assert "feed-address-atom" not in html
    assert link_href(html, "Back to corrections and clarifications") == "/news/corrections/"
    assert alternate_links(html) == {"rss": "/news/corrections/feed/"}
