"""Everything the site keeps in its shared cache, and when it must be forgotten.

One owner for caching. Apps do not talk to Django's cache about public content; they
use what is here:

* **the content version** — one integer in the shared cache that moves whenever public
  content changes. Each app announces from its own ``AppConfig.ready()`` which of its
  models public pages show (``invalidate_on_change``), and which moment the next
  scheduled publication happens (``publications_scheduled_by``);
* **the content epoch** — the version plus the time of the next scheduled publication,
  so it also moves when a scheduled article goes live while nobody saves anything;
* **derived data** — every cache of rendered HTML or computed data (cards, fragments,
  filter choices, counts, settings) is keyed through ``derived_key``/``cached``, so
  every edit invalidates it and nothing relies on expiry to become correct;
* **the page cache** — whole public pages for anonymous visitors
  (``PageCacheMiddleware``), keyed by the public URL contract only; each app server
  also keeps recent pages in its own memory while Redis tells it the version has not
  moved (``core.page_memory``).

The cache is never a single point of failure: in production Django's cache is
``core.cache_backends.ResilientRedisCache``, which answers as an empty cache while Redis
is down or hanging, so everything here falls back to rendering from the database.
``cache_available()`` and ``cache_health()`` say whether it is working.

Only anonymous GET/HEAD requests for public paths are looked up: a request carrying a
session or messages cookie (staff, anyone logged in) goes straight to the view and gets
``Cache-Control: private, no-store``. Only complete 200 responses that set no cookie and
used no CSRF token are stored, so forms never end up in the cache.

The middleware sits right after the checks every request needs (trusted proxies, method
and Host, conditional GET) and before everything else: a hit costs one round trip to the
cache, no database query and none of the other middleware. Middleware whose headers
belong to the page (SecurityMiddleware's, the Content-Security-Policy header whose nonce
is baked into the cached HTML) belongs after it in ``MIDDLEWARE`` so that its headers
are stored with the page. A request that SecurityMiddleware would redirect to HTTPS is
never answered from the cache.
"""

import hashlib
import logging
import math
import re
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache as memoize
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date

from core.cache_backends import cache_recovered
from core.http import check_host_port
from core.page_memory import forget_everywhere_in_this_process, page_memory
from core.security import drop_untrusted_forwarding

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
ENTRY_KEY = "pagecache:page:{}"
NEXT_SCHEDULED_KEY = "pagecache:next-scheduled:{}"
DERIVED_KEY = "derived:{}:{}:{}"

# Derived entries are correct until their epoch moves; this only bounds what an idle
# cache holds.
DERIVED_SECONDS = 60 * 60 * 24

# Entries store everything but these: they are set afresh for each response.
PER_RESPONSE_HEADERS = {"cache-control", "set-cookie", "x-page-cache", "age"}


# --- is the cache working? ------------------------------------------------------------


def cache_available() -> bool:
    """False while the shared cache is known to be down (its last call failed).

    Backends without a circuit breaker (local files in development) are taken to work.
    """
    return getattr(cache, "available", True)


def cache_health() -> bool:
    """A real round trip through the cache: for ``/healthz``. Never raises."""
    if not cache_available():
        return False
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 5)
        answered = cache.get(key) == "ok"
        cache.delete(key)
    except OSError:  # a local cache folder that cannot be written
        return False
    return answered and cache_available()


# --- the content version --------------------------------------------------------------


def _initial_version():
    # Microseconds since the epoch: if the key is ever evicted, the new number is still
    # larger than any version an old entry can carry.
    return time.time_ns() // 1000


# Within one public request the content is read as of one epoch: it is looked up once
# and every fragment of the page is keyed by the same value.
_request_scope: ContextVar[dict | None] = ContextVar("content_epoch_scope", default=None)


@contextmanager
def one_epoch(**known):
    """Read the content version and epoch once for everything inside the block."""
    token = _request_scope.set(dict(known))
    try:
        yield
    finally:
        _request_scope.reset(token)


