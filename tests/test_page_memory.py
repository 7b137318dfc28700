"""Page-cache hits from an app server's own memory (core/page_memory.py), on a real Redis.

Memory answers only while Redis's invalidation messages say the content version has not
moved: a write in this process forgets at once, a write by another process within a
message's time, and a lost or hanging connection stops memory from answering at all.
"""

import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from core import cache as page_cache
from core.cache_backends import ResilientRedisCache
from core.page_memory import WATCHER_NAME, PageMemory, page_memory
from tests.factories import ArticleFactory
from tests.faulty_servers import CuttableProxy
from tests.real_redis import (
    REDIS_TEST_URL,
    REDIS_URLCONF,
    delete_own_keys,
    own_prefix,
    redis_caches,
    require_redis,
)

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def watching():
    memory = page_memory()
    assert memory is not None
    assert memory.wait_until_watching(), "the watcher did not connect to Redis"
    return memory


def count_round_trips(monkeypatch):
    calls = []
    original = ResilientRedisCache.get_many

    def counting(self, keys, version=None):
        calls.append(keys)
        return original(self, keys, version)

    monkeypatch.setattr(ResilientRedisCache, "get_many", counting)
    return calls


def wait_for(condition, seconds=2.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False


def test_a_hit_is_served_from_memory_with_no_round_trip(redis_cache, client, monkeypatch):
    ArticleFactory(title="Kept in memory")
    watching()
    assert client.get("/news/")["X-Page-Cache"] == "MISS"
    from_redis = client.get("/news/")
    calls = count_round_trips(monkeypatch)

    # Once a second the watcher's heartbeat answer is on its socket for an instant, and
    # a lookup then asks Redis rather than risk missing a message: allow for one such.
    for _ in range(3):
        calls.clear()
        hit = client.get("/news/")
        if not calls:
            break

    assert hit["X-Page-Cache"] == "HIT"
    assert calls == []
    assert hit.content == from_redis.content
    assert b"Kept in memory" in hit.content
    # The same headers as a hit from Redis (Cache-Control counts down, so not that one).
    assert {k: v for k, v in hit.items() if k != "Cache-Control"} == {
        k: v for k, v in from_redis.items() if k != "Cache-Control"
    }


def test_a_change_in_this_process_is_seen_at_once(redis_cache, client):
    watching()
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "HIT"

    ArticleFactory(title="Published just now")  # bumps the version, no waiting

    response = client.get("/news/")
    assert response["X-Page-Cache"] == "MISS"
    assert b"Published just now" in response.content


def test_another_process_moving_the_version_is_heard(redis_cache, client, monkeypatch):
    memory = watching()
    client.get("/news/")
    client.get("/news/")
    assert memory.version is not None

    # Another app server publishes: its bump reaches Redis, not this process's memory.
    redis_cache.incr(cache.make_key(page_cache.VERSION_KEY))

    assert wait_for(lambda: memory.version is None, 1.0), "the invalidation was not heard"
    calls = count_round_trips(monkeypatch)
    assert client.get("/news/")["X-Page-Cache"] == "MISS"
    assert calls, "the lookup after an invalidation must ask Redis"


def test_a_flush_forgets(redis_cache, client):
    watching()
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "HIT"
    cache.clear()
    assert client.get("/news/")["X-Page-Cache"] == "MISS"


def test_a_lost_watcher_stops_memory_answering_until_it_is_back(redis_cache, client):
    memory = watching()
    client.get("/news/")
    client.get("/news/")
    assert memory.version is not None

    # This process's watcher only: another test process may be watching too.
    host, port = memory._socket.getsockname()[:2]
    names = {entry["addr"]: entry.get("name") for entry in redis_cache.client_list()}
    assert names[f"{host}:{port}"] == WATCHER_NAME  # operators can tell it in CLIENT LIST
    assert redis_cache.client_kill(f"{host}:{port}")
    # While nobody listens, another server publishes: memory must not answer with the
    # page of before, now nor after the watcher reconnects.
    redis_cache.incr(cache.make_key(page_cache.VERSION_KEY))
    assert wait_for(lambda: not memory.trusted(), 1.0)
    assert client.get("/news/")["X-Page-Cache"] == "MISS"

    assert memory.wait_until_watching(5.0), "the watcher did not reconnect"
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "HIT"
    assert memory.version == cache.get(page_cache.VERSION_KEY)


def test_a_hanging_redis_stops_memory_answering(client, db):
    redis_client = require_redis()
    host, port = REDIS_TEST_URL.split("//")[1].split("/")[0].split(":")
    proxy = CuttableProxy((host, int(port)))
    database = REDIS_TEST_URL.rsplit("/", 1)[1]
    prefix = own_prefix()
    caches = redis_caches(f"redis://127.0.0.1:{proxy.port}/{database}", prefix)
    caches["default"]["OPTIONS"] = {"socket_timeout": 0.2, "socket_connect_timeout": 0.2}
    try:
        with override_settings(CACHES=caches, PAGE_CACHE=True, ROOT_URLCONF=REDIS_URLCONF):
            memory = watching()
            client.get("/news/")
            assert client.get("/news/")["X-Page-Cache"] == "HIT"
            proxy.hang()
            assert wait_for(lambda: not memory.trusted(), 3.0)
            # Memory does not answer, and the hanging cache degrades as before.
            response = client.get("/news/")
            assert response.status_code == 200
            assert "X-Page-Cache" not in response or response["X-Page-Cache"] != "HIT"
    finally:
        proxy.close()
        delete_own_keys(redis_client, prefix)
        redis_client.close()


def test_not_used_without_redis_or_when_turned_off(redis_cache, settings):
    assert page_memory() is not None
    settings.PAGE_CACHE_MEMORY = False
    assert page_memory() is None


def test_not_used_with_the_file_cache(db):
    assert page_memory() is None  # the suite's default cache is a folder of files


def test_memory_is_bounded_least_recently_used_first():
    memory = PageMemory(None, {}, "v", pages=2, size=100)
    memory._socket = object()  # as if watching
    memory.learn(memory.generation, 7)
    for key in ("a", "b", "c"):
        memory.remember(key, (7, 0, [], b"x" * 10))
    assert list(memory._pages) == ["b", "c"]
    memory.remember("big", (7, 0, [], b"x" * 101))  # larger than the whole budget
    assert "big" not in memory._pages
    memory.remember("d", (7, 0, [], b"x" * 95))
    assert list(memory._pages) == ["d"]
    memory.remember("old", (6, 0, [], b"x"))  # another version: never kept
    assert "old" not in memory._pages


def test_a_version_read_before_an_invalidation_is_not_learnt():
    memory = PageMemory(None, {}, "v", pages=2, size=100)
    memory._socket = object()
    generation = memory.generation
    memory.forget()  # the push arrives while the lookup was asking Redis
    memory.learn(generation, 7, "a", (7, 0, [], b"x"))
    assert memory.version is None
    assert not memory._pages


def test_not_trusted_while_a_message_waits_or_is_being_handled():
    import socket

    ours, redis_end = socket.socketpair()
    try:
        memory = PageMemory(None, {}, "v", pages=2, size=100)
        memory._socket = ours
        memory._heard_at = time.monotonic()
        assert memory.trusted()
        redis_end.sendall(b">2\r\n")  # a push has reached this machine, not yet read
        assert not memory.trusted()
        ours.recv(16)
        memory._busy = True  # read, and being handled
        assert not memory.trusted()
        memory._busy = False
        assert memory.trusted()
        memory._heard_at = time.monotonic() - 10  # Redis silent past the heartbeat
        assert not memory.trusted()
    finally:
        ours.close()
        redis_end.close()
