"""Every page says its language and direction in <html lang dir>, and the public header
offers the site's other languages, by their own names, on a site that has any."""

import re

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.test import Client
from django.urls import path
from pytest_django.asserts import assertContains, assertNotContains

from newsroom.urls import handler500
from newsroom.urls import urlpatterns as site_urlpatterns
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def fail(request):
    raise RuntimeError("The view failed on purpose")


# This module as a URLconf: the site, plus a failing view in every language.
urlpatterns = [
    *i18n_patterns(path("fail/", fail), prefix_default_language=False),
    *site_urlpatterns,
]
__all__ = ["handler500", "urlpatterns"]


def html_tag(response):
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def switcher(response):
    found = re.search(
        r'<nav class="language-switcher".*?</nav>', response.content.decode(), re.DOTALL
    )
    return found.group(0) if found else None


@pytest.mark.usefixtures("multilingual")
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/news/", '<html lang="en" dir="ltr">'),
        ("/es/news/", '<html lang="es" dir="ltr">'),
        ("/ar/news/", '<html lang="ar" dir="rtl">'),
        ("/ar/", '<html lang="ar" dir="rtl">'),
        ("/ar/press/inquiry/", '<html lang="ar" dir="rtl">'),
        ("/ar/news/corrections/", '<html lang="ar" dir="rtl">'),
        ("/fr/news/feed/about/", '<html lang="fr" dir="ltr">'),
    ],
)
def test_the_html_element_says_the_pages_language_and_direction(client, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    assert html_tag(response) == expected


@pytest.mark.usefixtures("multilingual")
def test_an_arabic_article_and_an_arabic_404_are_right_to_left(client):
    ArticleFactory(language="ar", slug="sudan-release", title="السودان: أطلقوا سراحهم")

    assert html_tag(client.get("/ar/news/sudan-release/")) == '<html lang="ar" dir="rtl">'
    missing = client.get("/ar/news/no-such-story/")
    assert missing.status_code == 404
    assert html_tag(missing) == '<html lang="ar" dir="rtl">'


@pytest.mark.usefixtures("multilingual")
def test_the_500_page_speaks_the_addresss_language(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)

    arabic = client.get("/ar/fail/")
    english = client.get("/fail/")

    assert arabic.status_code == 500
    assert html_tag(arabic) == '<html lang="ar" dir="rtl">'
    assert html_tag(english) == '<html lang="en" dir="ltr">'


@pytest.mark.usefixtures("multilingual")
def test_the_switcher_names_each_language_in_its_own_language_and_marks_the_current(client):
    nav = switcher(client.get("/ar/news/"))

    assert nav is not None
    links = re.findall(r"<a ([^>]*)>([^<]*)</a>", nav)
    assert [name for _attrs, name in links] == ["English", "Español", "Français", "العربية"]
    attrs = links[3][0]
    assert 'href="/ar/news/"' in attrs
    assert 'lang="ar"' in attrs and 'hreflang="ar"' in attrs and 'dir="rtl"' in attrs
    assert 'aria-current="true"' in attrs
    assert 'href="/news/"' in links[0][0] and 'hreflang="en"' in links[0][0]
    assert 'href="/es/news/"' in links[1][0] and 'dir="ltr"' in links[1][0]
    assert sum('aria-current="true"' in a for a, _name in links) == 1


@pytest.mark.usefixtures("multilingual")
@pytest.mark.parametrize(
    ("url", "french"),
    [
        ("/", "/fr/"),
        ("/ar/press/inquiry/", "/fr/press/inquiry/"),
        ("/es/news/corrections/", "/fr/news/corrections/"),
    ],
)
def test_the_switcher_links_to_the_same_page_in_each_language(client, url, french):
    assertContains(client.get(url), f'<a href="{french}" lang="fr" hreflang="fr"')


@pytest.mark.usefixtures("multilingual")
def test_on_an_article_the_switcher_falls_back_to_each_languages_list(client):
    ArticleFactory(language="ar", slug="sudan-release")

    nav = switcher(client.get("/ar/news/sudan-release/"))

    assert '<a href="/es/news/" lang="es"' in nav
    assert '<a href="/news/" lang="en"' in nav
    # The current language's link is this page itself.
    assert '<a href="/ar/news/sudan-release/" lang="ar"' in nav


@pytest.mark.usefixtures("multilingual")
def test_a_views_own_translations_take_the_place_of_the_fallback(rf):
    from django.template import Context, Template
    from django.utils import translation

    request = rf.get("/news/sudan-release/")
    request.resolver_match = None
    template = Template("{% load language_switcher %}{% language_switcher %}")
    with translation.override("en"):
        html = template.render(
            Context(
                {
                    "request": request,
                    "translations": [("ar", "العربية", "/ar/news/al-sudan/")],
                }
            )
        )

    assert '<a href="/ar/news/al-sudan/" lang="ar"' in html
    assert '<a href="/es/news/" lang="es"' in html  # no Spanish version: its list


def test_an_english_only_site_has_no_switcher_and_the_header_of_before(client, settings):
    settings.LANGUAGES = [("en", "English")]

    response = client.get("/news/")

    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assertNotContains(response, "language-switcher")
    assertContains(
        response, '<header class="site-header">\n  <div class="container site-header__inner">'
    )


@pytest.mark.usefixtures("multilingual")
def test_on_an_article_the_switcher_leads_to_its_translations(client):
    source = ArticleFactory(slug="sudan-release")
    ArticleFactory(language="ar", translation_of=source, slug="al-sudan")
    ArticleFactory(language="es", translation_of=source, slug="sudan-borrador", draft=True)

    nav = switcher(client.get("/ar/news/al-sudan/"))

    assert '<a href="/news/sudan-release/" lang="en"' in nav
    assert '<a href="/ar/news/al-sudan/" lang="ar"' in nav
    # No live Spanish version (a draft is never linked): the Spanish list.
    assert '<a href="/es/news/" lang="es"' in nav
    assert "sudan-borrador" not in nav


@pytest.mark.usefixtures("multilingual")
def test_a_page_outside_the_language_tree_has_no_switcher(client):
    assert switcher(client.get("/news/")) is not None
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert switcher(missing) is None
