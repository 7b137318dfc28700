"""The press contacts page as a journalist uses it: photos, topics, direct numbers, the
out-of-hours line, valid tel: links, and a contact card (.vcf) for each person."""

import re

import pytest
from django.conf import settings as django_settings

from articles.models import Region
from core.models import SiteSettings
from media_library.processing import photo_generate_renditions
from press.vcards import escape, vcard
from tests.factories import PhotoFactory, PressContactFactory, SpokespersonFactory

pytestmark = pytest.mark.django_db

TEL_HREF = re.compile(r'href="(tel:[^"]*)"')
VALID_TEL = re.compile(r"^tel:\+[0-9]{4,}(;ext=[0-9]{1,6})?$")


@pytest.fixture
def site_settings():
    row = SiteSettings.load()
    row.press_phone = "+1 212 555 0100"
    row.out_of_hours_phone = "+1 (212) 555-0199"
    row.save()
    return row


def test_spokesperson_with_photo_topics_and_direct_contact(client, site_settings):
    photo = PhotoFactory()
    photo_generate_renditions(photo=photo)
    person = SpokespersonFactory(
        name="Ana Rivera",
        role="Americas Director",
        languages="English, Spanish",
        topics="Refugees and migrants, Detention",
        email="ana@example.org",
        phone="+52 55 1234 5678",
        photo=photo,
    )
    person.regions.set(Region.objects.filter(slug="mx"))
    SpokespersonFactory(name="No Direct Line", email="", phone="")
    html = client.get("/press/").content.decode()
    assert "Ana Rivera" in html and "Americas Director" in html and "<picture>" in html
    assert "English, Spanish" in html and "Mexico" in html
    assert "Refugees and migrants, Detention" in html
    assert 'href="mailto:ana@example.org"' in html
    assert '<a href="tel:+525512345678">+52 55 1234 5678</a>' in html
    assert 'href="/press/spokespeople/' + person.slug + '.vcf"' in html
    # The person without direct lines shows none.
    section = html[html.index("No Direct Line") :]
    section = section[: section.index("</li>")]
    assert "mailto:" not in section and "tel:" not in section


def test_out_of_hours_line_and_every_tel_link_is_valid(client, site_settings):
    PressContactFactory(phone="+44 20 7946 0958 ext. 3")
    SpokespersonFactory(phone="+1 212 555 0142")
    html = client.get("/press/").content.decode()
    assert "Out of hours:" in html
    assert '<a href="tel:+12125550199">+1 (212) 555-0199</a>' in html
    hrefs = TEL_HREF.findall(html)
    assert len(hrefs) == 4
    assert all(VALID_TEL.match(href) for href in hrefs), hrefs


def test_press_pages_make_valid_tel_links(client, site_settings):
    for path in ("/press/inquiry/",):
        hrefs = TEL_HREF.findall(client.get(path).content.decode())
        assert hrefs and all(VALID_TEL.match(href) for href in hrefs), hrefs


def test_no_out_of_hours_line_when_unset(client):
    assert "Out of hours" not in client.get("/press/").content.decode()


def test_query_count_with_every_field(client, site_settings, django_assert_max_num_queries):
    photo = PhotoFactory()
    photo_generate_renditions(photo=photo)
    for _ in range(6):
        person = SpokespersonFactory(photo=photo, topics="Torture", phone="+1 212 555 0100")
        person.regions.set(Region.objects.filter(slug="fr"))
        PressContactFactory().regions.set(Region.objects.filter(slug="mx"))
    client.get("/press/")
    with django_assert_max_num_queries(5):
        response = client.get("/press/")
    assert response.content.decode().count(".vcf") == 12


