"""Subscribing to alerts while the database is down: a 503 with the form as it was typed
and the press office's address, never a bare 500."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError

from alerts import services
from alerts.models import Subscription
from core.models import SiteSettings
from tests.database_outage import database_down

pytestmark = pytest.mark.django_db

URL = "/press/alerts/"
NOT_SAVED = "We could not save your subscription right now."


def typed():
    return {
        "email": "reporter@example.com",
        "type": ["report"],
        "region": "mx",
        "q": "pushbacks",
        "frequency": "daily",
        "digest_hour": "7",
    }


def assert_kept_what_was_typed(response):
    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert NOT_SAVED in html
    assert "try again in a few minutes" in html
    assert 'value="reporter@example.com"' in html
    assert 'value="pushbacks"' in html
    assert '<option value="mx" selected>Mexico</option>' in html
    assert '<option value="7" selected>' in html
    return html


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_subscription_the_database_cannot_store_comes_back_as_typed(client, settings, error):
    settings.PRESS_OFFICE_EMAIL = "desk@example.org"
    site = SiteSettings.load()
    site.press_email = "office@example.org"
    site.save()
    with mock.patch.object(services, "subscribe", side_effect=error("connection already closed")):
        response = client.post(URL, typed())
    html = assert_kept_what_was_typed(response)
    # The site settings were readable: their address, not the fallback.
    assert 'href="mailto:office@example.org"' in html
    assert not Subscription.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_database_server_gone_subscribing_answers_503_not_500(client):
    client.get(URL)  # the form as the journalist opened it, before the outage
    with database_down():
        response = client.post(URL, typed())
    assert_kept_what_was_typed(response)
    assert not Subscription.objects.exists()


def test_programming_errors_are_not_dressed_up_as_an_outage(client):
    with (
        mock.patch.object(services, "subscribe", side_effect=ProgrammingError("a bug")),
        pytest.raises(ProgrammingError),
    ):
        client.post(URL, typed())
