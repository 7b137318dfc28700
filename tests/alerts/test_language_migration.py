"""Upgrading a site from before languages: its subscribers and inquiries were all in the
default language, and keep it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alerts.models import Subscription
from press.models import MediaInquiry

BEFORE = [("alerts", "0005_deliveries_sent_by_outbox"), ("press", "0014_mail_through_outbox")]


# serialized_rollback, as in tests/alerts/test_migrations.py.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_subscriptions_and_inquiries_get_the_default_language(settings):
    settings.LANGUAGES = [("fr", "Français"), ("en", "English")]
    settings.LANGUAGE_CODE = "fr"
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old_apps.get_model("alerts", "Subscription").objects.create(
        email="old@example.org", query="region=mx", status="confirmed", consent_text="…"
    )
    old_apps.get_model("press", "MediaInquiry").objects.create(
        name="Jane", email="jane@example.org", outlet="Daily", subject="Hi", message="…"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert Subscription.objects.get().language == "fr"
    assert MediaInquiry.objects.get().language == "fr"
