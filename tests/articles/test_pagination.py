"""Deep pages: their ids are cached, never past a change or a scheduled publication."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles import pagination
from articles.models import Article
from articles.pagination import NewsroomPaginator
from newsroom.cache import bump_content_version
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shallow(monkeypatch):
    """Treat every page from the second on as deep, so a few articles are enough."""
    monkeypatch.setattr(pagination, "DEEP_PAGE_OFFSET", 2)


def paginator():
    return NewsroomPaginator(Article.objects.live(), 2, count_key="all", page_key="all-newest")


def page_keys():
    return [key for key in cache._cache if "page-ids" in key]  # locmem internals


def test_deep_page_ids_are_cached(shallow, django_assert_num_queries):
    for _ in range(6):
        ArticleFactory()
    first = [a.pk for a in paginator().page(2)]
    assert page_keys()
    with django_assert_num_queries(1):  # the twenty rows themselves, no offset scan
        again = [a.pk for a in paginator().page(2)]
    assert again == first


def test_shallow_pages_are_not_cached():
    for _ in range(3):
        ArticleFactory()
    paginator().page(1)
    assert not page_keys()


def test_a_content_change_gives_fresh_ids(shallow):
    articles = [ArticleFactory() for _ in range(6)]
    before = [a.pk for a in paginator().page(2)]
    newest = ArticleFactory()
    bump_content_version()
    after = [a.pk for a in paginator().page(2)]
    assert after != before
    assert newest.pk not in after
    assert articles[-2].pk in after  # everything moved down by one


def test_cached_ids_expire_when_a_scheduled_article_goes_live(shallow):
    for _ in range(6):
        ArticleFactory()
    due = timezone.now() + timedelta(seconds=30)
    ArticleFactory(published_at=due)
    paginator().page(2)
    [key] = page_keys()
    expires = cache._expire_info[key]  # locmem internals: a Unix time
    assert expires <= due.timestamp() + 1
    assert expires < time.time() + 31
