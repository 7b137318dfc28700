"""The press contacts page: whom journalists can reach and interview."""

import pytest
from django.urls import reverse

from articles.models import Region
from media_library.processing import photo_generate_renditions
from tests.factories import PhotoFactory, PressContactFactory, SpokespersonFactory

pytestmark = pytest.mark.django_db


def test_url_contract():
    assert reverse("press:contacts") == "/press/"


def test_lists_active_contacts_and_spokespeople(client):
    contact = PressContactFactory(name="Sam Okafor", topics="Death penalty, Torture")
    contact.regions.set(Region.objects.filter(slug__in=["ng", "gh"]))
    PressContactFactory(name="Gone Away", is_active=False)
    person = SpokespersonFactory(name="Ana Rivera", languages="English, Spanish")
    person.regions.set(Region.objects.filter(slug="mx"))
    SpokespersonFactory(name="Hidden Person", is_active=False)

    response = client.get("/press/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sam Okafor" in html and "mailto:" in html
    assert "Ghana, Nigeria" in html and "Death penalty, Torture" in html
    assert "Ana Rivera" in html and "English, Spanish" in html and "Mexico" in html
    assert "Gone Away" not in html and "Hidden Person" not in html
    assert reverse("press:inquiry") in html
    assert "style=" not in html and "<script" not in html


def test_query_count_does_not_grow(client, django_assert_max_num_queries):
    photo = PhotoFactory()
    photo_generate_renditions(photo=photo)
    for n in range(8):
        contact = PressContactFactory()
        contact.regions.set(Region.objects.filter(slug__in=["mx", "us"]))
        person = SpokespersonFactory(photo=photo if n % 2 else None)
        person.regions.set(Region.objects.filter(slug="fr"))
    client.get("/press/")
    # contacts + their regions, spokespeople (with photos) + their regions, settings.
    with django_assert_max_num_queries(5):
        response = client.get("/press/")
    assert response.status_code == 200
    assert response.content.decode().count('class="spokesperson"') == 8
    assert "<picture>" in response.content.decode()


def test_empty_page_still_points_to_the_form(client):
    response = client.get("/press/")
    assert response.status_code == 200
    assert reverse("press:inquiry") in response.content.decode()
