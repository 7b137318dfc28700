"""The real Redis the suite tests against: ``REDIS_TEST_URL`` (default db 15 on
127.0.0.1). On a laptop without Redis those tests skip; under CI they fail, because CI
starts Redis and a silent skip would hide a broken cache path."""

import os

import pytest
import redis

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


# Small views of the page-cache tests, independent of how the real list page evolves.
REDIS_URLCONF = "tests.test_cache"


def redis_caches(location, prefix):
    """Django's CACHES for the production backend at ``location``, keys under ``prefix``."""
    return {
        "default": {
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
        }
    }
