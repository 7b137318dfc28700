"""The home page: a lead story (pinned or the newest), the latest news, reports, statements
and the press office's ways in."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
from core.models import SiteSettings
from tests.articles.list_helpers import rich_articles
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def newsroom():
    stories = {}
    for n in range(8):
        stories[f"release {n}"] = ArticleFactory(title=f"Release {n}", published_at=ago(10 + n))
    for n in range(4):
        stories[f"report {n}"] = ArticleFactory(
            title=f"Report {n}", kind=Article.Kind.REPORT, published_at=ago(20 + n)
        )
    for n in range(6):
        stories[f"statement {n}"] = ArticleFactory(
            title=f"Statement {n}", kind=Article.Kind.STATEMENT, published_at=ago(30 + n)
        )
    stories["newest"] = ArticleFactory(title="The newest story", published_at=ago(1))
    ArticleFactory(title="Hidden draft", draft=True)
    ArticleFactory(title="Scheduled story", scheduled=True)
    return stories


def pin(article):
    settings = SiteSettings.load()
    settings.lead_article = article
    settings.save()


def test_the_newest_story_leads_and_no_section_repeats_it(client, newsroom):
    settings = SiteSettings.load()
    settings.mission = "We defend the defenders."
    settings.save()

    response = client.get("/")
    html = response.content.decode()
    front = response.context["front"]

    assert "We defend the defenders." in html
    assert front.lead.title == "The newest story"
    url = newsroom["newest"].get_absolute_url()
    assert f'class="lead-story__title"><a href="{url}">The newest story</a>' in html
    assert [a.title for a in front.latest] == [
        "Release 0",
        "Release 1",
        "Release 2",
        "Release 3",
        "Release 4",
        "Release 5",
    ]
    assert [a.title for a in front.reports] == ["Report 0", "Report 1", "Report 2"]
    assert [a.title for a in front.statements] == [f"Statement {n}" for n in range(4)]
    assert html.count('class="card card--') == 6 + 3
    assert "Hidden draft" not in html and "Scheduled story" not in html
    assert '<a class="button" href="/news/">' in html
    assert 'href="/news/?type=report"' in html and 'href="/news/?type=statement"' in html
    assert 'type="application/rss+xml"' in html


def test_an_editor_can_pin_the_lead_story(client, newsroom):
    pin(newsroom["report 3"])

    front = client.get("/").context["front"]

    assert front.lead.title == "Report 3"
    assert "Report 3" not in [a.title for a in front.reports]
    assert front.latest[0].title == "The newest story"


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_pinned_story_leads_only_while_it_is_live(client, newsroom, state):
    pinned = newsroom["release 5"]
    pin(pinned)
    if state == "draft":
        pinned.status = Article.Status.DRAFT
    else:
        pinned.published_at = timezone.now() + timedelta(days=2)
    pinned.save()

    html = client.get("/").content.decode()

    url = newsroom["newest"].get_absolute_url()
    assert f'class="lead-story__title"><a href="{url}">The newest story</a>' in html
    assert "Release 5" not in html


def test_deleting_the_pinned_story_unpins_it(client, newsroom):
    pin(newsroom["release 2"])
    newsroom["release 2"].delete()

    assert SiteSettings.objects.get().lead_article is None
    assert client.get("/").context["front"].lead.title == "The newest story"


def test_the_press_office_is_one_step_away(client, newsroom):
    settings = SiteSettings.load()
    settings.press_email = "media@example.org"
    settings.press_phone = "+1 (212) 555-0100"
    settings.save()

    html = client.get("/").content.decode()

    assert '<a href="mailto:media@example.org">media@example.org</a>' in html
    assert '<a href="tel:+12125550100">+1 (212) 555-0100</a>' in html
    assert '<a class="button" href="/press/inquiry/">Send a media inquiry</a>' in html
    assert 'href="/press/">Press contacts and spokespeople</a>' in html


def test_home_query_count(client, django_assert_max_num_queries):
    rich_articles(6)
    ArticleFactory(kind=Article.Kind.REPORT)
    ArticleFactory(kind=Article.Kind.STATEMENT)
    SiteSettings.load()
    cache.clear()

    # Cold: the settings, the next scheduled publication (it names the content epoch),
    # then each section (lead, latest, reports, statements) and the renditions of the
    # cards not yet cached (one query per group of cards).
    with django_assert_max_num_queries(9):
        assert client.get("/").status_code == 200
    # Warm: the sections' fragment is kept under the content epoch.
    with django_assert_max_num_queries(0):
        assert client.get("/").status_code == 200


def test_home_query_count_with_a_pinned_story_that_is_no_longer_live(
    client, django_assert_max_num_queries
):
    rich_articles(6)
    pinned = ArticleFactory()
    pin(pinned)
    pinned.status = Article.Status.DRAFT
    pinned.save()
    cache.clear()

    with django_assert_max_num_queries(10):  # one more: the pinned story, not found
        assert client.get("/").status_code == 200


def test_an_empty_home_page_still_leads_to_the_newsroom_and_the_press_office(client):
    html = client.get("/").content.decode()

    assert "Nothing has been published yet." in html
    assert 'href="/news/"' in html
    assert 'href="/press/inquiry/"' in html
