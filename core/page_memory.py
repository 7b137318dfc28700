"""Page-cache hits from each app server's own memory, exactly as fresh as Redis.

A hit from the shared cache costs a round trip to Redis for the content version and the
page (about a third of a hit's time at 100,000 articles). Each process now also keeps
the pages it served recently and the content version it last read, and a thread listens
for Redis's own word that the version moved: ``CLIENT TRACKING ON BCAST PREFIX`` makes
Redis push an ``invalidate`` message to the watcher whenever any process writes the
version key (a bump, a flush, an eviction). On that message the process forgets what it
knows, and its next lookup goes to Redis as before.

Memory is trusted only while nothing may have been missed:

* the watcher is connected and has heard from Redis within twice ``HEARTBEAT_SECONDS``
  (it sends a PING when Redis is quiet; a dead or hanging Redis stops the answers, and
  every lookup then goes through the resilient backend as before);
* no message is waiting on the watcher's socket or being handled (checked with a
  non-blocking ``select`` on each lookup), so a push that has reached this machine is
  never raced by a hit;
* the version was learnt with no invalidation in between (a generation counter).

A bump in this process forgets at once, without waiting for the push, so a writer's own
next request is never served the old page. A message in flight on the network is the
same window every cache has between two servers; a hanging Redis bounds it to the
heartbeat. Memory is bounded by ``PAGE_CACHE_MEMORY_PAGES`` pages and
``PAGE_CACHE_MEMORY_BYTES`` bytes (least recently used first out), and is used only
with the Redis backend (``PAGE_CACHE_MEMORY`` off turns it off).
"""

import logging
import os
import select
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed

from core.cache_backends import ResilientRedisCache

logger = logging.getLogger(__name__)

# The watcher's name in Redis's CLIENT LIST.
WATCHER_NAME = "newsroom-page-memory"
HEARTBEAT_SECONDS = 1.0
RECONNECT_SECONDS = 2.0


