"""What shared caches may keep of a page, for whom, and when the content version moves."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from articles.models import Article, Region
from core import cache as page_cache
from newsroom.urls import urlpatterns as site_urlpatterns
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
    *site_urlpatterns,
]


@pytest.fixture
def page_cache_on(settings):
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


def shared_seconds(response):
    """How long a shared cache (nginx, a CDN) may keep ``response``: its s-maxage, or
    None when it may not keep it at all."""
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    if {"private", "no-store", "no-cache"} & directives or "public" not in directives:
        return None
    seconds = [int(d.split("=")[1]) for d in directives if d.startswith("s-maxage=")]
    return seconds[0] if seconds and seconds[0] > 0 else None


def test_anonymous_public_pages_may_be_kept_briefly_by_shared_caches(client, page_cache_on):
    ArticleFactory(title="Release the activists")
    response = client.get("/news/")
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {
        "public",
        "max-age=0",
        "must-revalidate",
        "s-maxage=10",
        "stale-while-revalidate=1",
        "stale-if-error=3600",
    }
    assert client.head("/news/")["Cache-Control"] == response["Cache-Control"]


def test_editing_an_article_moves_the_content_version(client, page_cache_on):
    article = ArticleFactory(title="Old headline")
    assert b"Old headline" in client.get("/news/").content
    before = page_cache.content_version()

    article.title = "New headline"
    article.save()
    commit()

    assert page_cache.content_version() > before
    assert b"New headline" in client.get("/news/").content


def test_unpublishing_removes_the_article_from_pages(client, page_cache_on):
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
        before = page_cache.content_version()
        change()
        commit()
        assert page_cache.content_version() > before


def test_a_photo_edit_invalidates(page_cache_on):
    photo = PhotoFactory()
    before = page_cache.content_version()
    photo.caption = "A corrected caption"
    photo.save()
    commit()
    assert page_cache.content_version() > before


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


def test_no_page_is_kept_past_a_scheduled_publication(client, page_cache_on, fake_now):
    goes_live_at = fake_now.return_value + timedelta(hours=1)
    article = ArticleFactory(title="Embargoed report", published_at=goes_live_at)

    fake_now.return_value = goes_live_at - timedelta(seconds=5)
    urls = ["/", "/news/", "/news/feed/", "/sitemap.xml", "/press/", "/robots.txt"]
    for url in [*urls, article.get_absolute_url()]:
        before = client.get(url)
        assert b"Embargoed report" not in before.content
        # Neither a browser nor a shared cache may keep it past the publication time.
        assert shared_seconds(before) == 5, url
    assert client.get(article.get_absolute_url()).status_code == 404

    fake_now.return_value = goes_live_at - timedelta(milliseconds=500)
    assert shared_seconds(client.get("/news/")) is None

    fake_now.return_value = goes_live_at
    after = client.get("/news/")
    assert b"Embargoed report" in after.content
    assert shared_seconds(after) == 10


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
    client.force_login(editor)
    response = client.get("/news/")
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_pending_messages_make_the_page_private(client, page_cache_on):
    client.cookies["messages"] = "anything"
    response = client.get("/news/")
    assert shared_seconds(response) is None
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("url", ["/news/cookie/", "/news/form/", "/news/never/"])
def test_responses_that_set_cookies_or_carry_forms_are_never_kept(client, page_cache_on, url):
    for _ in range(2):
        assert shared_seconds(client.get(url)) is None
        client.cookies.clear()


def test_a_form_page_elsewhere_is_private(client, page_cache_on):
    """The inquiry form sets the CSRF cookie: no shared cache keeps it, and nginx's
    copy of a public page never carries anyone's token."""
    page_cache_on.ROOT_URLCONF = "newsroom.urls"
    response = client.get("/press/inquiry/")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "private" in response["Cache-Control"]


