"""The real Redis the suite tests against: ``REDIS_TEST_URL`` (default db 15 on
127.0.0.1). On a laptop without Redis those tests skip; under CI they fail, because CI
starts Redis and a silent skip would hide a broken cache path.

That database is shared (a developer's other work, CI's other runs), so the suite never
flushes it, even when REDIS_TEST_URL names one of its own: each test writes under a key
prefix of its own (``own_prefix()``) and deletes those keys only (``delete_own_keys()``).
tests/conftest.py checks at the end of the run that a key it planted is still there.
"""

import os
import uuid

import pytest
import redis

from core.cache_backends import ResilientRedisCache, ReusedClientRedisCacheClient

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def require_redis() -> redis.Redis:
    """A client of the test Redis, or skip (fail under CI) when it does not answer."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"no Redis at {REDIS_TEST_URL} ({error}); set REDIS_TEST_URL"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: Redis is required under CI")
        pytest.skip(message)
    return client


def own_prefix(name: str = "newsroom-test") -> str:
    """A key prefix no other test, run or user of the server has."""
    return f"{name}-{uuid.uuid4().hex}"


def delete_own_keys(client: redis.Redis, prefix: str) -> int:
    """Delete the keys Django's cache wrote under ``prefix`` (``prefix:version:key``),
    and nothing else; how many there were."""
    if not prefix or any(char in prefix for char in "*?[]\\:"):
        raise ValueError(f"not a prefix of one's own: {prefix!r}")
    return sum(client.delete(key) for key in client.scan_iter(match=f"{prefix}:*", count=500))


class _OwnKeysClient(ReusedClientRedisCacheClient):
    def __init__(self, servers, *, prefix, **options):
        super().__init__(servers, **options)
        self.prefix = prefix

    def clear(self):
        return bool(delete_own_keys(self.get_client(write=True), self.prefix))


class OwnKeysRedisCache(ResilientRedisCache):
    """The production backend, but ``cache.clear()`` deletes this cache's own keys (its
    ``KEY_PREFIX``) where Django's would FLUSHDB a database others share."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = lambda servers, **options: _OwnKeysClient(
            servers, prefix=self.key_prefix, **options
        )


# Small views of the page-cache tests, independent of how the real list page evolves.
REDIS_URLCONF = "tests.test_cache"


def redis_caches(location, prefix):
    """Django's CACHES for the production backend at ``location``, keys under ``prefix``
    (whose ``clear()`` deletes those keys only)."""
    return {
        "default": {
            "BACKEND": "tests.real_redis.OwnKeysRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
