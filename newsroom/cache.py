"""The page cache: whole public pages for anonymous visitors, kept in the shared cache.

Why our own middleware rather than Django's per-site cache: public pages change at
moments when nobody saves anything (a scheduled article goes live), and one save must
invalidate every page on every app server at once. Django's cache middleware can do
neither. Here correctness rests on two numbers:

* the **content version**, one integer in the shared cache. Each entry remembers the
  version it was rendered under and counts as a miss once the version has moved on.
  Saving or deleting anything a public page shows bumps it (see ``connect_signals``);
* an **absolute expiry** per entry, never later than the publication time of the next
  scheduled article, so no cached page outlives the moment that article goes live.
  Unpublishing is a save, so it bumps the version.

Only anonymous GET/HEAD requests for public paths are looked up: a request carrying a
session or messages cookie (staff, anyone logged in) goes straight to the view and gets
``Cache-Control: private, no-store``. Only complete 200 responses that set no cookie and
used no CSRF token are stored, so forms never end up in the cache.

The middleware sits after WhiteNoise and before the session middleware: a hit costs one
round trip to the cache and no database query. Middleware that must run on every
response (the Content-Security-Policy header, whose nonce is baked into the cached HTML)
belongs after it in ``MIDDLEWARE`` so that its headers are stored with the page.
"""

import hashlib
import logging
import math
import re
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
ENTRY_KEY = "pagecache:page:{}"
NEXT_SCHEDULED_KEY = "pagecache:next-scheduled:{}"

# Entries store everything but these: they are set afresh for each response.
PER_RESPONSE_HEADERS = {"cache-control", "set-cookie", "x-page-cache", "age"}

# A shared cache that is down makes the site slower, never broken.
CACHE_ERRORS = (RedisError, OSError)


def page_cache_enabled():
    return settings.PAGE_CACHE


def _compiled(patterns):
    return [re.compile(pattern) for pattern in patterns]


def is_public_path(path):
    """True for the pages anyone may see: home, /news/…, feeds, sitemap, robots.txt."""
    if path.startswith("/" + settings.ADMIN_URL):
        return False
    if any(pattern.search(path) for pattern in _compiled(settings.PAGE_CACHE_EXCLUDE_PATHS)):
        return False
    return any(pattern.search(path) for pattern in _compiled(settings.PAGE_CACHE_PATHS))


def has_personal_cookie(request):
    """A logged-in session or pending flash messages make the page personal."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def page_key(request):
    """One key per scheme, host, path and query string, whatever the parameter order."""
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), True)))
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return ENTRY_KEY.format(hashlib.sha256(url.encode()).hexdigest())


# --- the content version --------------------------------------------------------------


def _initial_version():
    # Microseconds since the epoch: if the key is ever evicted, the new number is still
    # larger than any version an old entry can carry.
    return time.time_ns() // 1000


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _initial_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version():
    """Invalidate every cached page, on every app server. Safe to call any time."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, _initial_version(), timeout=None)
    except CACHE_ERRORS:
        logger.warning("Page cache: could not bump the content version", exc_info=True)


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


# --- scheduled publication ------------------------------------------------------------


