"""The newsroom list at /news/: head, cards, order, pagination and query counts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
from core.models import SiteSettings
from tests.articles.list_helpers import listed_articles, photo_with_renditions, rich_articles
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/news/"


def titles(response):
    return [a.title for a in listed_articles(response)]


def test_head_shows_the_editable_texts_and_press_contact(client):
    settings = SiteSettings.load()
    settings.name = "Press room"
    settings.mission = "We defend the defenders."
    settings.intro = "Releases, reports and statements."
    settings.press_email = "media@example.org"
    settings.save()

    html = client.get(LIST_URL).content.decode()

    assert "<h1>Press room</h1>" in html
    assert "We defend the defenders." in html
    assert "Releases, reports and statements." in html
    assert 'href="mailto:media@example.org"' in html
    assert 'href="/press/inquiry/"' in html


def test_site_settings_are_cached_and_a_save_shows_at_once(client, django_assert_num_queries):
    SiteSettings.load()
    with django_assert_num_queries(0):
        SiteSettings.load()

    settings = SiteSettings.load()
    settings.name = "Changed heading"
    settings.save()

    assert "Changed heading" in client.get(LIST_URL).content.decode()


def test_cards_newest_first_with_photo_label_excerpt_and_date(client):
    photo = photo_with_renditions(alt_text="Families queue at a border crossing")
    ArticleFactory(title="Older release", published_at=datetime(2017, 6, 14, 14, 0, tzinfo=UTC))
    ArticleFactory(
        title="Facing Walls",
        kind=Article.Kind.REPORT,
        summary=" ".join(f"word{n}" for n in range(100)),
        hero_photo=photo,
        published_at=datetime(2017, 6, 15, 14, 0, tzinfo=UTC),
    )
    ArticleFactory(
        title="A statement",
        kind=Article.Kind.STATEMENT,
        published_at=datetime(2017, 6, 13, 14, 0, tzinfo=UTC),
    )

    response = client.get(LIST_URL)
    html = response.content.decode()

    assert titles(response) == ["Facing Walls", "Older release", "A statement"]
    assert 'class="card__kind card__kind--report">Report<' in html
    assert 'class="card__kind card__kind--statement">Statement<' in html
    assert 'class="card__kind card__kind--press-release">Press Release<' in html
    assert '<time datetime="2017-06-15T10:00:00-04:00">June 15, 2017</time>' in html
    # The excerpt is cut at a word boundary with an ellipsis.
    assert "word59 …" in html
    assert "word60" not in html
    # The card rendition with srcset and real alt text; the first cards load eagerly.
    assert 'alt="Families queue at a border crossing"' in html
    assert "card-320.webp 320w" in html
    assert 'loading="eager"' in html
    assert 'href="/news/article-' in html or "/news/" in html


def test_photos_below_the_first_row_are_lazy(client):
    for _ in range(5):
        ArticleFactory(hero_photo=photo_with_renditions())

    html = client.get(LIST_URL).content.decode()

    assert html.count('loading="eager"') == 3
    assert html.count('loading="lazy"') == 2


def test_drafts_and_scheduled_articles_never_appear(client):
    ArticleFactory(title="Live one")
    ArticleFactory(title="Draft one", draft=True)
    ArticleFactory(title="Scheduled one", scheduled=True)

    response = client.get(LIST_URL)

    assert titles(response) == ["Live one"]
    assert "Draft one" not in response.content.decode()
    assert "Scheduled one" not in response.content.decode()


def test_a_scheduled_article_appears_once_its_time_has_come(client):
    article = ArticleFactory(title="Embargoed", scheduled=True)
    assert "Embargoed" not in client.get(LIST_URL).content.decode()

    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )

    assert "Embargoed" in client.get("/news/?type=press-release").content.decode()


def make_many(count):
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Item {n:03d}",
            slug=f"item-{n:03d}",
            summary="Summary.",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=n + 1),
        )
        for n in range(count)
    )


def test_twenty_per_page_with_numbers_rel_links_and_canonical(client):
    make_many(45)

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})
    third = client.get(LIST_URL, {"page": 3})

    assert titles(first) == [f"Item {n:03d}" for n in range(20)]
    assert titles(second) == [f"Item {n:03d}" for n in range(20, 40)]
    assert titles(third) == [f"Item {n:03d}" for n in range(40, 45)]
    html = second.content.decode()
    assert '<link rel="canonical" href="http://testserver/news/?page=2">' in html
    assert '<link rel="prev" href="http://testserver/news/">' in html
    assert '<link rel="next" href="http://testserver/news/?page=3">' in html
    assert '<span aria-current="page"><span class="visually-hidden">Page </span>2</span>' in html
    first_html = first.content.decode()
    assert '<link rel="canonical" href="http://testserver/news/">' in first_html
    assert 'rel="prev"' not in first_html
    assert "45 results, page 1 of 3" in first_html


def test_pagination_links_keep_the_filters(client):
    make_many(25)

    html = client.get(LIST_URL, {"type": "press-release", "page": 2}).content.decode()

    assert '<link rel="prev" href="http://testserver/news/?type=press-release">' in html
    assert (
        '<link rel="canonical" href="http://testserver/news/?type=press-release&amp;page=2">'
        in html
    )


@pytest.mark.parametrize("page", ["0", "-1", "abc", "4", "999999", "1e5", "99999999999999999999"])
def test_a_page_that_does_not_exist_is_a_404(client, page):
    make_many(45)

    assert client.get(LIST_URL, {"page": page}).status_code == 404


def test_an_empty_newsroom_answers_page_one(client):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert "No articles have been published yet." in response.content.decode()


def test_deep_pages_read_the_right_rows(client):
    make_many(105)

    response = client.get(LIST_URL, {"page": 6, "sort": "oldest"})

    assert titles(response) == [f"Item {n:03d}" for n in range(4, -1, -1)]


def test_the_count_is_cached_and_follows_every_change_at_once(
    client, django_assert_max_num_queries
):
    make_many(3)
    client.get(LIST_URL)
    with django_assert_max_num_queries(2):  # the page's ids, then its twenty rows
        assert "3 results" in client.get(LIST_URL).content.decode()
    ArticleFactory()

    assert "4 results" in client.get(LIST_URL).content.decode()


def test_feeds_are_announced_with_the_current_filters(client):
    html = client.get(LIST_URL, {"type": "report", "region": "americas"}).content.decode()

    assert (
        '<link rel="alternate" type="application/rss+xml" title="Newsroom: Report, Americas (RSS)"'
        ' href="/news/feed/?type=report&amp;region=americas">' in html
    )
    assert 'href="/news/feed/atom/?type=report&amp;region=americas"' in html


def test_no_inline_scripts_or_styles(client):
    rich_articles(2)

    html = client.get(LIST_URL).content.decode()

    assert "<script" not in html.replace('<script type="application/ld+json"', "")
    assert not re.search(r"\sstyle=", html)
    assert "<style" not in html


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"type": ["report", "press-release"], "region": "americas", "topic": "asylum"},
        {"q": "activists", "year": "2020", "from": "2020-01-01", "to": "2030-01-01"},
        {"page": 2, "sort": "oldest", "region": "mx"},
    ],
)
def test_query_count_is_fixed_whatever_the_filters(client, django_assert_max_num_queries, params):
    rich_articles(25)
    Article.objects.update(published_at=datetime(2020, 5, 1, tzinfo=UTC))
    SiteSettings.load()  # the row exists on any real site
    cache.clear()

    # Every cache cold: settings, count, regions, live regions' counts (only regions
    # with live articles are offered), topics, years, the page's ids (kept, see
    # articles.pagination) and its rows.
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert response.context["articles"]

    # Warm: the page of articles, and the topic check when not among the popular ones.
    with django_assert_max_num_queries(2):
        client.get(LIST_URL, params)


def test_the_title_says_what_is_listed(client):
    make_many(25)

    assert "<title>Newsroom</title>" in client.get(LIST_URL).content.decode()
    html = client.get(LIST_URL, {"type": "press-release", "page": 2}).content.decode()
    assert "<title>Press Release \u2013 Newsroom \u2013 page 2</title>" in html


def test_the_press_phone_is_a_valid_tel_link_on_the_list_and_an_article(client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"press_phone": "+1 (212) 555-0100"})
    article = ArticleFactory()
    for url in ("/news/", article.get_absolute_url()):
        html = client.get(url).content.decode()
        links = re.findall(r'href="(tel:[^"]*)"', html)
        assert links == ["tel:+12125550100"], url
