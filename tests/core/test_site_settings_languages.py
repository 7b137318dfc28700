"""The site settings' visitor-facing texts per language: edited in the admin, read by
each language's pages, falling back to the default language's."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import SiteSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

BASE = {
    "name": "Press room",
    "mission": "We stand up for human rights.",
    "intro": "News and reports.",
    "press_email": "press@example.org",
    "press_phone": "",
    "inquiry_recipients": "",
    "corrections_policy": "We correct our errors in public.",
}


def _row(**translations):
    row = SiteSettings.objects.get_or_create(pk=1)[0]
    for field, value in BASE.items():
        if field in SiteSettings.TRANSLATED_FIELDS:
            setattr(row, field, value)
    row.translations = translations
    row.save()
    return row


@pytest.mark.usefixtures("multilingual")
def test_a_text_falls_back_to_the_default_languages():
    row = _row(es={"name": "Sala de prensa", "mission": "  "}, fr="not a dict")

    assert row.text("name", "es") == "Sala de prensa"
    assert row.text("mission", "es") == "We stand up for human rights."  # blank: fallback
    assert row.text("name", "fr") == "Press room"  # odd data: fallback
    assert row.text("name", "en") == "Press room"
    with translation.override("es"):
        local = row.localised()
    assert (local.name, local.intro) == ("Sala de prensa", "News and reports.")
    assert row.name == "Press room"  # the row itself is untouched
    assert row.localised("en") is row


@pytest.mark.usefixtures("multilingual")
def test_each_languages_pages_read_its_texts(client):
    _row(
        es={
            "name": "Sala de prensa",
            "mission": "Defendemos los derechos humanos.",
            "corrections_policy": "Corregimos nuestros errores en público.",
        }
    )
    ArticleFactory(language="es")

    spanish = client.get("/es/news/").content.decode()
    assert "<h1>Sala de prensa</h1>" in spanish
    assert "Defendemos los derechos humanos." in spanish
    assert "News and reports." in spanish  # no Spanish intro: the default's
    english = client.get("/news/").content.decode()
    assert "<h1>Press room</h1>" in english and "Sala de prensa" not in english
    assert "Sala de prensa" in client.get("/es/news/feed/").content.decode()
    assert "Corregimos nuestros errores" in client.get("/es/news/corrections/").content.decode()
    # A language without texts shows the default language's.
    assert "<h1>Press room</h1>" in client.get("/fr/news/").content.decode()


@pytest.mark.usefixtures("multilingual")
def test_editors_write_the_texts_per_language(editor_client):
    row = _row(de={"name": "Pressestelle"})  # a language no longer configured
    url = reverse("admin:core_sitesettings_change", args=[row.pk])
    page = editor_client.get(url).content.decode()
    assert "Texts in Español" in page and "Texts in العربية" in page
    assert 'name="name__es"' in page and 'name="name__en"' not in page

    response = editor_client.post(
        url,
        BASE
        | {
            "name__es": "Sala de prensa",
            "mission__es": "",
            "name__ar": "غرفة الأخبار",
            "corrections_policy__ar": "نصحح أخطاءنا علنًا.",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.translations == {
        "de": {"name": "Pressestelle"},
        "es": {"name": "Sala de prensa"},
        "ar": {"name": "غرفة الأخبار", "corrections_policy": "نصحح أخطاءنا علنًا."},
    }
    assert 'value="Sala de prensa"' in editor_client.get(url).content.decode()

    # Emptied: the language reads the default's again.
    editor_client.post(url, BASE | {"name__ar": "", "corrections_policy__ar": ""})
    row.refresh_from_db()
    assert "ar" not in row.translations
    assert row.text("name", "ar") == "Press room"


def test_an_english_only_site_edits_and_shows_as_before(editor_client, client):
    row = _row()
    url = reverse("admin:core_sitesettings_change", args=[row.pk])
    assert "Texts in" not in editor_client.get(url).content.decode()
    assert editor_client.post(url, BASE | {"name": "Our newsroom"}).status_code == 302
    row.refresh_from_db()
    assert row.name == "Our newsroom" and row.translations == {}
    client.logout()
    assert "<h1>Our newsroom</h1>" in client.get("/news/").content.decode()