def content_version():
    """The content version, or None while the cache is unavailable."""
    scope = _request_scope.get()
    if scope is not None and scope.get("version") is not None:
        return scope["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _initial_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    if scope is not None:
        scope["version"] = version
    return version


def bump_content_version():
    """Invalidate every cached page and derived value, on every app server."""
    scope = _request_scope.get()
    if scope is not None:
        scope.clear()  # this request's own later reads must see the change too
    forget_everywhere_in_this_process()  # without waiting for Redis's message
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # No version yet (or the cache is down: then recovery bumps, see below).
        cache.set(VERSION_KEY, _initial_version(), timeout=None)


def bump_content_version_on_commit():
    """Bump once the current transaction commits (at once outside a transaction).

    Bumping before the commit would let a concurrent request cache the old content
    under the new version. One bump per transaction is enough, so an import of
    thousands of rows queues it once.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is bump_content_version for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(bump_content_version, robust=True)


def _after_outage(sender, **kwargs):
    # Edits made while the cache was down could not move the version; entries stored
    # before the outage must not come back as if nothing had changed.
    bump_content_version()


cache_recovered.connect(_after_outage, dispatch_uid="core-cache-recovered")


# --- scheduled publication ------------------------------------------------------------

_schedules: list[Callable[[datetime], datetime | None]] = []


def publications_scheduled_by(next_publication: Callable[[datetime], datetime | None]):
    """Register ``next_publication(now)``: when the next scheduled item goes public, or
    None. Called from an app's ``AppConfig.ready()``; idempotent."""
    if next_publication not in _schedules:
        _schedules.append(next_publication)


def next_scheduled_publication(version, now):
    """When the next scheduled item goes public (a datetime), or None.

    One indexed query per registered source, cached per content version: scheduling,
    rescheduling or unpublishing is a save, which moves the version. Read once per
    request (the epoch and the page's lifetime both need it).
    """
    scope = _request_scope.get()
    known = scope.get("next-scheduled") if scope is not None else None
    if known is not None and known[0] == version and (known[1] is None or known[1] > now):
        return known[1]
    upcoming = _next_scheduled_publication(version, now)
    if scope is not None:
        scope["next-scheduled"] = (version, upcoming)
    return upcoming


def _next_scheduled_publication(version, now):
    key = NEXT_SCHEDULED_KEY.format(version)
    cached_value = cache.get(key) if version is not None else None
    if cached_value is not None and (cached_value == 0 or cached_value > now.timestamp()):
        return datetime.fromtimestamp(cached_value, tz=UTC) if cached_value else None
    moments = [moment for source in _schedules if (moment := source(now)) is not None]
    upcoming = min(moments, default=None)
    if version is None:
        return upcoming
    if upcoming is None:
        cache.set(key, 0, timeout=settings.PAGE_CACHE_SECONDS)
    else:
        seconds = math.ceil((upcoming - now).total_seconds())
        cache.set(key, upcoming.timestamp(), timeout=max(1, seconds))
    return upcoming


def content_epoch():
    """Names the public content as it stands now: the content version, plus the next
    scheduled publication (which changes the moment that article goes live). Values
    keyed by it are never stale, even across a scheduled publication. None while the
    cache is unavailable."""
    scope = _request_scope.get()
    if scope is not None and "epoch" in scope:
        return scope["epoch"]
    version = content_version()
    if version is None:
        epoch = None
    else:
        upcoming = next_scheduled_publication(version, timezone.now())
        epoch = f"{version}.{int(upcoming.timestamp()) if upcoming else 0}"
    if scope is not None:
        scope["epoch"] = epoch
    return epoch


def page_lifetime(version, now):
    """Seconds a page rendered now may be reused: never past the next publication."""
    lifetime = float(settings.PAGE_CACHE_SECONDS)
    upcoming = next_scheduled_publication(version, now)
    if upcoming is not None:
        lifetime = min(lifetime, (upcoming - now).total_seconds())
    return lifetime


# --- derived data: the one way to cache -----------------------------------------------


def derived_key(name: str, *parts, epoch=None) -> str | None:
    """The cache key of derived data ``name`` for ``parts`` as of the current content
    epoch, or None while the cache is unavailable (then nothing is cached).

    ``parts`` are whatever else the value depends on (an id, the normalised filters);
    their ``repr`` is hashed, so they may be long. Pass ``epoch`` when making many keys.
    """
    epoch = epoch or content_epoch()
    if epoch is None:
        return None
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return DERIVED_KEY.format(name, epoch, digest)


_MISSING = object()


def prefetch(*entries: tuple):
    """Fetch in one round trip the derived values ``(name, *parts)`` that ``cached`` will
    be asked for later in this request (inside ``one_epoch``; elsewhere it does nothing).

    A page whose fragments are each kept on their own (an article: its JSON-LD, head and
    body, the site settings) would otherwise pay a round trip per fragment.
    """
    scope = _request_scope.get()
    if scope is None:
        return
    epoch = content_epoch()
    if epoch is None:
        return
    keys = [derived_key(name, *parts, epoch=epoch) for name, *parts in entries]
    found = cache.get_many(keys)
    # A bump clears the scope, and keys name their epoch: nothing here outlives either.
    scope.setdefault("prefetched", {}).update({key: found.get(key, _MISSING) for key in keys})


def cached(name: str, build: Callable[[], object], *parts, timeout=DERIVED_SECONDS):
    """``build()``'s result, kept under ``derived_key(name, *parts)``.

    Inside ``one_epoch`` (every public request) a value is fetched once and then reused
    for the rest of the request: the region index alone was read four times by a list
    filtered by a region (its choices, the filter, the chips, the title). Treat the value
    as read-only. A bump of the version forgets them with the rest of the scope.
    """
    key = derived_key(name, *parts)
    if key is None:
        return build()
    scope = _request_scope.get()
    memo = scope.setdefault("values", {}) if scope is not None else None
    if memo is not None and key in memo:
        return memo[key]
    prefetched = scope.get("prefetched") if scope else None
    if prefetched is not None and key in prefetched:
        value = prefetched.pop(key)
    else:
        value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, timeout)
    if memo is not None:
        memo[key] = value
    return value


