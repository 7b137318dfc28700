"""/healthz: what load balancers see when the database or the cache fails."""

from unittest import mock

import pytest
from django.db import OperationalError, connection

from newsroom import views

pytestmark = pytest.mark.django_db


def test_healthy(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert set(body["timings_ms"]) == {"database", "cache"}
    # Never cached anywhere: a load balancer must see the present state.
    assert "no-store" in response["Cache-Control"]


def test_database_down_is_503(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "unavailable"
    assert response.json()["cache"] == "ok"


def test_cache_down_is_reported_but_keeps_the_server_in_the_pool(client):
    with mock.patch.object(views, "cache_health", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "timings_ms": response.json()["timings_ms"],
    }


def test_both_down(client):
    with (
        mock.patch.object(connection, "cursor", side_effect=OperationalError("refused")),
        mock.patch.object(views, "cache_health", return_value=False),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_not_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get("/healthz").status_code == 200


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
