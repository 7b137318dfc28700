"""Inquiries in several languages: the language of the form is recorded, the journalist
is acknowledged in it, and the press office sees it."""

import pytest
from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains

from press.models import MediaInquiry
from tests.factories import MediaInquiryFactory
from tests.press.helpers import inquiry_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("multilingual")]


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    def send(url, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, inquiry_data(**overrides))

    return send


@pytest.fixture
def press_client(client, press_officer):
    client.force_login(press_officer)
    return client


def test_the_form_language_is_recorded(submit):
    response = submit("/es/press/inquiry/", email="es@example.com")
    assert response.status_code == 303
    assert response["Location"].startswith("/es/press/inquiry/")
    submit("/press/inquiry/", email="en@example.com")
    submit("/ar/press/inquiry/", email="ar@example.com")

    languages = dict(MediaInquiry.objects.values_list("email", "language"))
    assert languages == {"es@example.com": "es", "en@example.com": "en", "ar@example.com": "ar"}


def test_the_acknowledgement_is_in_the_form_language(submit):
    submit("/es/press/inquiry/")

    inquiry = MediaInquiry.objects.get()
    office, ack = mail.outbox
    assert ack.to == ["jane@example.com"]
    assert ack.body.startswith("Hola:")
    assert "Gracias por su consulta" in ack.body
    assert inquiry.reference in ack.subject and inquiry.reference in ack.body
    assert "Thank you for your inquiry" not in ack.body
    # The press office's copy stays in the newsroom's language, and says the journalist's.
    assert "New media inquiry" in office.body
    assert "Language: Español" in office.body


def test_an_english_form_is_acknowledged_in_english(submit):
    submit("/press/inquiry/")
    _office, ack = mail.outbox
    assert "Thank you for your inquiry" in ack.body


def test_the_press_office_sees_the_language_in_the_list_and_filters_by_it(press_client):
    MediaInquiryFactory(subject="Pregunta sobre detenciones", language="es")
    MediaInquiryFactory(subject="Question on detentions", language="en")

    page = press_client.get("/admin/press/mediainquiry/")
    assertContains(page, "column-language_display")
    assertContains(page, "Español")

    spanish = press_client.get("/admin/press/mediainquiry/?language=es")
    assertContains(spanish, "Pregunta sobre detenciones")
    assertNotContains(spanish, "Question on detentions")


def test_the_press_office_sees_the_language_on_the_inquiry(press_client):
    inquiry = MediaInquiryFactory(language="ar")
    page = press_client.get(f"/admin/press/mediainquiry/{inquiry.pk}/change/")
    assert page.status_code == 200
    assertContains(page, "العربية")


def test_one_language_newsroom_has_no_language_column(press_client, settings):
    settings.LANGUAGES = [("en", "English")]
    MediaInquiryFactory()
    page = press_client.get("/admin/press/mediainquiry/")
    assert page.status_code == 200
    assertNotContains(page, "column-language_display")


def test_an_odd_language_parameter_in_the_admin_is_no_error(press_client):
    MediaInquiryFactory()
    for odd in ("%00xx", "xx", "es%00"):
        page = press_client.get(f"/admin/press/mediainquiry/?language={odd}")
        assert page.status_code in (200, 302)
