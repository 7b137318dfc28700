"""Upgrading a site whose subscribers were stored under several spellings of one address."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from alerts.models import Delivery, Subscription
from tests.factories import ArticleFactory

BEFORE = [("alerts", "0001_initial")]


# serialized_rollback, as in tests/core/test_site_settings.py: the flush after a
# transactional test would otherwise lose the roles that later tests expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_addresses_are_normalised_and_one_mailboxs_duplicates_merged():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    old = old_apps.get_model("alerts", "Subscription")
    OldDelivery = old_apps.get_model("alerts", "Delivery")
    now = timezone.now()
    first, second = ArticleFactory(), ArticleFactory()

    def row(email, query="", status="confirmed", **fields):
        return old.objects.create(
            email=email, query=query, status=status, consent_text="…", **fields
        )

    # One mailbox, one filter: the owner's confirmed subscription and an attacker's
    # pending spellings. The confirmed one stays, with its address unquoted.
    owner = row('"target"@example.net', confirmed_at=now - timedelta(days=9))
    row("target@example.net", status="pending")
    row('"t\\arget"@example.net', status="pending")
    # One mailbox, another filter: confirmed under two spellings, unsubscribed later
    # under a third. The latest decision (unsubscribed) stays; the deliveries it lacks
    # move to it.
    a = row("t@exämple.net", "region=mx", confirmed_at=now - timedelta(days=5))
    b = row("t@xn--exmple-cua.net", "region=mx", confirmed_at=now - timedelta(days=3))
    stopped = row(
        '"t"@EXÄMPLE.net',
        "region=mx",
        status="unsubscribed",
        confirmed_at=now - timedelta(days=4),
        unsubscribed_at=now - timedelta(days=1),
    )
    OldDelivery.objects.create(subscription=a, article_id=first.pk, sent_at=now)
    OldDelivery.objects.create(subscription=b, article_id=first.pk, sent_at=now)
    OldDelivery.objects.create(subscription=b, article_id=second.pk, sent_at=now)
    # Only pending requests: the oldest stays.
    oldest = row("p@example.org", "type=report", status="pending")
    row('"p"@example.org', "type=report", status="pending")
    # Accepted once, not normalisable now: kept as it is.
    odd = row('"a b"@example.org')
    literal = row("x@[192.0.2.1]")

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    kept = {s.pk: (s.email, s.query, s.status) for s in Subscription.objects.all()}
    assert kept == {
        owner.pk: ("target@example.net", "", "confirmed"),
        stopped.pk: ("t@xn--exmple-cua.net", "region=mx", "unsubscribed"),
        oldest.pk: ("p@example.org", "type=report", "pending"),
        odd.pk: ('"a b"@example.org', "", "confirmed"),
        literal.pk: ("x@[192.0.2.1]", "", "confirmed"),
    }
    assert sorted(
        Delivery.objects.filter(subscription_id=stopped.pk).values_list("article_id", flat=True)
    ) == sorted([first.pk, second.pk])
    assert Delivery.objects.count() == 2
