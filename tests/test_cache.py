"""The page cache: what is stored, for whom, and when it must be forgotten."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from articles.models import Article, Region
from core import cache as page_cache
from tests.factories import ArticleFactory, PhotoFactory, SpokespersonFactory

pytestmark = pytest.mark.django_db


def live_titles(request):
    titles = Article.objects.live().order_by("title").values_list("title", flat=True)
    return HttpResponse(" | ".join(titles))


def sets_cookie(request):
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


def with_csrf_form(request):
    return HttpResponse(f'<form method="post"><input name="t" value="{get_token(request)}">')


def missing(request):
    raise Http404


@never_cache
def uncacheable(request):
    return HttpResponse("fresh")


urlpatterns = [
    path("news/", live_titles),
    path("news/cookie/", sets_cookie),
    path("news/form/", with_csrf_form),
    path("news/missing/", missing),
    path("news/never/", uncacheable),
    path("elsewhere/", live_titles),
    # The real site behind them, so that templates can reverse its URLs.
    path("", include("newsroom.urls")),
]


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.ROOT_URLCONF = "tests.test_cache"
    return settings


def commit():
    """Do what a real COMMIT does: run the queued on-commit callbacks and forget them.

    Tests run inside a transaction that never commits, and Django's
    captureOnCommitCallbacks leaves the callbacks queued, which would hide the bump
    that the page cache queues once per transaction.
    """
    queued, connection.run_on_commit = connection.run_on_commit, []
    for _savepoints, callback, _robust in queued:
        callback()


@pytest.fixture
def fake_now():
    """Move the clock the cache and the live queryset see."""
    real_now = timezone.now()
    with mock.patch("django.utils.timezone.now") as now:
        now.return_value = real_now
        yield now


def test_second_anonymous_request_is_served_from_cache_without_queries(
    client, page_cache_on, django_assert_num_queries
):
    ArticleFactory(title="Release the activists")
    first = client.get("/news/")
    assert first["X-Page-Cache"] == "MISS"
    with django_assert_num_queries(0):
        second = client.get("/news/")
    assert second["X-Page-Cache"] == "HIT"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_head_request_is_answered_from_cache(client, page_cache_on):
    client.get("/news/")
    assert client.head("/news/")["X-Page-Cache"] == "HIT"


def test_query_string_variants_are_cached_separately_but_order_does_not_matter(
    client, page_cache_on
):
    client.get("/news/?type=report&region=mx")
    assert client.get("/news/?region=mx&type=report")["X-Page-Cache"] == "HIT"
    assert client.get("/news/?type=report")["X-Page-Cache"] == "MISS"
    assert client.get("/news/?type=report&region=mx&page=2")["X-Page-Cache"] == "MISS"


def test_editing_an_article_invalidates_cached_pages(client, page_cache_on):
    article = ArticleFactory(title="Old headline")
    assert b"Old headline" in client.get("/news/").content

    article.title = "New headline"
    article.save()
    commit()

    response = client.get("/news/")
    assert response["X-Page-Cache"] == "MISS"
    assert b"New headline" in response.content


def test_unpublishing_removes_the_article_from_cached_pages(client, page_cache_on):
    article = ArticleFactory(title="Withdrawn statement")
    assert b"Withdrawn statement" in client.get("/news/").content

    article.status = Article.Status.DRAFT
    article.save()
    commit()

    assert b"Withdrawn statement" not in client.get("/news/").content


def test_deleting_and_relation_changes_invalidate(client, page_cache_on):
    article = ArticleFactory()
    for change in (
        lambda: article.regions.add(Region.objects.get(slug="mx")),
        lambda: article.spokespeople.add(SpokespersonFactory()),
        lambda: article.topics.add("Asylum"),
        lambda: article.delete(),
    ):
        client.get("/news/")
        assert client.get("/news/")["X-Page-Cache"] == "HIT"
        change()
        commit()
        assert client.get("/news/")["X-Page-Cache"] == "MISS"


def test_a_photo_edit_invalidates(client, page_cache_on):
    photo = PhotoFactory()
    client.get("/news/")
    photo.caption = "A corrected caption"
    photo.save()
    commit()
    assert client.get("/news/")["X-Page-Cache"] == "MISS"


def test_the_version_moves_at_once_and_once_more_when_the_transaction_commits(
    page_cache_on, settings
):
    # Tasks queued on commit (media kits) are later work of their own, which moves the
    # version again when it runs; the immediate backend would run them inside commit().
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    commit()
    before = page_cache.content_version()
    ArticleFactory()
    ArticleFactory(regions=["mx"], topics=["Asylum"])
    during = page_cache.content_version()
    assert during > before
    commit()
    assert page_cache.content_version() == during + 1


def test_page_cached_before_a_scheduled_publication_is_not_served_after_it(
    client, page_cache_on, fake_now
):
    goes_live_at = fake_now.return_value + timedelta(hours=1)
    ArticleFactory(title="Embargoed report", published_at=goes_live_at)

    fake_now.return_value = goes_live_at - timedelta(seconds=5)
    before = client.get("/news/")
    assert before["X-Page-Cache"] == "MISS"
    assert b"Embargoed report" not in before.content
    # Neither our cache nor a browser or CDN may keep it past the publication time.
    assert "s-maxage=5" in before["Cache-Control"]

    fake_now.return_value = goes_live_at - timedelta(seconds=2)
    assert client.get("/news/")["X-Page-Cache"] == "HIT"

    fake_now.return_value = goes_live_at
    after = client.get("/news/")
    assert after["X-Page-Cache"] == "MISS"
    assert b"Embargoed report" in after.content


def test_next_scheduled_time_is_one_query_then_cached(
    page_cache_on, fake_now, django_assert_num_queries
):
    ArticleFactory(published_at=fake_now.return_value + timedelta(minutes=10))
    version = page_cache.content_version()
    with django_assert_num_queries(1):
        first = page_cache.next_scheduled_publication(version, fake_now.return_value)
    with django_assert_num_queries(0):
        again = page_cache.next_scheduled_publication(version, fake_now.return_value)
    assert first == again
    # Once that moment has passed, the following one is looked up again.
    later = first + timedelta(seconds=1)
    with django_assert_num_queries(1):
        assert page_cache.next_scheduled_publication(version, later) is None


def test_staff_always_get_fresh_private_pages(client, editor, page_cache_on):
    ArticleFactory(title="Cached for the public")
    client.get("/news/")
    client.force_login(editor)
    response = client.get("/news/")
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_pending_messages_bypass_the_cache(client, page_cache_on):
    client.get("/news/")
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get("/news/")


@pytest.mark.parametrize("url", ["/news/cookie/", "/news/form/", "/news/never/"])
def test_responses_that_set_cookies_or_carry_forms_are_never_cached(client, page_cache_on, url):
    client.get(url)
    client.cookies.clear()
    assert client.get(url).get("X-Page-Cache") != "HIT"


def test_not_found_pages_and_posts_are_not_cached(client, page_cache_on):
    assert client.get("/news/missing/").status_code == 404
    assert client.get("/news/missing/").get("X-Page-Cache") is None
    assert client.post("/news/").get("X-Page-Cache") is None


def test_only_public_paths_are_cached(client, page_cache_on):
    client.get("/elsewhere/")
    assert "X-Page-Cache" not in client.get("/elsewhere/")
    assert not page_cache.is_public_path("/admin/")
    assert not page_cache.is_public_path("/press/inquiry/")
    assert not page_cache.is_public_path("/healthz")
    assert page_cache.is_public_path("/news/feed/")
    assert page_cache.is_public_path("/sitemap.xml")
    assert page_cache.is_public_path("/sitemap-articles.xml")
    assert page_cache.is_public_path("/press/")
    assert not page_cache.is_public_path("/press/inquiry/thanks/")


def test_conditional_get_answers_not_modified_from_the_cache(client, page_cache_on):
    first = client.get("/news/")
    assert first["ETag"]
    assert first["Last-Modified"]
    again = client.get("/news/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    since = client.get("/news/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


def test_browsers_revalidate_and_shared_caches_keep_pages_briefly(client, settings):
    settings.ROOT_URLCONF = "tests.test_cache"
    settings.PAGE_SHARED_MAX_AGE = 10
    ArticleFactory()
    response = client.get("/news/")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=0", "must-revalidate", "s-maxage=10"}
    assert "X-Page-Cache" not in response
    # A revisit costs a 304, and an unpublished article is gone at the next one.
    assert client.get("/news/", headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_unknown_parameters_never_make_new_entries(client, page_cache_on):
    client.get("/news/?type=report")
    for query in ("r=1", "r=2&utm_source=x", "type=report&type=report&r=3", "type=report&q="):
        hit = client.get(f"/news/?type=report&{query}")
        assert hit["X-Page-Cache"] == "HIT", query
    client.get("/sitemap.xml")
    assert client.get("/sitemap.xml?r=12345")["X-Page-Cache"] == "HIT"


def test_a_default_value_shares_the_page_without_it(client, page_cache_on):
    client.get("/news/")
    assert client.get("/news/?page=1")["X-Page-Cache"] == "HIT"
    assert client.get("/news/?page=1&r=2")["X-Page-Cache"] == "HIT"
    client.get("/sitemap.xml")
    assert client.get("/sitemap.xml?p=1")["X-Page-Cache"] == "HIT"


def test_repeatable_parameters_in_any_order_share_an_entry(client, page_cache_on):
    client.get("/news/?type=report&type=statement")
    assert client.get("/news/?type=statement&type=report")["X-Page-Cache"] == "HIT"
    # Single-valued parameters are read by their last value, as the view reads them.
    client.get("/news/?year=2020")
    assert client.get("/news/?year=1999&year=2020")["X-Page-Cache"] == "HIT"


def test_a_list_that_ignored_invalid_filters_is_not_stored(client, settings):
    settings.PAGE_CACHE = True
    ArticleFactory()
    for _ in range(2):
        response = client.get("/news/?year=not-a-year")
        assert response.status_code == 200
        assert response.get("X-Page-Cache") is None
    # ...and never shown to someone asking for the plain list.
    assert b"not understood" not in client.get("/news/").content


def test_random_parameters_add_no_cache_entries(client, settings, _cache_dir):
    settings.PAGE_CACHE = True
    ArticleFactory()
    urls = ["/", "/news/", "/news/feed/", "/sitemap.xml", "/press/"]
    for url in urls:
        client.get(url)
    before = len(list(_cache_dir.iterdir()))
    for n in range(100):
        url = urls[n % len(urls)]
        assert client.get(f"{url}?r{n}={n * 7919}&year=x{n}").get("X-Page-Cache") != "MISS"
    assert len(list(_cache_dir.iterdir())) == before


def test_the_real_public_pages_are_cached(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE = True
    article = ArticleFactory(title="Release the activists")
    urls = [
        "/",
        "/news/",
        "/news/?type=report",
        article.get_absolute_url(),
        "/news/feed/",
        "/news/feed/atom/",
        "/sitemap.xml",
        "/robots.txt",
        "/press/",
    ]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200
        assert first["X-Page-Cache"] == "MISS", url
        with django_assert_num_queries(0):
            assert client.get(url)["X-Page-Cache"] == "HIT"


def test_a_hit_carries_the_security_headers_of_the_page_it_stores(client, settings):
    """Hits are answered before SecurityMiddleware and the CSP middleware run: their
    headers must come from the stored page."""
    settings.PAGE_CACHE = True
    settings.SECURE_HSTS_SECONDS = 3600
    ArticleFactory()
    first = client.get("/news/", secure=True)
    hit = client.get("/news/", secure=True)
    assert (first["X-Page-Cache"], hit["X-Page-Cache"]) == ("MISS", "HIT")
    for header in (
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
    ):
        assert hit[header] == first[header], header


def test_a_request_to_be_redirected_to_https_is_never_answered_from_the_cache(client, settings):
    settings.PAGE_CACHE = True
    ArticleFactory()
    client.get("/news/")
    assert client.get("/news/")["X-Page-Cache"] == "HIT"
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/news/")  # SecurityMiddleware reads the setting when built
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/news/"