def test_not_found_public_pages_are_kept_so_they_replace_an_unpublished_page(
    client, page_cache_on
):
    missing = client.get("/news/missing/")
    assert missing.status_code == 404
    assert shared_seconds(missing) == 10
    assert shared_seconds(client.post("/news/")) is None
    elsewhere = client.get("/nowhere/")
    assert elsewhere.status_code == 404
    assert shared_seconds(elsewhere) is None


def test_only_public_paths_are_marked(client, page_cache_on):
    assert "Cache-Control" not in client.get("/elsewhere/")
    assert not page_cache.is_public_path("/admin/")
    assert not page_cache.is_public_path("/press/inquiry/")
    assert not page_cache.is_public_path("/healthz")
    assert page_cache.is_public_path("/news/feed/")
    assert page_cache.is_public_path("/sitemap.xml")
    assert page_cache.is_public_path("/sitemap-articles.xml")
    assert page_cache.is_public_path("/press/")
    assert not page_cache.is_public_path("/press/inquiry/thanks/")


def test_a_page_registered_by_an_app_is_public_whatever_the_order(page_cache_on):
    assert page_cache.public_parameters("/news/feed/help/") == ()
    page_cache.public_pages(r"^/news/feed/help/$", ["lang"])
    try:
        assert page_cache.public_parameters("/news/feed/help/") == ("lang",)
        # The list keeps what it understood.
        assert "page" in page_cache.public_parameters("/news/")
    finally:
        page_cache._public_pages.pop()


def test_conditional_get_answers_not_modified(client, page_cache_on):
    ArticleFactory()
    first = client.get("/news/")
    assert first["ETag"]
    again = client.get("/news/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_unknown_parameters_are_never_kept(client, page_cache_on):
    assert shared_seconds(client.get("/news/?type=report&page=1")) == 10
    for query in ("r=1", "r=2&utm_source=x"):
        response = client.get(f"/news/?type=report&{query}")
        assert response.status_code == 200
        assert shared_seconds(response) is None, query
    assert shared_seconds(client.get("/sitemap.xml?p=1")) == 10
    assert shared_seconds(client.get("/sitemap.xml?r=12345")) is None


def test_a_list_that_ignored_invalid_filters_is_not_kept(client):
    ArticleFactory()
    response = client.get("/news/?year=not-a-year")
    assert response.status_code == 200
    assert shared_seconds(response) is None
    assert shared_seconds(client.get("/news/feed/?year=not-a-year")) is None


def test_the_real_public_pages_may_be_kept(client):
    article = ArticleFactory(title="Release the activists")
    urls = [
        "/",
        "/news/",
        "/news/?type=report",
        article.get_absolute_url(),
        "/news/feed/",
        "/news/feed/atom/",
        "/news/corrections/",
        "/sitemap.xml",
        "/robots.txt",
        "/press/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert shared_seconds(response) == 10, url


@pytest.mark.usefixtures("multilingual")
def test_a_languages_pages_may_be_kept_and_its_forms_are_not(client):
    """/es/news/ is the page /news/ is, in Spanish: kept as briefly by shared caches;
    /es/press/inquiry/ carries a visitor's CSRF token, as /press/inquiry/ does."""
    source = ArticleFactory(slug="release-them")
    spanish = ArticleFactory(slug="liberenlos", language="es", translation_of=source)
    for url in [
        "/es/",
        "/es/news/",
        "/es/news/?type=report",
        spanish.get_absolute_url(),
        "/es/news/feed/",
        "/es/news/feed/atom/",
        "/ar/news/corrections/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert shared_seconds(response) == 10, url
    assert spanish.get_absolute_url() == "/es/news/liberenlos/"

    form = client.get("/es/press/inquiry/")
    assert form.status_code == 200
    assert "csrftoken" in form.cookies
    assert shared_seconds(form) is None
    assert "no-store" in form["Cache-Control"] or "private" in form["Cache-Control"]
    # Not a language the newsroom publishes in: no page, nothing kept.
    assert shared_seconds(client.get("/de/news/")) is None
