"""A fan-out renders each filter's alert once and puts each subscriber's own links in:
every mail queued must be what rendering it for that subscriber alone gives."""

import pytest

from alerts import emails, tasks
from alerts.models import Announcement, Delivery
from outbox.models import Message
from tests.alerts.helpers import link, subscriber
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _queued(subscription):
    [row] = Message.objects.filter(object_id=subscription.pk, kind__startswith="alerts.")
    return row


@pytest.mark.parametrize("announced", [False, True])
def test_each_queued_alert_is_its_subscribers_own(announced):
    readers = [
        subscriber("one@example.com"),
        subscriber("two@example.com"),
        subscriber("three@example.com", query="q=asylum"),
    ]
    article = ArticleFactory(title="Asylum seekers at the border")
    announcement = None
    if announced:
        tasks.fan_out_article.call(article.pk)
        announcement = Announcement.objects.create(article=article, reason="Corrected.")
        for reader in readers:
            Delivery.objects.create(
                subscription=reader, article=article, announcement=announcement
            )
        Message.objects.all().delete()
        tasks.queue_alerts.call(article.pk, announcement.pk)
    else:
        tasks.fan_out_article.call(article.pk)
    bodies = set()
    for reader in readers:
        row = _queued(reader)
        alone = emails.alert(reader, article, announcement=announcement)
        assert (row.subject, row.body, row.headers) == (
            alone.subject,
            alone.body,
            alone.extra_headers,
        )
        assert link(reader, "unsubscribe") in row.body
        assert link(reader, "preferences") in row.body
        bodies.add(row.body)
    assert len(bodies) == len(readers)
