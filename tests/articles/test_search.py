"""Full-text search: PostgreSQL's weighted, ranked search, and the SQLite fallback."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.search import MAX_QUERY_LENGTH, clean_query, search, search_admin
from tests.articles.list_helpers import listed_articles
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/news/"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="ranked full-text search needs PostgreSQL; SQLite uses the plain fallback",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the fallback is only used without PostgreSQL"
)


def titles(response):
    return [a.title for a in listed_articles(response)]


def test_clean_query_drops_nul_collapses_spaces_and_caps_the_length():
    assert clean_query("  torture\x00 in   detention ").text == "torture in detention"
    assert not clean_query("torture").shortened
    long = clean_query("word " * 1000)
    assert long.shortened
    assert len(long.text) <= MAX_QUERY_LENGTH
    assert not long.text.endswith(" ")
    assert clean_query(None).text == ""


def test_search_finds_words_in_title_and_summary(client):
    ArticleFactory(title="Torture in detention centres", summary="Plain.")
    ArticleFactory(title="Plain title", summary="Reports of torture in detention.")
    ArticleFactory(title="Unrelated", summary="Nothing here.")

    response = client.get(LIST_URL, {"q": "torture detention"})

    assert set(titles(response)) == {"Torture in detention centres", "Plain title"}
    assert 'value="torture detention"' in response.content.decode()


def test_search_never_shows_drafts_or_scheduled(client):
    ArticleFactory(title="Live torture report")
    ArticleFactory(title="Draft torture report", draft=True)
    ArticleFactory(title="Scheduled torture report", scheduled=True)

    assert titles(client.get(LIST_URL, {"q": "torture"})) == ["Live torture report"]


def test_search_results_can_still_be_filtered_and_sorted(client):
    ArticleFactory(title="Torture report", kind=Article.Kind.REPORT, regions=["mx"])
    ArticleFactory(title="Torture statement", kind=Article.Kind.STATEMENT, regions=["fr"])

    response = client.get(LIST_URL, {"q": "torture", "region": "americas", "sort": "oldest"})

    assert titles(response) == ["Torture report"]
    assert "Search: “torture”" in response.content.decode()


def test_a_search_page_is_not_indexed(client):
    assert 'content="noindex, follow"' in client.get(LIST_URL, {"q": "x"}).content.decode()
    assert "noindex" not in client.get(LIST_URL).content.decode()


def test_a_very_long_search_is_shortened_and_says_so(client):
    ArticleFactory(title="Torture report")

    response = client.get(LIST_URL, {"q": "torture " + "x" * 10_000})

    assert response.status_code == 200
    assert "shortened to 200 characters" in response.content.decode()


@sqlite_only
def test_fallback_caps_the_number_of_words():
    ArticleFactory(title="one two three four five six")

    found = search(Article.objects.live(), "one two three four five six seven eight")

    # Only the first six words count, so the seventh and eighth do not exclude it.
    assert [a.title for a in found] == ["one two three four five six"]


@postgres_only
def test_relevance_puts_title_matches_before_summary_and_body_matches(client):
    ArticleFactory(title="Body only", summary="Nothing.", body="<p>Refugees at sea.</p>")
    ArticleFactory(title="Refugees at sea", summary="Nothing.", body="<p>Nothing.</p>")
    ArticleFactory(title="Summary only", summary="Refugees at sea.", body="<p>Nothing.</p>")

    response = client.get(LIST_URL, {"q": "refugees at sea", "sort": "relevance"})

    assert titles(response) == ["Refugees at sea", "Summary only", "Body only"]


@postgres_only
def test_postgres_search_uses_stemming_body_text_and_web_syntax(client):
    ArticleFactory(
        title="Detained activists",
        summary="Nothing.",
        body="<p>The <strong>prison</strong> is full.</p>",
    )
    ArticleFactory(title="Released activists", summary="Nothing.", body="<p>Nothing.</p>")

    assert titles(client.get(LIST_URL, {"q": "detaining"})) == ["Detained activists"]
    assert titles(client.get(LIST_URL, {"q": "prison"})) == ["Detained activists"]
    # HTML tags are not words of the body.
    assert titles(client.get(LIST_URL, {"q": "strong"})) == []
    assert titles(client.get(LIST_URL, {"q": "activists -released"})) == ["Detained activists"]
    assert titles(client.get(LIST_URL, {"q": '"released activists"'})) == ["Released activists"]


@postgres_only
def test_the_search_vector_follows_edits(client):
    article = ArticleFactory(title="Original headline")
    article.title = "Corrected headline about torture"
    article.save()

    assert titles(client.get(LIST_URL, {"q": "torture"})) == ["Corrected headline about torture"]


@postgres_only
def test_the_gin_index_serves_the_search():
    ArticleFactory(title="Torture report")
    queryset = search(Article.objects.all(), "torture")
    with connection.cursor() as cursor:
        # With a handful of rows a sequential scan is cheaper; forbid it to see that the
        # index can answer the query at all (bench/ measures it on 100,000 rows).
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Once the table has been analysed (every import does so), a one-row table is
        # cheaper to walk backwards on the publication-time index and filter; the GIN
        # index is only read through bitmap scans, which stay allowed.
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()

    assert "article_search_idx" in plan


def test_relevance_ranks_only_the_newest_matches_of_a_common_word_and_says_so(client, monkeypatch):
    """Ranking reads every match's search vector: a word half the archive contains is
    ranked among its newest ``RELEVANCE_CANDIDATES`` matches, and the page says so."""
    monkeypatch.setattr("articles.filters.RELEVANCE_CANDIDATES", 3)
    monkeypatch.setattr("articles.views.RELEVANCE_CANDIDATES", 3)
    now = timezone.now()
    ArticleFactory(title="Refugees first", published_at=now - timedelta(days=10))
    for day in range(1, 5):
        ArticleFactory(
            title=f"Report {day}",
            summary="Refugees in the summary.",
            published_at=now - timedelta(days=day),
        )

    by_relevance = client.get(LIST_URL, {"q": "refugees", "sort": "relevance"})
    newest = client.get(LIST_URL, {"q": "refugees"})

    assert sorted(titles(by_relevance)) == ["Report 1", "Report 2", "Report 3"]
    assert by_relevance.context["paginator"].count == 3
    page = by_relevance.content.decode()
    assert "Sorted by relevance among the 3 newest matches." in page
    assert 'href="/news/?q=refugees">Sort by newest</a>' in page
    assert len(titles(newest)) == 5
    assert "newest matches" not in newest.content.decode()
    # Fewer matches than the bound: all of them are ranked, and nothing is said.
    few = client.get(LIST_URL, {"q": "refugees first", "sort": "relevance"})
    assert titles(few) == ["Refugees first"]
    assert "newest matches" not in few.content.decode()


def test_a_warm_page_by_relevance_makes_one_query_and_an_edit_shows_at_once(
    client, django_assert_num_queries
):
    for day in range(1, 4):
        ArticleFactory(
            title=f"Report {day}",
            summary="Refugees in the summary.",
            published_at=timezone.now() - timedelta(days=day),
        )
    params = {"q": "refugees", "sort": "relevance"}
    client.get(LIST_URL, params)

    # The candidates, their count and the page's ids are kept: only the page's rows.
    with django_assert_num_queries(1):
        response = client.get(LIST_URL, params)
    assert len(titles(response)) == 3

    ArticleFactory(title="Refugees, the latest", published_at=timezone.now())
    assert titles(client.get(LIST_URL, params))[0] == "Refugees, the latest"


def test_a_warm_search_reads_its_page_by_kept_ids(client, django_assert_num_queries):
    """The page's ids are kept under the content epoch: the one query left checks that
    the twenty are still live, by id, instead of searching again."""
    for day in range(1, 4):
        ArticleFactory(title=f"Refugees {day}", published_at=timezone.now() - timedelta(days=day))
    client.get(LIST_URL, {"q": "refugees"})

    with django_assert_num_queries(1) as captured:
        response = client.get(LIST_URL, {"q": "refugees"})
    assert len(titles(response)) == 3
    assert "LIMIT" not in captured.captured_queries[0]["sql"]


@postgres_only
def test_a_part_of_a_reference_number_is_found_through_the_trigram_index():
    report = ArticleFactory(
        title="Annual report", kind=Article.Kind.REPORT, reference_number="AMR 41/6514/2017"
    )
    ArticleFactory(title="Unrelated")
    part = Article.objects.filter(reference_number__gt="", reference_number__icontains="6514")

    with connection.cursor() as cursor:
        # With so few rows the planner prefers a scan, or walking another index and
        # filtering; set those aside (inside the test's transaction) so that only an
        # index able to answer the condition is left: that the trigram index matches
        # the query Django writes (UPPER(reference_number::text) LIKE ...).
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("DROP INDEX article_reference_idx")
        sql, params = part.values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "article_reference_trgm_idx" in plan
    assert list(search_admin(Article.objects.all(), "6514")) == [report]
