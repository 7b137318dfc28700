"""The media inquiry form while the database is down: the journalist keeps what they
typed, learns that it was not saved, and gets the press office's address: a 503, never
a bare 500."""

from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, ProgrammingError
from django.utils.html import escape

from core.models import SiteSettings
from press import services
from press.models import MediaInquiry
from tests.database_outage import database_down
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

URL = "/press/inquiry/"
NOT_SAVED = "We could not save your inquiry right now."
TYPED = {
    "name": "Jane Reporter",
    "outlet": "The Daily Example",
    "subject": "Comment on the detentions",
    "message": "Could a spokesperson comment on the detentions today? <b>Urgent</b> & brief.",
    "topic": "Detention",
}


def assert_kept_what_was_typed(response):
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert NOT_SAVED in html
    assert "try again in a few minutes" in html
    for value in TYPED.values():
        assert escape(value) in html, value
    assert 'value="jane@example.com"' in html
    assert '<option value="mx" selected>Mexico</option>' in html
    assert 'id="id_consent" checked' in html
    return html


def test_an_inquiry_the_database_cannot_store_comes_back_with_everything_typed(client):
    settings_row = SiteSettings.load()
    settings_row.press_email = "media@example.org"
    settings_row.save()
    refused = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(services, "inquiry_submit", side_effect=refused):
        response = client.post(URL, inquiry_data(**TYPED))
    html = assert_kept_what_was_typed(response)
    assert 'href="mailto:media@example.org"' in html
    assert not MediaInquiry.objects.exists()


def test_without_the_site_settings_the_press_office_setting_gives_the_address(client, settings):
    settings.PRESS_OFFICE_EMAIL = "desk@example.org"
    client.get(URL)  # the form as the journalist opened it
    refused = OperationalError("connection refused")
    with (
        mock.patch.object(services, "inquiry_submit", side_effect=refused),
        mock.patch.object(SiteSettings, "load", side_effect=refused),
    ):
        response = client.post(URL, inquiry_data(**TYPED))
    html = assert_kept_what_was_typed(response)
    assert 'href="mailto:desk@example.org"' in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_database_server_gone_the_form_answers_503_not_500(client):
    client.get(URL)  # the form as the journalist opened it, before the outage
    with database_down():
        response = client.post(URL, inquiry_data(**TYPED))
    html = assert_kept_what_was_typed(response)
    assert 'href="mailto:press@example.org"' in html  # the site settings' default
    assert not MediaInquiry.objects.exists()


@pytest.mark.parametrize("error", [ProgrammingError, IntegrityError, ValueError])
def test_programming_errors_are_not_dressed_up_as_an_outage(client, error):
    with (
        mock.patch.object(services, "inquiry_submit", side_effect=error("a bug")),
        pytest.raises(error),
    ):
        client.post(URL, inquiry_data())
