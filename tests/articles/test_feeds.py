"""RSS and Atom feeds at /news/feed/ and /news/feed/atom/, with the list's filters."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from articles.feeds import FEED_ITEMS
from articles.models import Article
from core.models import SiteSettings
from tests.articles.list_helpers import parse_xml, photo_with_renditions, rich_articles
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"


def rss_items(response):
    assert response["Content-Type"].startswith("application/rss+xml")
    return parse_xml(response.content).findall("./channel/item")


def atom_entries(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    return parse_xml(response.content).findall(f"{ATOM}entry")


def test_rss_lists_live_articles_newest_first_with_absolute_links(client):
    ArticleFactory(title="Older", slug="older", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    ArticleFactory(title="Newer", slug="newer", published_at=datetime(2021, 1, 1, tzinfo=UTC))
    ArticleFactory(title="Draft", draft=True)
    ArticleFactory(title="Scheduled", scheduled=True)

    items = rss_items(client.get("/news/feed/"))

    assert [i.findtext("title") for i in items] == ["Newer", "Older"]
    assert items[0].findtext("link") == "http://testserver/news/newer/"
    assert items[0].findtext("pubDate") == "Fri, 01 Jan 2021 00:00:00 +0000"
    assert items[0].findtext("description") == Article.objects.get(slug="newer").summary


def test_rss_channel_uses_the_newsroom_texts(client):
    settings = SiteSettings.load()
    settings.name = "Press room"
    settings.mission = "We defend the defenders."
    settings.save()

    channel = parse_xml(client.get("/news/feed/").content).find("channel")

    assert channel.findtext("title") == "Press room"
    assert channel.findtext("description") == "We defend the defenders."
    assert channel.findtext("link") == "http://testserver/news/"


def test_feeds_honour_the_list_filters(client):
    ArticleFactory(title="Mexico report", kind=Article.Kind.REPORT, regions=["mx"])
    ArticleFactory(title="France report", kind=Article.Kind.REPORT, regions=["fr"])
    ArticleFactory(title="Mexico release", regions=["mx"])

    rss = client.get("/news/feed/", {"type": "report", "region": "americas"})
    atom = client.get("/news/feed/atom/", {"type": "report", "region": "americas"})

    assert [i.findtext("title") for i in rss_items(rss)] == ["Mexico report"]
    assert [e.findtext(f"{ATOM}title") for e in atom_entries(atom)] == ["Mexico report"]
    channel = parse_xml(rss.content).find("channel")
    assert channel.findtext("title") == "Newsroom: Report, Americas"
    assert channel.findtext("link") == "http://testserver/news/?type=report&region=americas"


def test_items_carry_the_photo_as_media_content_and_categories(
    client, django_capture_on_commit_callbacks
):
    photo = photo_with_renditions(alt_text="A vigil at night", credit="Photo by A. B. / Agency")
    with django_capture_on_commit_callbacks(execute=True):  # a live article's photo is public
        ArticleFactory(
            hero_photo=photo,
            kind=Article.Kind.REPORT,
            regions=["mx"],
            topics=["Asylum", "Refugees and migrants"],
        )

    item = rss_items(client.get("/news/feed/"))[0]
    entry = atom_entries(client.get("/news/feed/atom/"))[0]

    for element in (item, entry):
        media = element.find(f"{MEDIA}content")
        assert (
            media.get("url")
            == f"http://testserver/media/photos/renditions/k{photo.pk}/og-1200.jpg"
        )
        assert media.get("type") == "image/jpeg"
        assert (media.get("width"), media.get("height")) == ("1200", "630")
        assert media.findtext(f"{MEDIA}description") == "A vigil at night"
        assert media.findtext(f"{MEDIA}credit") == "Photo by A. B. / Agency"
    assert {c.text for c in item.findall("category")} == {
        "Report",
        "Mexico",
        "Asylum",
        "Refugees and migrants",
    }
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {
        "Report",
        "Mexico",
        "Asylum",
        "Refugees and migrants",
    }


def test_an_item_without_photo_has_no_media(client):
    ArticleFactory()

    assert rss_items(client.get("/news/feed/"))[0].find(f"{MEDIA}content") is None


def test_atom_entries_carry_updated_dates(client):
    ArticleFactory(
        published_at=datetime(2020, 1, 1, tzinfo=UTC),
        substantively_updated_at=datetime(2020, 2, 1, tzinfo=UTC),
    )

    entry = atom_entries(client.get("/news/feed/atom/"))[0]

    assert entry.findtext(f"{ATOM}published") == "2020-01-01T00:00:00+00:00"
    assert entry.findtext(f"{ATOM}updated") == "2020-02-01T00:00:00+00:00"


def test_feeds_are_limited_to_fifty_items(client):
    rich_articles(FEED_ITEMS + 2)

    assert len(rss_items(client.get("/news/feed/"))) == FEED_ITEMS


@pytest.mark.parametrize("url", ["/news/feed/", "/news/feed/atom/"])
@pytest.mark.parametrize("params", [{}, {"type": "press-release", "region": "americas"}])
def test_feed_query_count_is_fixed(client, django_assert_max_num_queries, url, params):
    rich_articles(25)
    SiteSettings.load()
    cache.clear()

    # Settings, the items' dates, then their rows, regions and topics (plus cold choice
    # caches); a warm feed makes one (see below).
    with django_assert_max_num_queries(7):
        response = client.get(url, params)

    assert response.status_code == 200
    assert response.content.count(b"media:content") >= 25


def test_no_article_can_take_the_feed_address():
    article = ArticleFactory.build(slug="feed")

    with pytest.raises(ValidationError) as error:
        article.full_clean()

    assert "slug" in error.value.message_dict


def test_the_feed_route_wins_over_an_article_slug(client):
    Article.objects.bulk_create(
        [Article(title="Sneaky", slug="feed", summary="x", status=Article.Status.PUBLISHED)]
    )

    assert client.get("/news/feed/")["Content-Type"].startswith("application/rss+xml")


@pytest.mark.parametrize("url", ["/news/feed/", "/news/feed/atom/"])
def test_a_warm_feed_is_the_same_bytes_from_one_query_and_an_edit_shows_at_once(
    client, django_assert_num_queries, url
):
    articles = rich_articles(25)
    SiteSettings.load()
    cold = client.get(url)

    # The items' dates, and nothing for the items' rows, regions, topics or photos.
    with django_assert_num_queries(1):
        warm = client.get(url)
    assert warm.content == cold.content

    article = articles[3]
    article.title = "A corrected headline"
    article.save()
    assert b"A corrected headline" in client.get(url).content


def test_each_origin_gets_its_own_absolute_links(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    rich_articles(3)
    client.get("/news/feed/")
    other = client.get("/news/feed/", headers={"host": "mirror.example"})
    links = [item.findtext("link") for item in rss_items(other)]
    assert links and all(link.startswith("http://mirror.example/") for link in links)