def cached_many(name: str, items: dict, build_missing: Callable[[dict], dict]) -> dict:
    """For each ``{parts: item}``, a value kept under ``derived_key(name, *parts)``: one
    round trip for the hits, ``build_missing({parts: item})`` for all the misses at
    once (so it can load what they need in one query), one round trip to store them."""
    epoch = content_epoch()
    if epoch is None:
        return build_missing(items)
    keys = {parts: derived_key(name, *parts, epoch=epoch) for parts in items}
    found = cache.get_many(list(keys.values()))
    results = {parts: found[key] for parts, key in keys.items() if key in found}
    misses = {parts: item for parts, item in items.items() if parts not in results}
    if misses:
        built = build_missing(misses)
        cache.set_many({keys[parts]: value for parts, value in built.items()}, DERIVED_SECONDS)
        results |= built
    return results


# --- invalidation, registered by each app ---------------------------------------------


def content_changed():
    """Public content has just been written: invalidate now, and again on commit.

    Model signals call this for the models apps register (``invalidate_on_change``);
    writes that bypass signals (``QuerySet.update``, ``bulk_create``) call it themselves.

    Now, so that the writer's own next read (inside the same transaction: a test, a
    shell session, a later step of the same request) is never served the old value;
    again after the commit, because a request elsewhere may have cached the old content
    under the new version before the commit made the change visible to it.
    """
    bump_content_version()
    if transaction.get_connection().in_atomic_block:
        bump_content_version_on_commit()


def _content_changed(sender, **kwargs):
    content_changed()


def _relation_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed()


def invalidate_on_change(*models):
    """Move the content version whenever a row of ``models`` is saved or deleted, or one
    of their many-to-many relations changes. Each app calls this from its own
    ``AppConfig.ready()`` for the models its public pages show (not, say, inquiries:
    a flood of spam must not empty the cache).

    Signals, against the house rule of explicit services, because this concern cuts
    across every way content is written (admin, services, imports, the shell): a
    forgotten call would serve stale pages, a forgotten signal cannot happen.
    """
    for model in models:
        label = model._meta.label
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"content-save-{label}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"content-delete-{label}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _relation_changed,
                sender=through,
                dispatch_uid=f"content-m2m-{through._meta.label}",
            )


# --- the page cache -------------------------------------------------------------------


def page_cache_enabled():
    return settings.PAGE_CACHE


@memoize
def _public_paths(paths):
    return [(re.compile(pattern), tuple(names)) for pattern, names in paths]


