"""Filtering the newsroom list: every filter alone and combined, chips, count, hostile input."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles.filters import live_years
from articles.models import Article
from tests.articles.list_helpers import listed_articles
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/news/"


def titles(response):
    return {a.title for a in listed_articles(response)}


def at(year, month, day, hour=15):
    # 15:00 UTC is the same calendar day in New York.
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def newsroom(db):
    ArticleFactory(
        title="Mexico report",
        kind=Article.Kind.REPORT,
        regions=["mx"],
        topics=["Refugees and migrants"],
        published_at=at(2017, 6, 15),
    )
    ArticleFactory(
        title="Americas release",
        kind=Article.Kind.PRESS_RELEASE,
        regions=["americas"],
        topics=["Death penalty"],
        published_at=at(2018, 3, 1),
    )
    ArticleFactory(
        title="France statement",
        kind=Article.Kind.STATEMENT,
        regions=["fr"],
        topics=["Refugees and migrants"],
        published_at=at(2019, 12, 31),
    )
    ArticleFactory(
        title="Untagged release",
        kind=Article.Kind.PRESS_RELEASE,
        published_at=at(2020, 1, 1),
    )
    ArticleFactory(title="Draft report", kind=Article.Kind.REPORT, regions=["mx"], draft=True)
    ArticleFactory(
        title="Scheduled report", kind=Article.Kind.REPORT, regions=["mx"], scheduled=True
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "report"}, {"Mexico report"}),
        ({"type": ["report", "statement"]}, {"Mexico report", "France statement"}),
        ({"region": "mx"}, {"Mexico report"}),
        ({"region": "MX"}, {"Mexico report"}),
        # A grouping includes its countries.
        ({"region": "americas"}, {"Mexico report", "Americas release"}),
        ({"region": "europe-central-asia"}, {"France statement"}),
        ({"topic": "refugees-and-migrants"}, {"Mexico report", "France statement"}),
        ({"year": "2018"}, {"Americas release"}),
        ({"from": "2019-12-31"}, {"France statement", "Untagged release"}),
        ({"to": "2018-03-01"}, {"Mexico report", "Americas release"}),
        ({"from": "2017-06-15", "to": "2017-06-15"}, {"Mexico report"}),
        ({"q": "France"}, {"France statement"}),
    ],
)
def test_each_filter_alone(client, newsroom, params, expected):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "report", "region": "americas"}, {"Mexico report"}),
        ({"type": "press-release", "region": "americas"}, {"Americas release"}),
        ({"region": "americas", "topic": "refugees-and-migrants"}, {"Mexico report"}),
        ({"topic": "refugees-and-migrants", "year": "2019"}, {"France statement"}),
        (
            {"type": ["report", "statement"], "from": "2017-01-01", "to": "2018-12-31"},
            {"Mexico report"},
        ),
        ({"q": "Mexico", "region": "americas"}, {"Mexico report"}),
        ({"q": "release", "region": "americas", "type": "press-release"}, {"Americas release"}),
        ({"q": "report", "type": "statement"}, set()),
    ],
)
def test_filters_combine(client, newsroom, params, expected):
    assert titles(client.get(LIST_URL, params)) == expected


def test_drafts_and_scheduled_never_match_a_filter(client, newsroom):
    html = client.get(LIST_URL, {"type": "report", "region": "mx"}).content.decode()

    assert "Draft report" not in html
    assert "Scheduled report" not in html


def test_an_article_in_two_countries_of_a_grouping_is_listed_once(client, newsroom):
    ArticleFactory(title="Two countries", regions=["mx", "us"])

    response = client.get(LIST_URL, {"region": "americas"})

    assert [a.title for a in listed_articles(response)].count("Two countries") == 1
    assert "3 results" in response.content.decode()


def test_active_filters_show_as_removable_chips_with_the_count(client, newsroom):
    response = client.get(
        LIST_URL, {"type": ["report", "press-release"], "region": "americas", "year": "2017"}
    )
    html = response.content.decode()

    assert "1 result" in html
    assert '<ul class="chips" aria-label="Active filters">' in html
    # Each chip links to the list without that one filter.
    assert 'href="/news/?type=report&amp;region=americas&amp;year=2017">Press Release' in html
    assert 'href="/news/?type=press-release&amp;type=report&amp;year=2017">Americas' in html
    assert 'href="/news/?type=press-release&amp;type=report&amp;region=americas">2017' in html
    assert "Clear all filters" in html


def test_the_form_works_without_javascript_and_shows_the_choices(client, newsroom):
    html = client.get(LIST_URL, {"region": "mx", "topic": "death-penalty"}).content.decode()

    assert '<form class="filter-form" method="get" action="/news/"' in html
    assert '<button class="button" type="submit">Apply filters</button>' in html
    # Region, topic and dates are behind "More filters", open as two of them are set.
    assert '<details class="filter-more" open>' in html
    assert '<option value="mx" selected>Mexico (1)</option>' in html
    assert '<optgroup label="Americas">' in html
    assert '<option value="americas">All of Americas (2)</option>' in html
    assert '<option value="death-penalty" selected>Death penalty</option>' in html
    assert '<option value="2017">2017 (1)</option>' in html
    assert 'type="checkbox" name="type" value="report"' in html


def test_more_filters_are_closed_when_none_of_them_is_set(client, newsroom):
    html = client.get(LIST_URL, {"q": "report", "type": "report"}).content.decode()

    assert '<details class="filter-more">' in html


def test_only_regions_and_years_with_live_articles_are_offered(client, newsroom):
    html = client.get(LIST_URL).content.decode()
    region_select = re.search(r'<select name="region".*?</select>', html, re.S)[0]
    year_select = re.search(r'<select name="year".*?</select>', html, re.S)[0]

    offered = re.findall(r'<option value="([^"]*)"', region_select)
    # Mexico's only other articles are a draft and a scheduled report: not counted.
    assert offered == ["", "americas", "mx", "europe-central-asia", "fr"]
    assert '<optgroup label="Africa">' not in region_select
    assert "Bouvet Island" not in region_select
    assert '<option value="fr">France (1)</option>' in region_select
    assert re.findall(r'<option value="(\d*)"', year_select) == [
        "",
        "2020",
        "2019",
        "2018",
        "2017",
    ]


def test_the_counts_follow_every_change_at_once(client, newsroom):
    ArticleFactory(title="Another in Mexico", regions=["mx"], published_at=at(2017, 7, 1))

    html = client.get(LIST_URL).content.decode()

    assert '<option value="mx">Mexico (2)</option>' in html
    assert '<option value="americas">All of Americas (3)</option>' in html
    assert '<option value="2017">2017 (2)</option>' in html


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"region": "bv"}, '<option value="bv" selected>Bouvet Island</option>'),
        ({"region": "africa"}, '<option value="africa" selected>Africa</option>'),
        ({"year": "1999"}, '<option value="1999" selected>1999</option>'),
    ],
)
def test_a_region_or_year_with_nothing_live_still_works_from_a_shared_url(
    client, newsroom, params, shown
):
    response = client.get(LIST_URL, params)
    html = response.content.decode()

    assert response.status_code == 200
    assert titles(response) == set()
    assert "not understood" not in html
    assert shown in html
    assert 'class="empty-state"' in html
    assert "No articles match" in html


def test_contradictory_year_and_dates_are_explained(client, newsroom):
    html = client.get(
        LIST_URL, {"year": "2025", "from": "2024-01-01", "to": "2024-12-31"}
    ).content.decode()

    assert "No articles in 2025 between Jan 1 and Dec 31, 2024" in html
    assert "not understood" not in html


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"year": "2017", "from": "2018-01-01"}, "No articles in 2017 from Jan 1, 2018 on"),
        ({"year": "2019", "to": "2018-06-30"}, "No articles in 2019 up to Jun 30, 2018"),
        (
            {"year": "2019", "from": "2017-01-01", "to": "2018-12-31"},
            "No articles in 2019 between Jan 1, 2017 and Dec 31, 2018",
        ),
    ],
)
def test_every_kind_of_contradiction_is_explained(client, newsroom, params, text):
    assert text in client.get(LIST_URL, params).content.decode()


def test_overlapping_year_and_dates_are_no_contradiction(client, newsroom):
    response = client.get(LIST_URL, {"year": "2017", "from": "2017-06-01", "to": "2018-01-01"})

    assert titles(response) == {"Mexico report"}
    assert "do not overlap" not in response.content.decode()


def test_every_ignored_parameter_is_in_one_notice(client, newsroom):
    html = client.get(
        LIST_URL,
        {"type": "nope", "year": "abc", "region": "nowhere", "sort": "relevance"},
    ).content.decode()

    notices = re.findall(r'<p class="message message--warning"[^>]*>(.*?)</p>', html, re.S)
    assert notices == [
        "The type, region and year filters were not understood and have been ignored. "
        "Sorting by relevance needs a search, so the newest come first."
    ]
    # Every ignored control points at that one notice.
    described = re.findall(r'<(?:input|select)[^>]*aria-describedby="([^"]+)"', html)
    assert described and set(described) == {"filter-notice"}
    assert 'id="filter-notice"' in html


def test_a_topic_outside_the_popular_ones_is_still_accepted(client, newsroom, monkeypatch):
    monkeypatch.setattr("articles.filters.POPULAR_TOPICS", 1)

    response = client.get(LIST_URL, {"topic": "death-penalty"})
    html = response.content.decode()

    assert titles(response) == {"Americas release"}
    assert '<option value="death-penalty" selected>Death penalty</option>' in html
    assert "Death penalty<span" in html  # its chip


def test_the_topic_select_offers_only_the_most_used_topics(client, newsroom, monkeypatch):
    monkeypatch.setattr("articles.filters.POPULAR_TOPICS", 1)

    html = client.get(LIST_URL).content.decode()

    assert '<option value="refugees-and-migrants">Refugees and migrants</option>' in html
    assert 'value="death-penalty"' not in html


def test_an_empty_result_says_so_and_offers_to_clear(client, newsroom):
    html = client.get(LIST_URL, {"type": "statement", "region": "mx"}).content.decode()

    assert "0 results" in html
    assert 'class="empty-state"' in html
    assert "No articles match “Statement, Mexico”." in html
    assert '<a href="/news/">Clear all filters</a>' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Untagged release", "France statement", "Americas release", "Mexico report"]),
        ("newest", ["Untagged release", "France statement", "Americas release", "Mexico report"]),
        ("oldest", ["Mexico report", "Americas release", "France statement", "Untagged release"]),
    ],
)
def test_sort(client, newsroom, sort, expected):
    response = client.get(LIST_URL, {"sort": sort})

    assert [a.title for a in listed_articles(response)] == expected


def test_sort_by_relevance_without_a_search_falls_back_to_newest_and_says_so(client, newsroom):
    response = client.get(LIST_URL, {"sort": "relevance"})

    assert listed_articles(response)[0].title == "Untagged release"
    assert "Sorting by relevance needs a search" in response.content.decode()


# --- Hostile and broken input: never a 500 ------------------------------------------------

HOSTILE = [
    ("type=<script>alert(1)</script>", "type filter was not understood"),
    ("type=report&type=nope", "type filter was not understood"),
    ("region=nope", "region filter was not understood"),
    ("topic=../../etc/passwd", "topic filter was not understood"),
    ("topic=does-not-exist", "topic filter was not understood"),
    ("year=abc", "year filter was not understood"),
    ("year=99999", "year filter was not understood"),
    ("year=-1", "year filter was not understood"),
    ("from=2020-13-45", "from filter was not understood"),
    ("to=abc", "to filter was not understood"),
    ("from=0001-01-01", "from filter was not understood"),
    ("to=9999-12-31", "to filter was not understood"),
    ("from=2020-06-01&to=2020-01-01", "The end date is before the start date"),
    ("sort=sideways", "sort by filter was not understood"),
    ("q=" + "a" * 10_000, "shortened to 200 characters"),
    ("q=" + "word%20" * 2_000, "shortened to 200 characters"),
    ("q=%27%26%7C%21%28%29%3A%2A", None),
    ("q=a%20%26%20%21%20%28b%20%7C%20c%29%3A%2A", None),
    ("q=%27%3B%20DROP%20TABLE%20articles_article%3B%20--", None),
    ("q=%22unbalanced%20quote", None),
    ("q=-", None),
    ("q=%00", None),
    ("q=act%00ivists", None),
    ("region=%00", "region filter was not understood"),
    ("topic=%00", "topic filter was not understood"),
    ("type=%00", "type filter was not understood"),
    ("from=%00", "from filter was not understood"),
    ("q=%ff%fe", None),
    ("region=" + "x" * 10_000, "region filter was not understood"),
    ("&".join(["type=report"] * 100), None),
    ("&".join(["region=mx"] * 100), None),
    ("&".join(["q=x"] * 100), None),
    ("&".join(f"topic=t{n}" for n in range(100)), "topic filter was not understood"),
    ("page=1&page=2&page=abc", None),
    ("sort=relevance&q=%22%22", None),
    ("unknown=1&type[]=report", None),
]


@pytest.mark.parametrize(("query", "notice"), HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_input_never_breaks_the_page(client, newsroom, query, notice):
    response = client.get(f"{LIST_URL}?{query}")

    assert response.status_code in (200, 404), response.status_code
    if response.status_code == 200:
        html = response.content.decode()
        assert "<script>alert" not in html
        if notice:
            assert notice in html
        # Ignored parameters are not carried into links.
        assert "nope" not in response.context["links"].canonical
        # A control marked invalid points at a notice that exists.
        for target in re.findall(r'aria-describedby="([^"]+)"', html):
            assert f'id="{target}"' in html


@pytest.mark.parametrize(("query", "notice"), HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_input_never_breaks_the_feed(client, newsroom, query, notice):
    assert client.get(f"/news/feed/?{query}").status_code == 200


def test_an_ignored_filter_leaves_the_others_working(client, newsroom):
    response = client.get(LIST_URL, {"type": "report", "year": "abc"})

    assert titles(response) == {"Mexico report"}
    assert "The year filter was not understood and has been ignored." in (
        response.content.decode()
    )


def test_reversed_dates_are_both_ignored(client, newsroom):
    response = client.get(LIST_URL, {"from": "2020-06-01", "to": "2017-01-01"})

    assert len(response.context["articles"]) == 4
    html = response.content.decode()
    # One notice for both; each date field points at it.
    assert html.count('class="message message--warning"') == 1
    assert (
        '<p class="message message--warning" id="filter-notice" role="status">The end date is '
        "before the start date, so both were ignored.</p>"
    ) in html
    assert html.count('aria-describedby="filter-notice"') == 2


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_topic_of_unpublished_articles_only_reveals_nothing(client, newsroom, state):
    ArticleFactory(title="Secret", topics=["Planned rescue operation"], **{state: True})

    hidden = client.get(LIST_URL, {"topic": "planned-rescue-operation"})
    unknown = client.get(LIST_URL, {"topic": "no-such-topic"})

    assert hidden.status_code == 200
    html = hidden.content.decode()
    assert "Planned rescue operation" not in html
    assert "planned-rescue-operation" not in html
    assert "The topic filter was not understood and has been ignored." in html
    # Answered exactly as a topic that does not exist.
    assert titles(hidden) == titles(unknown)
    assert len(hidden.content) == len(unknown.content)


def test_year_counts_follow_the_newsroom_time_zone_at_the_turn_of_the_year(client):
    """PostgreSQL counts years by the years' first instants (width_bucket), SQLite by
    converting each time: both must put a release at 00:00 on 1 January, newsroom time,
    in the new year, and one a minute earlier (already the new year in UTC) in the old."""
    new_year = timezone.make_aware(datetime(2019, 1, 1))
    ArticleFactory(title="First minute", published_at=new_year)
    ArticleFactory(title="Last minute", published_at=new_year - timedelta(minutes=1))
    ArticleFactory(title="Later in 2019", published_at=new_year + timedelta(days=40))

    assert live_years() == {2019: 2, 2018: 1}
    titles = {a.title for a in listed_articles(client.get("/news/", {"year": "2018"}))}
    assert titles == {"Last minute"}
