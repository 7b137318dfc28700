"""Pages: their ids are cached, never past a change or a scheduled publication, and a
warm page checks by id which of them are still live, reading no other column."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
from articles.pagination import NewsroomPaginator
from core.cache import bump_content_version, derived_key
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def paginator(queryset=None):
    return NewsroomPaginator(
        queryset if queryset is not None else Article.objects.live(),
        2,
        count_key=("all",),
        page_key=("all-newest",),
        rows=Article.objects.live(),
    )


def cached_ids(number):
    return cache.get(derived_key("list-page-ids", "all-newest", number))


@pytest.mark.parametrize("number", [1, 2])
def test_page_ids_are_cached(number, django_assert_num_queries):
    for _ in range(6):
        ArticleFactory()
    first = [a.pk for a in paginator().page(number)]
    assert cached_ids(number) == first
    with django_assert_num_queries(1):  # which are still live, no offset scan
        again = [a.pk for a in paginator().page(number)]
    assert again == first


def test_a_warm_page_checks_its_ids_without_the_filters_and_reads_no_row(
    django_assert_num_queries,
):
    reports = [ArticleFactory(kind=Article.Kind.REPORT) for _ in range(3)]
    ArticleFactory(kind=Article.Kind.PRESS_RELEASE)
    filtered = Article.objects.live().filter(kind=Article.Kind.REPORT)
    first = [a.pk for a in paginator(filtered).page(1)]
    assert first == [reports[2].pk, reports[1].pk]  # newest first, like the filter's order

    with django_assert_num_queries(1) as queries:
        again = [a.pk for a in paginator(filtered).page(1)]

    assert again == first  # in the ids' order, whatever order the rows come back in
    select, where = queries.captured_queries[0]["sql"].split("WHERE")
    assert "kind" not in where
    # Only the ids: the cards are kept by id (articles.cards), so no row is read.
    assert select.split("FROM")[0].count(",") == 0
    assert "title" not in select


def test_an_unpublished_article_drops_out_even_with_its_id_kept():
    articles = [ArticleFactory() for _ in range(2)]
    list(paginator().page(1))
    # Unpublishing moves the version; even a row read by a stale id must be live.
    Article.objects.filter(pk=articles[0].pk).update(status=Article.Status.DRAFT)
    assert [a.pk for a in paginator().page(1)] == [articles[1].pk]


def test_a_content_change_gives_fresh_ids():
    articles = [ArticleFactory() for _ in range(6)]
    before = [a.pk for a in paginator().page(2)]
    newest = ArticleFactory()
    bump_content_version()
    after = [a.pk for a in paginator().page(2)]
    assert after != before
    assert newest.pk not in after
    assert articles[-2].pk in after  # everything moved down by one


def test_cached_ids_are_not_used_once_a_scheduled_article_goes_live():
    for _ in range(6):
        ArticleFactory()
    due = timezone.now() + timedelta(seconds=30)
    scheduled = ArticleFactory(published_at=due)
    before = [a.pk for a in paginator().page(2)]
    with mock.patch("django.utils.timezone.now", return_value=due + timedelta(seconds=1)):
        after = [a.pk for a in paginator().page(2)]
    assert scheduled.pk not in before
    assert after != before  # the new article is first: everything moved down by one
