"""What a subscription's saved filter means: exactly what the newsroom list shows.

A filter is stored as the list's own query string, normalised by the list's FilterSet
(``articles.filters.ArticleFilterSet``), and an article matches it when the FilterSet,
given that query string and a queryset of that one live article, keeps it. The page,
its feeds and the alerts therefore never disagree about what "refugees in Mexico" is.
"""

import logging

from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from articles.filters import ArticleFilterSet
from articles.models import Article

logger = logging.getLogger(__name__)

# The list's parameters an alert keeps: what the journalist covers. Dates, year, sort
# and page describe a look at the archive, not what to be told about next.
ALERT_FILTERS = ("q", "type", "region", "topic")


def _querydict(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for name in ALERT_FILTERS:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        if isinstance(values, str):
            values = [values]
        query.setlist(name, [value for value in values if value])
    return query


def filterset(data, *, queryset=None) -> ArticleFilterSet:
    """The list's FilterSet over the alert parameters of ``data`` (a QueryDict or dict)."""
    return ArticleFilterSet(
        _querydict(data), queryset=queryset if queryset is not None else Article.objects.live()
    )


def canonical_query(data) -> str:
    """The valid alert parameters of ``data``, normalised as the list normalises them
    (``MX`` → ``mx``, types in a fixed order, search text cleaned): equal filters give
    equal strings, so subscribers can be grouped and counted by filter."""
    pairs = [pair for pair in filterset(data).params(sort=False) if pair[0] in ALERT_FILTERS]
    return urlencode(pairs)


def describe(query: str) -> str:
    """A filter in a few words ("Report, Mexico, Search: “asylum”"), for mails and pages."""
    everything = _("Everything the newsroom publishes")
    if not query:
        return everything
    return filterset(QueryDict(query)).describe() or everything


def matches(article: Article, query: str) -> bool:
    """Whether the live ``article`` is on the newsroom list filtered by ``query``.

    A filter that no longer validates (its region or topic was deleted) matches nothing:
    ignored, as the list would ignore it, it would match everything.
    """
    if not query:
        return True
    one = filterset(QueryDict(query), queryset=Article.objects.live().filter(pk=article.pk))
    if not one.is_valid():
        logger.warning("Alert filter %r no longer validates: %s", query, one.errors.as_json())
        return False
    return one.qs.exists()


def matching_queries(article: Article, queries) -> set[str]:
    """The filters among ``queries`` that ``article`` matches: one query per distinct
    filter, however many subscribers share it."""
    return {query for query in set(queries) if matches(article, query)}