def public_parameters(path) -> tuple[str, ...] | None:
    """The query parameters a public page understands (``PAGE_CACHE_PATHS``, the public
    URL contract), or None when ``path`` is not a public page."""
    if path.startswith("/" + settings.ADMIN_URL):
        return None
    if any(re.search(pattern, path) for pattern in settings.PAGE_CACHE_EXCLUDE_PATHS):
        return None
    paths = tuple((pattern, tuple(names)) for pattern, names in settings.PAGE_CACHE_PATHS.items())
    for pattern, names in _public_paths(paths):
        if pattern.search(path):
            return names
    return None


def is_public_path(path):
    """True for the pages anyone may see: home, /news/…, feeds, sitemap, robots.txt."""
    return public_parameters(path) is not None


def has_personal_cookie(request):
    """A logged-in session or pending flash messages make the page personal."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def canonical_query(request, names) -> list[tuple[str, str]]:
    """The request's parameters that ``names`` allows, in that order, empty ones left
    out, repeatable ones sorted and deduplicated, others by their last value (as
    ``QueryDict.get`` reads them), and left out when that value is the page's default
    (``?page=1`` is ``/news/``). Anything else in the query string is ignored."""
    pairs = []
    query, repeatable, defaults = (
        request.GET,
        settings.PAGE_CACHE_REPEATABLE,
        settings.PAGE_CACHE_DEFAULTS,
    )
    for name in names:
        values = [value for value in query.getlist(name) if value]
        values = sorted(set(values)) if name in repeatable else values[-1:]
        if values == [defaults.get(name)]:
            continue
        pairs += [(name, value) for value in values]
    return pairs


def page_key(request, names=None):
    """One key per scheme, host, path and canonical query: unknown parameters, their
    order and repetitions never make a new entry."""
    if names is None:
        names = public_parameters(request.path_info) or ()
    query = urlencode(canonical_query(request, names))
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return ENTRY_KEY.format(hashlib.sha256(url.encode()).hexdigest())


def do_not_store(response):
    """Mark a public response as not worth keeping, e.g. a list that ignored invalid
    filters: each garbage value would otherwise be an entry of its own."""
    response.page_cache_store = False
    return response


def is_storable(request, response):
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if not getattr(response, "page_cache_store", True):
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    directives = response.get("Cache-Control", "").lower()
    return not any(word in directives for word in ("private", "no-store", "no-cache"))


def set_public_cache_control(response, seconds):
    """Browsers revalidate every time (a revisit is a 304 for the ETag, and an
    unpublished article is gone at once); a shared cache or CDN may keep the page for
    ``PAGE_SHARED_MAX_AGE`` seconds, never past the next scheduled publication."""
    shared = max(0, min(settings.PAGE_SHARED_MAX_AGE, int(seconds)))
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True, s_maxage=shared)


def may_use_page_cache(request):
    """Whether the page cache may answer or keep ``request``'s page (a public path's):
    not for a visitor with a session or flash messages, nor for a request that
    SecurityMiddleware (after the page cache) redirects to HTTPS."""
    return (
        page_cache_enabled()
        and not has_personal_cookie(request)
        and not (settings.SECURE_SSL_REDIRECT and not request.is_secure())
    )


def look_up_page(request, names):
    """``(key, version, hit)``: the page's key, the content version as the cache holds it
    (None if it holds none), and the stored page if it is current, as ``(headers,
    content)`` with the headers of this response (``hit_headers``), or None."""
    key = page_key(request, names)
    memory = page_memory()
    if memory is not None:
        remembered = memory.lookup(key)
        if remembered is not None and (hit := _current_page(remembered[1], remembered[0])):
            return key, remembered[0], hit
        generation = memory.generation
    found = cache.get_many([VERSION_KEY, key])
    version, entry = found.get(VERSION_KEY), found.get(key)
    if memory is not None:
        memory.learn(generation, version, key, entry)
    return key, version, _current_page(entry, version)


def _current_page(entry, version):
    if entry is None or version is None:
        return None
    entry_version, expires_at, headers, content = entry
    remaining = expires_at - timezone.now().timestamp()
    if entry_version != version or remaining <= 0:
        return None
    return hit_headers(headers, remaining), content


def hit_headers(stored, remaining):
    """A hit's headers: the stored ones (security headers, CSP, ETag, Content-Length…),
    then what ``set_public_cache_control`` gives a page that sets no Cache-Control of
    its own (stored pages never keep theirs), for the seconds the copy has left."""
    shared = max(0, min(settings.PAGE_SHARED_MAX_AGE, int(remaining)))
    return [
        *stored,
        ("Cache-Control", f"public, max-age=0, must-revalidate, s-maxage={shared}"),
        ("X-Page-Cache", "HIT"),
    ]


def _response_from(hit):
    headers, content = hit
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


class PageCacheMiddleware:
    """Serve and store public pages for anonymous visitors; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        names = public_parameters(request.path_info)
        if names is None:
            with one_epoch():
                return self.get_response(request)

        use_cache = may_use_page_cache(request)
        key = version = None
        if use_cache:
            key, version, hit = look_up_page(request, names)
            if hit is not None:
                return _response_from(hit)
            version = version or content_version()
        with one_epoch(version=version):
            response = self.get_response(request)
            return self._finish(request, response, key, version, use_cache)

    def _finish(self, request, response, key, version, use_cache):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Staff see their drafts' effects at once and nothing personal is shared.
            patch_cache_control(response, private=True, no_store=True)
            return response
        if not is_storable(request, response):
            return response
        now = timezone.now()
        version = version or content_version()
        lifetime = page_lifetime(version, now) if version is not None else 0
        set_public_cache_control(response, lifetime)
        if use_cache and version is not None:
            self._store(key, version, response, now, lifetime)
        return response

    def _store(self, key, version, response, now, lifetime):
        response["X-Page-Cache"] = "MISS"
        if lifetime < 1:
            return
        if not response.has_header("ETag"):
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response["ETag"] = f'"{digest}"'
        if not response.has_header("Last-Modified"):
            # When this copy was made: the content cannot have changed since without
            # replacing the copy, so it is an honest validator for If-Modified-Since.
            response["Last-Modified"] = http_date(now.timestamp())
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in PER_RESPONSE_HEADERS
        ]
        entry = (version, now.timestamp() + lifetime, headers, response.content)
        cache.set(key, entry, timeout=math.ceil(lifetime))
        if (memory := page_memory()) is not None:
            memory.remember(key, entry)


