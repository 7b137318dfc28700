"""/healthz: what load balancers see when the database or the cache fails."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from newsroom import views
from outbox.models import Message, WorkerHeartbeat

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
        "worker": "none",
        "mail": "ok",
        "worker_heartbeat_age_s": None,
        "oldest_due_mail_age_s": None,
        "timings_ms": response.json()["timings_ms"],
    }


def test_a_beating_worker_and_fresh_mail_are_ok(client, django_assert_max_num_queries):
    WorkerHeartbeat.objects.create(worker_id="w1", beat_at=timezone.now() - timedelta(seconds=2))
    queue_mail(due_seconds_ago=10)
    with django_assert_max_num_queries(1):
        body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["worker"] == "ok" and body["mail"] == "ok"
    assert 1 <= body["worker_heartbeat_age_s"] < 30
    assert 9 <= body["oldest_due_mail_age_s"] < 60


def test_a_silent_worker_is_degraded_but_stays_in_the_pool(client):
    WorkerHeartbeat.objects.create(worker_id="w1", beat_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["worker"] == "silent"
    assert body["worker_heartbeat_age_s"] >= 300


def test_overdue_mail_is_degraded(client):
    WorkerHeartbeat.objects.create(worker_id="w1", beat_at=timezone.now())
    queue_mail(due_seconds_ago=3600)
    # Not yet due (a retry waiting for its pause) does not count.
    queue_mail(due_seconds_ago=-3600)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["mail"] == "overdue"
    assert body["oldest_due_mail_age_s"] >= 3600


def queue_mail(*, due_seconds_ago):
    return Message.objects.create(
        kind="tests.mail",
        recipients="someone@example.com",
        from_email="site@example.com",
        subject="Hello",
        body="Hello",
        next_attempt_at=timezone.now() - timedelta(seconds=due_seconds_ago),
    )


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


def test_a_database_without_the_outbox_tables_answers_and_says_mail_is_unknown(client):
    """First boot before ``migrate``: the database answers, the outbox's state cannot be
    read. The server is not taken out of the pool for it, and the answer says why."""
    with mock.patch.object(
        views, "outbox_health", side_effect=OperationalError("no such table: outbox_message")
    ):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["worker"] == "unknown"
    assert body["mail"] == "unknown"
