"""The cache is never a single point of failure: Redis refusing connections, hanging, and
coming back. Every public page answers 200 from the database, every inquiry is stored,
and nothing waits long."""

import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from articles.models import Article
from core import cache as core_cache
from press.models import MediaInquiry
from tests.factories import (
    ArticleFactory,
    MediaInquiryFactory,
    PressContactFactory,
    UserFactory,
)
from tests.faulty_servers import CuttableProxy, HangingServer
from tests.press.helpers import inquiry_data
from tests.real_redis import REDIS_TEST_URL, delete_own_keys, own_prefix, require_redis

pytestmark = pytest.mark.django_db

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def resilient_cache(location, *, retry_seconds=5.0, prefix="faults"):
    return {
        "default": {
            "BACKEND": "core.cache_backends.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "RETRY_SECONDS": retry_seconds,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def commit():
    """Run the queued on-commit callbacks, as a real COMMIT would."""
    queued, connection.run_on_commit = connection.run_on_commit, []
    for _savepoints, callback, _robust in queued:
        callback()


@pytest.fixture
def public_urls(db):
    article = ArticleFactory(title="Served from the database", regions=["mx"])
    PressContactFactory()
    return [
        "/",
        "/news/",
        "/news/?type=report&region=americas",
        "/news/?q=database",
        article.get_absolute_url(),
        "/news/feed/",
        "/news/feed/atom/",
        "/sitemap.xml",
        "/robots.txt",
        "/press/",
        "/press/inquiry/",
    ]


@pytest.fixture
def hanging_server():
    server = HangingServer()
    yield server
    server.close()


def assert_site_works(client, urls, *, within):
    started = time.monotonic()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    response = client.post(reverse("press:inquiry"), inquiry_data(subject="Cache down"))
    assert response.status_code == 303
    inquiry = MediaInquiry.objects.get(subject="Cache down")
    # Stored, and flagged: nobody counted how many this address sent.
    assert inquiry.rate_limit_skipped
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["cache"] == "unavailable"
    elapsed = time.monotonic() - started
    assert elapsed < within, f"{elapsed:.1f}s"


def test_a_refused_connection_serves_every_page_and_stores_inquiries(client, public_urls):
    with override_settings(CACHES=resilient_cache(CLOSED_PORT_URL)):
        assert_site_works(client, public_urls, within=5)


def test_a_hanging_server_costs_one_timeout_then_is_skipped(client, public_urls, hanging_server):
    with override_settings(CACHES=resilient_cache(hanging_server.url)):
        # The old client waited 10 s per call and then failed the page.
        assert_site_works(client, public_urls, within=5)
        # The breaker kept every later call off the dead server.
        assert hanging_server.accepted <= 2


def test_the_breaker_probes_again_after_its_pause(hanging_server):
    with override_settings(CACHES=resilient_cache(hanging_server.url, retry_seconds=0.3)):
        cache.get("anything")
        assert not core_cache.cache_available()
        first = hanging_server.accepted
        cache.get("anything")  # skipped: within the pause
        assert hanging_server.accepted == first
        time.sleep(0.35)
        started = time.monotonic()
        cache.get("anything")  # one probe, which times out
        assert time.monotonic() - started < 1
        assert not core_cache.cache_available()


def test_login_throttling_works_without_the_cache(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="editor", is_staff=True)
    login = reverse("admin:login")
    with override_settings(CACHES=resilient_cache(CLOSED_PORT_URL)):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(login, {"username": "editor", "password": "wrong"})
        locked = client.post(login, {"username": "editor", "password": "wrong"})
    assert locked.status_code == 429
    assert get_user_model().objects.filter(username="editor").exists()


@pytest.fixture
def real_redis():
    """The test Redis (REDIS_TEST_URL) behind a proxy this test can cut."""
    parts = urlsplit(REDIS_TEST_URL)
    client = require_redis()
    proxy = CuttableProxy((parts.hostname, parts.port or 6379))
    prefix = own_prefix("faults")
    database = parts.path.lstrip("/") or "0"
    location = f"redis://127.0.0.1:{proxy.port}/{database}"
    with override_settings(CACHES=resilient_cache(location, retry_seconds=0.3, prefix=prefix)):
        yield proxy
    proxy.close()
    delete_own_keys(client, prefix)
    client.close()


def test_recovery_needs_no_restart_and_forgets_what_changed_meanwhile(client, real_redis):
    article = ArticleFactory(title="Before the outage")
    commit()
    assert b"Before the outage" in client.get("/news/").content
    before = core_cache.content_version()

    real_redis.hang()
    page = client.get("/news/")
    assert page.status_code == 200
    # Still a public page for the edge, never past the next scheduled publication.
    assert "s-maxage=10" in page["Cache-Control"]
    # Edited while the cache is down: the version cannot move now.
    Article.objects.filter(pk=article.pk).update(title="Edited during the outage")
    core_cache.content_changed()
    commit()
    assert b"Edited during the outage" in client.get("/news/").content

    real_redis.restore()
    time.sleep(0.35)
    # The first call after the pause reaches Redis again; recovery moves the version,
    # so the fragments kept before the outage are never served.
    recovered = client.get("/news/")
    assert recovered.status_code == 200
    assert b"Edited during the outage" in recovered.content
    assert core_cache.cache_available()
    assert core_cache.content_version() > before
    assert b"Edited during the outage" in client.get("/news/").content
    assert client.get("/healthz").json()["cache"] == "ok"


def test_staff_find_inquiries_taken_without_a_rate_limit(client, press_officer):
    MediaInquiryFactory(subject="Counted as usual")
    flagged = MediaInquiryFactory(subject="Taken while Redis was down", rate_limit_skipped=True)
    client.force_login(press_officer)
    changelist = reverse("admin:press_mediainquiry_changelist")
    listed = client.get(changelist, {"rate_limit_skipped__exact": "1"}).content.decode()
    assert "Taken while Redis was down" in listed
    assert "Counted as usual" not in listed
    page = client.get(reverse("admin:press_mediainquiry_change", args=[flagged.pk]))
    assert "sent while rate limits were off" in page.content.decode().lower()


def test_with_the_cache_up_inquiries_are_counted_and_not_flagged(client):
    response = client.post(reverse("press:inquiry"), inquiry_data(subject="Cache up"))
    assert response.status_code == 303
    assert not MediaInquiry.objects.get(subject="Cache up").rate_limit_skipped
