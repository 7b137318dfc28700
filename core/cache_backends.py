"""A Redis cache that is never a single point of failure.

Every cache read and write in the site goes through Django's ``cache``; in production
that is this backend. When Redis refuses connections, hangs or drops them, each call
gives up after a short timeout and answers as an empty cache would (``get`` returns the
default, ``set`` stores nothing, ``incr`` finds no key), so pages are rendered from the
database instead of failing.

A circuit breaker keeps a dead or hanging server from costing every call its timeout:
after a failure the backend skips Redis altogether for ``RETRY_SECONDS``, then lets one
call through to probe it. The first call that succeeds closes the breaker and sends
``cache_recovered``, with no restart. The breaker is per process, like a connection pool.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Sent (sender: the backend instance) when Redis answers again after an outage.
cache_recovered = Signal()

# What a cache server that is down, hanging or restarting raises. Anything else (a value
# that cannot be pickled, a bad argument) is a bug and is not hidden.
CONNECTION_ERRORS = (RedisError, OSError)

DEFAULT_TIMEOUT_SECONDS = 0.25
DEFAULT_RETRY_SECONDS = 5.0


class _Unavailable(Exception):
    """Raised internally when the breaker is open: the call is not attempted."""


class CircuitBreaker:
    """Closed (calls go through) until a failure; then open for ``retry_seconds``; then
    one probing call at a time until one succeeds."""

    def __init__(self, retry_seconds: float):
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._failed = False

    @property
    def closed(self) -> bool:
        return not self._failed

    def allow(self) -> bool:
        if not self._failed:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                return False
            # Half-open: this call probes; others keep skipping until it reports back.
            self._open_until = now + self.retry_seconds
            return True

    def failure(self) -> bool:
        """Record a failure; True when it opened a closed breaker."""
        with self._lock:
            opened = not self._failed
            self._failed = True
            self._open_until = time.monotonic() + self.retry_seconds
            return opened

    def success(self) -> bool:
        """Record a success; True when it closed an open breaker."""
        if not self._failed:
            return False
        with self._lock:
            recovered, self._failed, self._open_until = self._failed, False, 0.0
            return recovered


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call, and building one copies
    its table of some 200 response callbacks: measured at 100,000 articles, a list page
    made seven cache calls and spent 1.3 ms of its 8 ms doing this. A ``redis.Redis``
    is safe to share between threads (connections come from the pool), so one per pool
    does the same work.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache`` with short timeouts, a circuit breaker and the answers of
    an empty cache while Redis is unavailable. Settings (``CACHES["default"]``)::

        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        "RETRY_SECONDS": 5,
    """

    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": DEFAULT_TIMEOUT_SECONDS,
            "socket_timeout": DEFAULT_TIMEOUT_SECONDS,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self.breaker = CircuitBreaker(float(params.get("RETRY_SECONDS", DEFAULT_RETRY_SECONDS)))

    @property
    def available(self) -> bool:
        """False from a failed call until a later call succeeds."""
        return self.breaker.closed

    def _call(self, method, *args, read=False):
        if not self.breaker.allow():
            raise _Unavailable
        try:
            result = method(*args)
            if self.breaker.success():
                logger.warning("Cache available again")
                cache_recovered.send(sender=self)
                if read:
                    # What was read before the receivers ran (the content version, a
                    # page stored before the outage) may be what they just invalidated.
                    result = method(*args)
        except CONNECTION_ERRORS as error:
            if self.breaker.failure():
                logger.warning(
                    "Cache unavailable (%r); serving without it, retrying every %ss",
                    error,
                    self.breaker.retry_seconds,
                )
            raise _Unavailable from error
        return result

    def _degrade(self, method, fallback, *args, read=False):
        try:
            return self._call(method, *args, read=read)
        except _Unavailable:
            return fallback

    def get(self, key, default=None, version=None):
        return self._degrade(super().get, default, key, default, version, read=True)

    def get_many(self, keys, version=None):
        return self._degrade(super().get_many, {}, keys, version, read=True)

    def has_key(self, key, version=None):
        return self._degrade(super().has_key, False, key, version, read=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(super().set, None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(super().add, False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(super().set_many, list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._degrade(super().delete, False, key, version)

    def delete_many(self, keys, version=None):
        return self._degrade(super().delete_many, None, keys, version)

    def clear(self):
        return self._degrade(super().clear, False)

    def incr(self, key, delta=1, version=None):
        try:
            return self._call(super().incr, key, delta, version)
        except _Unavailable:
            # What Django raises for a missing key: callers already handle it.
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from None
