"""Everything the site keeps in its shared cache, when it must be forgotten, and what
shared caches in front of the site may keep.

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
  every edit invalidates it and nothing relies on expiry to become correct; the key also
  names the templates as deployed (``templates_version``), so a deploy that changes a
  template never reads HTML rendered with the old one from a shared cache;
* **public pages** — whole pages are kept by the edge (nginx, deploy/nginx.conf, or a
  CDN), not here: ``CacheHeadersMiddleware`` tells it in ``Cache-Control`` which
  responses it may keep and for how long (``s-maxage``, never past the next scheduled
  publication). Apps register their public pages and the query parameters they
  understand with ``public_pages`` (``PAGE_CACHE_PATHS`` in settings names the site's).

The cache is never a single point of failure: in production Django's cache is
``core.cache_backends.ResilientRedisCache``, which answers as an empty cache while Redis
is down or hanging, so everything here falls back to rendering from the database.
``cache_available()`` and ``cache_health()`` say whether it is working.

Only anonymous GET/HEAD answers on public paths are marked public: a request carrying a
session or messages cookie (staff, anyone logged in) gets ``Cache-Control: private,
no-store``. Only complete 200 (and 404) responses that set no cookie, used no CSRF token
and answer a query made of parameters the page understands are marked, so forms and
``?r=<random>`` never end up in a shared cache.
"""

import hashlib
import logging
import math
import os
import re
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache as memoize
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template import engines
from django.utils import timezone, translation
from django.utils.autoreload import file_changed
from django.utils.cache import patch_cache_control

from core.cache_backends import cache_recovered
from core.languages import unprefixed

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
NEXT_SCHEDULED_KEY = "pagecache:next-scheduled:{}"
DERIVED_KEY = "derived:{}:{}:{}:{}"

# Derived entries are correct until their epoch moves; this only bounds what an idle
# cache holds.
DERIVED_SECONDS = 60 * 60 * 24


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
        cache.set(key, 0, timeout=DERIVED_SECONDS)
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


# --- derived data: the one way to cache -----------------------------------------------


@memoize
def templates_version() -> str:
    """A digest of every template the site can load (each engine's folders, the apps'
    included), read once per process: after a deploy that changes any template, derived
    HTML rendered with the old one is never read again, even from a cache that the old
    release's servers still share.

    Every template rather than each fragment's own: a fragment's HTML also comes from
    the templates it includes and from tags that render templates of their own (cards),
    which no static reading of the fragment finds. A deploy that changes a template
    costs one cold render of each fragment. About 50 ms for the 170 templates.
    """
    digest = hashlib.blake2b(digest_size=8)
    for engine in engines.all():
        for folder in map(Path, engine.template_dirs):
            for root, dirs, files in os.walk(folder):
                dirs.sort()
                for name in sorted(files):
                    path = Path(root, name)
                    digest.update(str(path.relative_to(folder)).encode() + b"\0")
                    digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _templates_changed(*, setting=None, file_path=None, **kwargs):
    # The template settings changed (tests), or the development server saw a template
    # file change (it restarts for Python files only).
    if setting == "TEMPLATES" or (file_path is not None and Path(file_path).suffix != ".py"):
        templates_version.cache_clear()


setting_changed.connect(_templates_changed, dispatch_uid="core-cache-templates-setting")
file_changed.connect(_templates_changed, dispatch_uid="core-cache-templates-file")


def derived_key(name: str, *parts, epoch=None) -> str | None:
    """The cache key of derived data ``name`` for ``parts`` as of the current content
    epoch and the deployed templates (``templates_version``), or None while the cache is
    unavailable (then nothing is cached).

    ``parts`` are whatever else the value depends on (an id, the normalised filters);
    their ``repr`` is hashed, so they may be long. Pass ``epoch`` when making many keys.
    """
    epoch = epoch or content_epoch()
    if epoch is None:
        return None
    # Whatever is derived is derived in the page's language (its articles, its words).
    parts = (translation.get_language(), *parts)
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return DERIVED_KEY.format(name, epoch, templates_version(), digest)


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

    Model signals call this for the models apps register (``invalidate_on_change``), and
    apps' own signals (``invalidate_on_signal``); writes that bypass both
    (``QuerySet.update``, ``bulk_create``) call it themselves.

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


def invalidate_on_signal(signal):
    """Move the content version whenever ``signal`` is sent: for an app that announces
    its writes with a signal of its own (``articles.changes.article_changed``, sent for
    every route, bulk writes included) rather than model signals."""
    signal.connect(_content_changed, dispatch_uid=f"content-signal-{id(signal)}")


# --- what shared caches may keep ------------------------------------------------------

_public_pages: list[tuple[re.Pattern, tuple[str, ...]]] = []


