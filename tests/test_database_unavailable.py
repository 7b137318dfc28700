"""The database gone under a page that needs it: a 503 that says so, never a 500.

Forms that store what a visitor typed give it back themselves (tests/press/
test_inquiry_outage.py, tests/alerts/test_subscribe_outage.py); these are the pages that
cannot even be drawn, because the cache is cold and what they show lives in the database.
"""

import logging

import pytest
from django.core.cache import cache
from django.db import ProgrammingError
from django.test import Client
from django.urls import path

from tests.database_outage import database_down
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

UNAVAILABLE = "This page is briefly unavailable"


def programming_error(request):
    raise ProgrammingError("a bug, not an outage")


urlpatterns = [path("bug/", programming_error)]


@pytest.fixture
def visitor(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    # nginx must not keep it: it serves its last good copy for a 503 instead.
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    html = response.content.decode()
    assert UNAVAILABLE in html
    return html


@pytest.mark.parametrize("url", ["/", "/news/", "/news/?region=mx&type=report", "/news/feed/"])
def test_a_public_page_on_a_cold_cache_answers_503(visitor, url):
    ArticleFactory()
    cache.clear()
    with database_down():
        response = visitor.get(url)
    html = assert_unavailable(response)
    assert "not saved" not in html


def test_an_article_on_a_cold_cache_answers_503(visitor):
    article = ArticleFactory()
    cache.clear()
    with database_down():
        response = visitor.get(article.get_absolute_url())
    assert_unavailable(response)


def test_a_form_that_cannot_validate_says_nothing_was_saved(visitor):
    """The alert form's regions come from the database: on a cold cache it cannot even
    validate what was typed, so the journalist is told the subscription was not saved."""
    cache.clear()
    visitor.get("/press/alerts/")  # the CSRF cookie, as the journalist's browser has it
    cache.clear()
    with database_down():
        response = visitor.post(
            "/press/alerts/", {"email": "reporter@example.com", "region": "mx"}
        )
    html = assert_unavailable(response)
    assert "<strong>not saved</strong>" in html


def test_the_outage_is_logged_as_a_warning_with_the_page(visitor, caplog):
    cache.clear()
    with caplog.at_level(logging.WARNING, logger="core.outage"), database_down():
        visitor.get("/news/")
    (record,) = [r for r in caplog.records if r.name == "core.outage"]
    assert "GET /news/ answered 503" in record.getMessage()


def test_a_bug_in_a_query_stays_a_server_error(visitor, settings):
    """Only a database that cannot be reached is an outage; a bad query is a bug and
    must reach the error reports as one."""
    settings.ROOT_URLCONF = __name__
    response = visitor.get("/bug/")
    assert response.status_code == 500


@pytest.mark.parametrize(
    ("url", "lang", "words"),
    [
        ("/es/news/", 'lang="es" dir="ltr"', "Esta página no está disponible por un momento"),
        ("/ar/news/", 'lang="ar" dir="rtl"', "هذه الصفحة غير متاحة مؤقتاً"),
    ],
)
def test_the_outage_page_speaks_the_language_of_the_address(
    visitor, multilingual, url, lang, words
):
    cache.clear()
    with database_down():
        response = visitor.get(url)

    assert response.status_code == 503
    html = response.content.decode()
    assert f"<html {lang}>" in html
    assert words in html
    assert UNAVAILABLE not in html
    assert f'href="{url}"' in html  # back to that language's newsroom
