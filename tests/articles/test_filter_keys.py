"""The list's cache keys and the parameters shared caches are told about come from the
FilterSet's declared filters: a filter added there cannot be forgotten elsewhere."""

from datetime import UTC, datetime

import django_filters
import pytest
from django.http import QueryDict

from articles.filters import ArticleFilterSet
from articles.models import Article
from core.cache import public_parameters
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


class WithAnotherFilter(ArticleFilterSet):
    """What a new filter looks like: declared on the FilterSet, nowhere else."""

    initial = django_filters.CharFilter(method="filter_initial")

    def filter_initial(self, queryset, name, value):
        return queryset.filter(title__istartswith=value)


def filterset(query, cls=ArticleFilterSet):
    return cls(QueryDict(query), queryset=Article.objects.live())


def test_a_new_filter_names_its_own_cache_keys():
    plain, filtered = filterset("", WithAnotherFilter), filterset("initial=f", WithAnotherFilter)
    assert filtered.qs.query.where != plain.qs.query.where
    # Otherwise the filtered list's count and page ids would be kept under the plain list's.
    assert filtered.cache_parts() != plain.cache_parts()
    assert filtered.cache_parts(sort=True) != plain.cache_parts(sort=True)
    assert filtered.querystring() == "?initial=f"
    assert "initial" in WithAnotherFilter.parameters()


def test_the_list_and_its_feeds_understand_every_declared_filter():
    declared = set(ArticleFilterSet.base_filters)
    assert declared <= set(public_parameters("/news/")) - {"page"}
    assert {*public_parameters("/news/")} == {*ArticleFilterSet.parameters(), "page"}
    assert set(public_parameters("/news/feed/")) == declared
    assert set(public_parameters("/news/feed/atom/")) == declared


def test_params_are_normalised_in_the_declared_order():
    ArticleFactory(
        regions=["mx"], topics=["Asylum"], published_at=datetime(2020, 5, 1, 12, tzinfo=UTC)
    )
    query = "sort=oldest&to=2020-12-31&type=statement&q=walls&region=MX&type=report&year=2020"
    assert filterset(query).params() == [
        ("q", "walls"),
        ("type", "report"),
        ("type", "statement"),
        ("region", "mx"),
        ("year", "2020"),
        ("to", "2020-12-31"),
        ("sort", "oldest"),
    ]
    assert filterset(query).params(sort=False)[-1] == ("to", "2020-12-31")
