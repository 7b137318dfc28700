"""Run in a process of its own by tests/outbox/test_killed_worker.py: subscribers, a
live release and its alerts queued in the outbox, on the database the environment names."""

import sys


def main(count: str) -> None:
    from django.utils import timezone

    from alerts import tasks
    from alerts.models import Subscription
    from tests.factories import ArticleFactory

    now = timezone.now()
    Subscription.objects.bulk_create(
        Subscription(
            email=f"reader{n}@example.com",
            query="",
            status=Subscription.Status.CONFIRMED,
            confirmed_at=now,
            consent_text="test",
        )
        for n in range(int(count))
    )
    # Its fan-out task waits in the queue; here, the alerts are queued in the outbox at
    # once, so the worker starts straight on sending them.
    article = ArticleFactory(title="A release for everyone")
    tasks.fan_out_article.call(article.pk)


if __name__ == "__main__":
    main(*sys.argv[1:])