def public_pages(pattern: str, parameters=()):
    """Register public pages: every path ``pattern`` (a regular expression matched from
    the start of the path) matches may be kept by shared caches for anonymous visitors,
    and understands the query ``parameters`` named. Called from an app's
    ``AppConfig.ready()`` for its own pages; ``PAGE_CACHE_PATHS`` in settings names the
    site's (home, sitemap, robots.txt, the press page).

    A path is public when any registered pattern (or ``PAGE_CACHE_PATHS`` entry)
    matches it, and then understands every parameter the matching ones name, so the order
    of registration never matters: ``public_pages(r"^/news/feed/help/$")`` is all a new
    page under ``/news/`` needs (and not even that, since ``^/news/`` covers it).
    """
    entry = (re.compile(pattern), tuple(parameters))
    if entry not in _public_pages:
        _public_pages.append(entry)


@memoize
def _configured_paths(paths):
    return [(re.compile(pattern), tuple(names)) for pattern, names in paths]


def public_parameters(path) -> tuple[str, ...] | None:
    """The query parameters a public page understands, or None when ``path`` is not a
    public page (the admin, ``PAGE_CACHE_EXCLUDE_PATHS``, anything not registered)."""
    if path.startswith("/" + settings.ADMIN_URL):
        return None
    # /es/news/ is the page /news/ is, in Spanish (core.languages).
    path = unprefixed(path)
    if any(re.search(pattern, path) for pattern in settings.PAGE_CACHE_EXCLUDE_PATHS):
        return None
    configured = tuple(
        (pattern, tuple(names)) for pattern, names in settings.PAGE_CACHE_PATHS.items()
    )
    names = None
    for pattern, parameters in [*_configured_paths(configured), *_public_pages]:
        if pattern.match(path):
            names = (names or ()) + tuple(p for p in parameters if p not in (names or ()))
    return names


def is_public_path(path):
    """True for the pages anyone may see: home, /news/…, feeds, sitemap, robots.txt."""
    return public_parameters(path) is not None


def has_personal_cookie(request):
    """A logged-in session or pending flash messages make the page personal (nginx
    passes these requests to the app and never stores their answers: deploy/nginx.conf)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def do_not_store(response):
    """Mark a public response as not worth keeping in a shared cache, e.g. a list that
    ignored invalid filters: each garbage value would otherwise be an entry of its own."""
    response.page_cache_store = False
    return response


def _storable(request, response, names):
    if response.status_code not in (200, 404) or response.streaming:
        return False
    if not getattr(response, "page_cache_store", True):
        return False
    if any(name not in names for name in request.GET):
        return False  # ?r=123, utm_source: each would be an entry of its own
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    directives = response.get("Cache-Control", "").lower()
    return not any(word in directives for word in ("private", "no-store", "no-cache"))


def page_lifetime(version, now):
    """Seconds a page rendered now may be kept: ``PAGE_SHARED_MAX_AGE``, never past the
    next scheduled publication."""
    lifetime = float(settings.PAGE_SHARED_MAX_AGE)
    upcoming = next_scheduled_publication(version, now)
    if upcoming is not None:
        lifetime = min(lifetime, (upcoming - now).total_seconds())
    return max(0, int(lifetime))


def set_public_cache_control(response, seconds):
    """Browsers revalidate every time (a revisit is a 304 for the ETag, and an
    unpublished article is gone at once); a shared cache (nginx, a CDN) may keep the page
    for ``seconds``, serve it while it fetches a fresh copy for one second more, and serve
    it while the site answers errors for ``PAGE_STALE_IF_ERROR`` seconds."""
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True, s_maxage=seconds)
    if seconds:
        patch_cache_control(
            response,
            stale_while_revalidate=1,
            stale_if_error=settings.PAGE_STALE_IF_ERROR,
        )


class CacheHeadersMiddleware:
    """Reads the content epoch once per request (``one_epoch``) and says, in
    ``Cache-Control``, what shared caches may keep: anonymous visitors' public pages
    (200, and 404 so that an unpublished article's answer replaces its old copy) for
    their lifetime (``page_lifetime``); a page seen with a session or flash messages is
    ``private, no-store``; a response that sets a cookie (a CSRF token: forms) is
    ``private``. Anything else keeps the headers its view gave it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_epoch():
            response = self.get_response(request)
            if request.method in ("GET", "HEAD"):
                self._finish(request, response)
            return response

    def _finish(self, request, response):
        names = public_parameters(request.path_info)
        user = getattr(request, "user", None)
        personal = has_personal_cookie(request) or (user is not None and user.is_authenticated)
        if names is not None and personal:
            # Staff see their drafts' effects at once and nothing personal is shared.
            patch_cache_control(response, private=True, no_store=True)
        elif response.cookies and "Cache-Control" not in response:
            patch_cache_control(response, private=True)
        elif names is not None and _storable(request, response, names):
            set_public_cache_control(response, page_lifetime(content_version(), timezone.now()))