class TestSpokespersonVCard:
    def test_content_and_headers(self, client, site_settings, django_assert_max_num_queries):
        person = SpokespersonFactory(
            name="Ana Rivera; CEO, Acme\\Co",
            slug="ana-rivera",
            role="Director, Americas",
            languages="English, Spanish",
            topics="Refugees and migrants",
            email="ana@example.org",
            phone="+52 55 1234 5678",
        )
        client.get(f"/press/spokespeople/{person.slug}.vcf")
        with django_assert_max_num_queries(2):
            response = client.get(f"/press/spokespeople/{person.slug}.vcf")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/vcard; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="ana-rivera.vcf"'
        body = response.content.decode()
        lines = body.split("\r\n")
        assert lines[0] == "BEGIN:VCARD" and lines[1] == "VERSION:3.0"
        assert lines[-2] == "END:VCARD" and lines[-1] == ""
        assert "FN:Ana Rivera\\; CEO\\, Acme\\\\Co" in lines
        assert "TITLE:Director\\, Americas" in lines
        assert "ORG:Newsroom" in lines
        assert "EMAIL;TYPE=INTERNET,WORK:ana@example.org" in lines
        assert "TEL;TYPE=WORK,VOICE:+525512345678" in lines
        assert any(line.startswith("NOTE:Languages: English\\, Spanish") for line in lines)
        assert f"URL:{django_settings.SITE_URL}/press/#ana-rivera" in lines

    def test_without_direct_contact_gives_the_press_office_and_no_tel(self, client):
        person = SpokespersonFactory(email="", phone="")
        body = client.get(f"/press/spokespeople/{person.slug}.vcf").content.decode()
        press_email = SiteSettings.load().press_email
        assert f"EMAIL;TYPE=INTERNET,WORK:{press_email}\r\n" in body
        assert "TEL" not in body

    def test_inactive_and_unknown_are_404(self, client):
        hidden = SpokespersonFactory(is_active=False)
        assert client.get(f"/press/spokespeople/{hidden.slug}.vcf").status_code == 404
        assert client.get("/press/spokespeople/nobody.vcf").status_code == 404

    def test_in_the_page_cache_contract(self, client):
        person = SpokespersonFactory()
        path = f"/press/spokespeople/{person.slug}.vcf"
        assert any(re.search(p, path) for p in django_settings.PAGE_CACHE_PATHS)
        assert "s-maxage=" in client.get(path)["Cache-Control"]
        # Unknown parameters make no new entry in the edge's cache.
        assert "s-maxage=" not in client.get(path, {"utm_source": "x"}).get("Cache-Control", "")


class TestPressContactVCard:
    def test_content_and_headers(self, client, django_assert_max_num_queries):
        contact = PressContactFactory(
            name="Sam Okafor", email="sam@example.org", phone="+234 201 234 5678 ext. 9"
        )
        client.get(f"/press/contacts/{contact.pk}.vcf")
        with django_assert_max_num_queries(2):
            response = client.get(f"/press/contacts/{contact.pk}.vcf")
        assert response["Content-Type"] == "text/vcard; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="press-contact-{contact.pk}.vcf"'
        )
        body = response.content.decode()
        assert "FN:Sam Okafor\r\n" in body
        assert "TEL;TYPE=WORK,VOICE:+2342012345678 ext. 9\r\n" in body
        assert "EMAIL;TYPE=INTERNET,WORK:sam@example.org\r\n" in body

    def test_inactive_and_unknown_are_404(self, client):
        gone = PressContactFactory(is_active=False)
        assert client.get(f"/press/contacts/{gone.pk}.vcf").status_code == 404
        assert client.get("/press/contacts/999999.vcf").status_code == 404
        assert client.get("/press/contacts/abc.vcf").status_code == 404


@pytest.mark.parametrize(
    ("name", "given", "family", "expected"),
    [
        ("Inés Calder", "Inés", "Calder", "N:Calder;Inés;;;"),
        ("Gabriel García Márquez", "Gabriel", "García Márquez", "N:García Márquez;Gabriel;;;"),
        # Family name first as written, given and family names still in their places.
        ("Li Wei", "Wei", "Li", "N:Li;Wei;;;"),
    ],
)
def test_cards_put_family_and_given_names_in_their_fields(client, name, given, family, expected):
    person = SpokespersonFactory(name=name, given_name=given, family_name=family)
    contact = PressContactFactory(name=name, given_name=given, family_name=family)
    for path in (f"/press/spokespeople/{person.slug}.vcf", f"/press/contacts/{contact.pk}.vcf"):
        lines = client.get(path).content.decode().split("\r\n")
        assert f"FN:{name}" in lines, path
        assert expected in lines, path


def test_escape_and_fold():
    assert escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    card = vcard(name="Ñ" * 60, organisation="Org", note="é" * 100)
    for line in card.split("\r\n"):
        assert len(line.encode()) <= 75
    # Unfolding gives back the value whole.
    unfolded = card.replace("\r\n ", "")
    assert "FN:" + "Ñ" * 60 in unfolded and "NOTE:" + "é" * 100 in unfolded
