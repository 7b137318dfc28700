"""Within one request, a derived value is read from the shared cache once."""

from unittest import mock

import pytest

from core import cache as core_cache
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_value_is_read_once_per_request_and_built_once():
    builds = []
    with (
        mock.patch.object(core_cache.cache, "get", wraps=core_cache.cache.get) as get,
        core_cache.one_epoch(),
    ):
        first = core_cache.cached("thing", lambda: builds.append(1) or ["built"], 7)
        reads = get.call_count
        second = core_cache.cached("thing", lambda: builds.append(1) or ["built"], 7)
        assert get.call_count == reads  # no second round trip
    assert first is second
    assert builds == [1]


def test_other_parts_are_other_values():
    with core_cache.one_epoch():
        assert core_cache.cached("thing", lambda: "a", 1) == "a"
        assert core_cache.cached("thing", lambda: "b", 2) == "b"


def test_a_change_during_the_request_is_seen_by_its_later_reads():
    with core_cache.one_epoch():
        assert core_cache.cached("thing", lambda: "before") == "before"
        core_cache.bump_content_version()
        assert core_cache.cached("thing", lambda: "after") == "after"


def test_outside_a_request_every_call_reads_the_cache():
    core_cache.cached("thing", lambda: "kept")
    assert core_cache.cached("thing", lambda: "rebuilt") == "kept"


def test_a_list_filtered_by_a_region_reads_the_region_index_once(client):
    ArticleFactory()
    client.get("/news/?region=americas&type=report")  # fills the cache
    with mock.patch.object(core_cache.cache, "get", wraps=core_cache.cache.get) as get:
        response = client.get("/news/?region=americas&type=report")
    assert response.status_code == 200
    keys = [call.args[0] for call in get.call_args_list]
    assert sum(key.startswith("derived:regions-index:") for key in keys) == 1
