"""Deep pages: their ids are cached, never past a change or a scheduled publication."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles import pagination
from articles.models import Article
from articles.pagination import NewsroomPaginator
from core.cache import bump_content_version, derived_key
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shallow(monkeypatch):
    """Treat every page from the second on as deep, so a few articles are enough."""
    monkeypatch.setattr(pagination, "DEEP_PAGE_OFFSET", 2)


def paginator():
    return NewsroomPaginator(
        Article.objects.live(), 2, count_key=("all",), page_key=("all-newest",)
    )


def cached_ids(bottom, top):
    return cache.get(derived_key("list-page-ids", "all-newest", bottom, top))


def test_deep_page_ids_are_cached(shallow, django_assert_num_queries):
    for _ in range(6):
        ArticleFactory()
    first = [a.pk for a in paginator().page(2)]
    assert cached_ids(2, 4) == first
    with django_assert_num_queries(1):  # the twenty rows themselves, no offset scan
        again = [a.pk for a in paginator().page(2)]
    assert again == first


def test_shallow_pages_are_not_cached():
    for _ in range(3):
        ArticleFactory()
    list(paginator().page(1))
    assert cached_ids(0, 2) is None


def test_a_content_change_gives_fresh_ids(shallow):
    articles = [ArticleFactory() for _ in range(6)]
    before = [a.pk for a in paginator().page(2)]
    newest = ArticleFactory()
    bump_content_version()
    after = [a.pk for a in paginator().page(2)]
    assert after != before
    assert newest.pk not in after
    assert articles[-2].pk in after  # everything moved down by one


def test_cached_ids_are_not_used_once_a_scheduled_article_goes_live(shallow):
    for _ in range(6):
        ArticleFactory()
    due = timezone.now() + timedelta(seconds=30)
    scheduled = ArticleFactory(published_at=due)
    before = [a.pk for a in paginator().page(2)]
    with mock.patch("django.utils.timezone.now", return_value=due + timedelta(seconds=1)):
        after = [a.pk for a in paginator().page(2)]
    assert scheduled.pk not in before
    assert after != before  # the new article is first: everything moved down by one