class PageMemory:
    """One process's pages and content version, invalidated by Redis's pushes."""

    def __init__(self, connection_class, connection_kwargs, version_key, *, pages, size):
        self._connection_class = connection_class
        self._connection_kwargs = connection_kwargs
        self.version_key = version_key
        self.max_pages = pages
        self.max_bytes = size
        self._lock = threading.Lock()
        self._pages = OrderedDict()  # key -> entry (version, expires_at, headers, content)
        self._bytes = 0
        self.version = None
        self.generation = 0
        self._socket = None
        self._busy = False
        self._heard_at = 0.0
        self._stopped = threading.Event()
        self._thread = None
        self.pid = os.getpid()

    # --- what the page cache calls ------------------------------------------------------

    def trusted(self) -> bool:
        """Whether memory may answer now (see the module docstring)."""
        sock = self._socket
        if sock is None or time.monotonic() - self._heard_at > 2 * HEARTBEAT_SECONDS:
            return False
        try:
            readable = select.select([sock], [], [], 0)[0]
        except (OSError, ValueError):  # closed under us: the watcher reconnects
            return False
        # In this order: a message read between the two checks leaves _busy set.
        return not readable and not self._busy

    def lookup(self, key):
        """``(version, entry)`` for ``key`` from memory, or None to ask Redis."""
        if self.version is None or not self.trusted():
            return None
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] != self.version:
                return None
            self._pages.move_to_end(key)
            return self.version, entry

    def learn(self, generation, version, key=None, entry=None):
        """Keep what was just read from Redis, if nothing moved since ``generation``."""
        if version is None:
            return
        with self._lock:
            if generation != self.generation or self._socket is None:
                return
            if version != self.version:
                self._clear()
                self.version = version
        if key is not None and entry is not None and entry[0] == version:
            self.remember(key, entry)

    def remember(self, key, entry):
        """Keep a page just read or stored; only served while its version is current."""
        size = len(entry[3])
        if size > self.max_bytes:
            return
        with self._lock:
            if entry[0] != self.version:
                return
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old[3])
            self._pages[key] = entry
            self._bytes += size
            while len(self._pages) > self.max_pages or self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped[3])

    def forget(self):
        """The version moved (or may have): nothing kept is current any more."""
        with self._lock:
            self.generation += 1
            self.version = None
            self._clear()

    def _clear(self):
        self._pages.clear()
        self._bytes = 0

    # --- the watcher --------------------------------------------------------------------

    def start(self):
        self._thread = threading.Thread(target=self._watch, name="page-memory", daemon=True)
        self._thread.start()

    def stop(self):
        self._stopped.set()
        self._socket = None
        self.forget()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def wait_until_watching(self, timeout=2.0) -> bool:
        """For tests and start-up: True once the watcher listens."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.trusted():
                return True
            time.sleep(0.01)
        return False

    def _watch(self):
        failing = False  # said once per outage, not every retry
        while not self._stopped.is_set():
            connection = None
            try:
                connection = self._connect()
                if failing:
                    logger.warning("Page memory listening to Redis again")
                    failing = False
                self._listen(connection)
            except Exception as error:  # noqa: BLE001 - any failure means: stop trusting
                if not failing:
                    logger.warning(
                        "Page memory off (%r): hits ask Redis until it answers again", error
                    )
                failing = True
            finally:
                self._socket = None
                self.forget()
                if connection is not None:
                    connection.disconnect()
            self._stopped.wait(RECONNECT_SECONDS)

    def _connect(self):
        connection = self._connection_class(**self._connection_kwargs)
        connection.connect()
        connection._parser.set_invalidation_push_handler(lambda message: message)
        connection.send_command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", self.version_key)
        if connection.read_response() not in (b"OK", "OK"):
            raise ConnectionError("CLIENT TRACKING was refused")
        self.forget()  # whatever happened while nobody listened
        self._heard_at = time.monotonic()
        self._socket = connection._sock
        return connection

    def _listen(self, connection):
        # Waiting is a select() on the socket, not redis-py's can_read(), which reads
        # into the parser's buffer: bytes there would be invisible to trusted().
        sock = connection._sock
        ping_sent = None
        while not self._stopped.is_set():
            if select.select([sock], [], [], HEARTBEAT_SECONDS)[0]:
                self._busy = True
                try:
                    while True:
                        message = connection.read_response(push_request=True)
                        if isinstance(message, list):  # a push: the version moved
                            self.forget()
                        else:  # the PING's answer
                            ping_sent = None
                        if not connection.can_read(timeout=0):
                            break
                    self._heard_at = time.monotonic()
                finally:
                    self._busy = False
            elif ping_sent is None:
                connection.send_command("PING")
                ping_sent = time.monotonic()
            if ping_sent is not None and time.monotonic() - ping_sent > 2 * HEARTBEAT_SECONDS:
                raise TimeoutError("Redis did not answer the watcher's PING")


_memories: dict[tuple, PageMemory] = {}
_memories_lock = threading.Lock()


def page_memory() -> PageMemory | None:
    """This process's page memory for the default cache, or None where it does not
    apply (not Redis, or ``PAGE_CACHE_MEMORY`` off). Started on first use in each
    process, so a forking server's workers each get their own watcher."""
    if not settings.PAGE_CACHE_MEMORY:
        return None
    backend = caches["default"]
    memory = getattr(backend, "page_memory", None)
    if memory is not None and memory.pid == os.getpid() and not memory.stopped:
        return memory
    if not isinstance(backend, ResilientRedisCache):
        return None
    from core.cache import VERSION_KEY  # noqa: PLC0415 - core.cache imports this module

    version_key = backend.make_and_validate_key(VERSION_KEY)
    identity = (os.getpid(), backend._servers[0], version_key)
    with _memories_lock:
        memory = _memories.get(identity)
        if memory is None:
            pool = backend._cache._get_connection_pool(False)
            # RESP3, so pushes arrive on the same connection; reads that block longer
            # than the heartbeat mean a hanging server.
            kwargs = {
                **pool.connection_kwargs,
                "protocol": 3,
                "socket_timeout": 2 * HEARTBEAT_SECONDS,
                "client_name": WATCHER_NAME,
            }
            memory = PageMemory(
                pool.connection_class,
                kwargs,
                version_key,
                pages=settings.PAGE_CACHE_MEMORY_PAGES,
                size=settings.PAGE_CACHE_MEMORY_BYTES,
            )
            memory.start()
            _memories[identity] = memory
    # Each thread has its own backend instance (Django's caches are per thread); they
    # share the process's memory.
    backend.page_memory = memory
    return memory


def forget_everywhere_in_this_process():
    """A bump or a flush made here: every memory of this process forgets at once."""
    pid = os.getpid()
    for (owner, *_), memory in list(_memories.items()):
        if owner == pid:
            memory.forget()


def _settings_changed(*, setting, **kwargs):
    # Tests point the cache elsewhere: stop the watchers of the old one.
    if setting in ("CACHES", "PAGE_CACHE_MEMORY"):
        with _memories_lock:
            for memory in _memories.values():
                memory.stop()
            _memories.clear()


setting_changed.connect(_settings_changed, dispatch_uid="core-page-memory-settings")
