"""The cache on a real Redis, as production runs it (REDIS_URL).

Points Django's cache at ``REDIS_TEST_URL`` (default redis://127.0.0.1:6379/15). Without a
reachable Redis these tests are skipped on a laptop, but fail under CI (``CI`` set), where
a missing Redis means the production cache path is not being tested at all.
"""

import pytest
from django.core.cache import cache
from django.test import override_settings

from core import cache as page_cache
from tests.factories import ArticleFactory
from tests.real_redis import REDIS_URLCONF, redis_caches

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


# The page-cache tests' small views (tests/test_cache.py), as the redis_cache fixture
# (tests/conftest.py) sets them.
URLCONF = REDIS_URLCONF


def test_set_get_incr_and_expiry(redis_cache):
    cache.set("greeting", {"text": "hello"}, 30)
    assert cache.get("greeting") == {"text": "hello"}
    assert cache.add("counter", 1, 30)
    assert not cache.add("counter", 5, 30)
    assert cache.incr("counter") == 2
    assert cache.get("counter") == 2
    assert cache.get_many(["greeting", "counter", "absent"]) == {
        "greeting": {"text": "hello"},
        "counter": 2,
    }
    cache.set("short", "lived", 1)
    assert redis_cache.ttl(cache.make_key("short")) in (0, 1)
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_derived_data_is_kept_on_redis_until_the_version_moves(redis_cache):
    built = []
    assert page_cache.cached("answer", lambda: built.append(1) or 42) == 42
    assert page_cache.cached("answer", lambda: built.append(1) or 0) == 42
    assert built == [1]

    page_cache.bump_content_version()
    assert page_cache.cached("answer", lambda: built.append(1) or 43) == 43


def test_a_lost_version_key_starts_a_new_version(redis_cache):
    version = page_cache.content_version()
    cache.delete(page_cache.VERSION_KEY)
    page_cache.bump_content_version()
    assert page_cache.content_version() > version


def test_health_check_sees_redis(redis_cache, client):
    assert client.get("/healthz").json()["cache"] == "ok"


def test_an_unreachable_redis_slows_the_site_but_does_not_break_it(client):
    # Port 1 on the loopback: nothing listens, the connection is refused at once.
    with override_settings(
        CACHES=redis_caches("redis://127.0.0.1:1/0", "down"), ROOT_URLCONF=URLCONF
    ):
        ArticleFactory(title="Still served")
        response = client.get("/news/")
        assert response.status_code == 200
        assert b"Still served" in response.content
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"


def test_cache_calls_share_one_redis_client(redis_cache):
    """Django builds a ``redis.Redis`` per call (a copy of ~200 callbacks each time)."""
    client = cache._cache.get_client()
    cache.set("shared", 1)
    assert cache.get("shared") == 1
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client