# --- hits before Django's request handling ---------------------------------------------


def page_cache_hit(environ):
    """The stored page for a WSGI ``environ``, as ``(headers, content)``, or None to let
    Django answer.

    Applies, in order, what the middleware in front of ``PageCacheMiddleware`` does for
    a GET (forwarded headers only from trusted proxies, a Host with a possible port and
    in ALLOWED_HOSTS) and then the page cache's own rules, with the same functions. A
    conditional request (If-None-Match, If-Modified-Since) is left to Django, whose
    ConditionalGetMiddleware answers it 304; a HEAD too. Anything that is not a plain
    hit goes through the whole stack as before.
    """
    if environ.get("REQUEST_METHOD") != "GET" or not page_cache_enabled():
        return None
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        return None
    # A copy: a WSGIRequest writes its decoded path into the environ it is given, and
    # Django, reading that environ again on a miss, would decode the path twice (a
    # character beyond Latin-1 then fails it with a 500).
    request = WSGIRequest(environ.copy())
    names = public_parameters(request.path_info)
    if names is None:
        return None
    drop_untrusted_forwarding(request.META)
    try:
        check_host_port(request)
        if not may_use_page_cache(request):
            return None
        return look_up_page(request, names)[2]
    except DisallowedHost:  # Django answers it with a 400 (and logs it)
        return None


def serve_page_cache_hits(application):
    """Wrap Django's WSGI ``application`` so that page-cache hits are answered before it.

    A hit through ``PageCacheMiddleware`` still pays for Django's handler: request
    signals (which check every database connection), the middleware chain and the
    response's conversion. Answered here, it costs one cache round trip and little else,
    with the same bytes and headers (security headers and CSP are stored with the page).
    """

    def serve(environ, start_response):
        hit = page_cache_hit(environ)
        if hit is None:
            return application(environ, start_response)
        headers, content = hit
        start_response("200 OK", headers)
        return [content]

    return serve