def next_scheduled_publication(version, now):
    """When the next scheduled article goes live (a datetime), or None.

    One indexed query, cached per content version: scheduling, rescheduling or
    unpublishing an article is a save, which bumps the version.
    """
    from articles.models import Article  # noqa: PLC0415 - articles imports this app

    key = NEXT_SCHEDULED_KEY.format(version)
    cached = cache.get(key)
    if cached is not None and (cached == 0 or cached > now.timestamp()):
        return datetime.fromtimestamp(cached, tz=UTC) if cached else None
    upcoming = (
        Article.objects.scheduled(at=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        cache.set(key, 0, timeout=settings.PAGE_CACHE_SECONDS)
    else:
        seconds = math.ceil((upcoming - now).total_seconds())
        cache.set(key, upcoming.timestamp(), timeout=max(1, seconds))
    return upcoming


def content_epoch():
    """Names the public content as it stands now: the content version, plus the next
    scheduled publication (which changes the moment that article goes live). Cached
    fragments keyed by it are never stale, even across a scheduled publication."""
    version = content_version()
    upcoming = next_scheduled_publication(version, timezone.now())
    return f"{version}.{int(upcoming.timestamp()) if upcoming else 0}"


def page_lifetime(version, now):
    """Seconds a page rendered now may be reused: never past the next publication."""
    lifetime = float(settings.PAGE_CACHE_SECONDS)
    upcoming = next_scheduled_publication(version, now)
    if upcoming is not None:
        lifetime = min(lifetime, (upcoming - now).total_seconds())
    return lifetime


# --- the middleware -------------------------------------------------------------------


def is_storable(request, response):
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    directives = response.get("Cache-Control", "").lower()
    return not any(word in directives for word in ("private", "no-store", "no-cache"))


def _set_public_cache_control(response, seconds):
    browser_seconds = max(0, min(settings.PAGE_BROWSER_MAX_AGE, int(seconds)))
    patch_cache_control(response, public=True, max_age=browser_seconds)


class PageCacheMiddleware:
    """Serve and store public pages for anonymous visitors; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not is_public_path(request.path_info):
            return self.get_response(request)

        use_cache = page_cache_enabled() and not has_personal_cookie(request)
        version = key = None
        if use_cache:
            try:
                key = page_key(request)
                found = cache.get_many([VERSION_KEY, key])
                version = found.get(VERSION_KEY) or content_version()
                hit = self._response_from(found.get(key), version)
                if hit is not None:
                    return hit
            except CACHE_ERRORS:
                logger.warning("Page cache unavailable; serving uncached", exc_info=True)
                use_cache = False

        response = self.get_response(request)

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Staff see their drafts' effects at once and nothing personal is shared.
            patch_cache_control(response, private=True, no_store=True)
            return response
        if not is_storable(request, response):
            return response
        if not use_cache:
            _set_public_cache_control(response, settings.PAGE_BROWSER_MAX_AGE)
            return response
        try:
            self._store(key, version, response)
        except CACHE_ERRORS:
            logger.warning("Page cache unavailable; page not stored", exc_info=True)
        return response

    def _store(self, key, version, response):
        now = timezone.now()
        lifetime = page_lifetime(version, now)
        _set_public_cache_control(response, lifetime)
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

    def _response_from(self, entry, version):
        if entry is None:
            return None
        entry_version, expires_at, headers, content = entry
        remaining = expires_at - timezone.now().timestamp()
        if entry_version != version or remaining <= 0:
            return None
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        _set_public_cache_control(response, remaining)
        response["X-Page-Cache"] = "HIT"
        return response


# --- invalidation ---------------------------------------------------------------------


def _content_changed(sender, **kwargs):
    bump_content_version_on_commit()


def _relation_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_content_version_on_commit()


def watched_models():
    """Every model whose rows a public page shows (inquiries are deliberately absent:
    a flood of spam must not empty the cache)."""
    from django.apps import apps  # noqa: PLC0415 - called from AppConfig.ready

    names = [
        "articles.Article",
        "articles.Region",
        "articles.SlugRedirect",
        "core.SiteSettings",
        "articles.TaggedArticle",
        "taggit.Tag",
        "media_library.Photo",
        "media_library.Document",
        "press.Spokesperson",
    ]
    return [apps.get_model(name) for name in names]


def connect_signals():
    """Bump the content version whenever public content changes.

    Signals, against the house rule of explicit services, because this concern cuts
    across every way content is written (admin, services, imports, the shell): a
    forgotten call would serve stale pages, a forgotten signal cannot happen. Writes
    that bypass signals (``QuerySet.update``, ``bulk_create``) must call
    ``bump_content_version_on_commit()`` themselves.
    """
    from django.db.models.signals import m2m_changed, post_delete, post_save  # noqa: PLC0415

    for model in watched_models():
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"pagecache-save-{model}")
        post_delete.connect(
            _content_changed, sender=model, dispatch_uid=f"pagecache-delete-{model}"
        )
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _relation_changed, sender=through, dispatch_uid=f"pagecache-m2m-{through}"
            )
