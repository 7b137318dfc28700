"""The header's row and the footer are rendered once per worker and reused: what they
show must still follow the page, the language and the site settings at once."""

import re

import pytest
from django.test import override_settings
from django.utils import timezone

from core.models import SiteSettings
from core.templatetags import page_chrome
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def current_links(html):
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)" aria-current="(page|true)"', nav)


@pytest.fixture(autouse=True)
def forget_rendered():
    page_chrome._rendered.cache_clear()
    yield
    page_chrome._rendered.cache_clear()


def test_each_page_marks_its_own_place_in_the_navigation(client):
    article = ArticleFactory()
    assert current_links(client.get("/").text) == [("/", "page")]
    assert current_links(client.get("/news/").text) == [("/news/", "page")]
    assert current_links(client.get("/news/?page=1").text) == [("/news/", "page")]
    assert current_links(client.get(article.get_absolute_url()).text) == [("/news/", "true")]
    assert current_links(client.get("/press/inquiry/").text) == [("/press/inquiry/", "page")]
    assert current_links(client.get("/news/corrections/").text) == [("/news/", "true")]
    # And the home page again, after the others were kept: still its own.
    assert current_links(client.get("/").text) == [("/", "page")]


def test_a_new_site_name_shows_at_once_in_header_and_footer(client):
    client.get("/news/")
    settings = SiteSettings.load()
    settings.name = "Rights Watch Press Room"
    settings.save()
    html = client.get("/news/").text
    header, footer = html.split("<main", 1)[0], html.split("</main>", 1)[1]
    assert "<span>Rights Watch Press Room</span>" in header
    assert "Rights Watch Press Room." in footer


def test_a_site_name_is_escaped(client):
    settings = SiteSettings.load()
    settings.name = "Rights & <Wrongs>"
    settings.save()
    html = client.get("/news/").text
    assert "<span>Rights &amp; &lt;Wrongs&gt;</span>" in html
    assert "<Wrongs>" not in html


def test_the_footer_names_the_current_year(client):
    html = client.get("/news/").text
    assert f"&copy; {timezone.localdate().year} " in html


@override_settings(LANGUAGES=[("en", "English"), ("es", "Español")])
def test_each_language_has_its_own(client):
    english = client.get("/news/").text
    spanish = client.get("/es/news/").text
    assert current_links(spanish) == [("/es/news/", "page")]
    assert "All news" in english.split("</main>", 1)[1]
    assert "All news" not in spanish.split("</main>", 1)[1]


def test_rendered_once_per_worker_outside_development(client):
    client.get("/news/")
    client.get("/news/")
    info = page_chrome._rendered.cache_info()
    assert info.misses == 2  # the header's row and the footer, once each
    assert info.hits == 2


@override_settings(DEBUG=True)
def test_in_development_an_edited_template_shows_without_a_restart(client):
    client.get("/news/")
    assert page_chrome._rendered.cache_info().currsize == 0
