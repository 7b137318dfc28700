"""``manage.py send_alerts``: enqueue whatever alert work is due and has no task waiting.

The tasks schedule themselves (a scheduled article's fan-out at its time, retries, the
next day's digests). This catches up where they could not: a task lost to a crash
between commit and enqueue, or a site whose task backend cannot run tasks later (the
immediate backend). It only enqueues; duplicates are harmless, as every task claims its
work first. Run it every few minutes from cron where there is no worker that defers.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from alerts import services, tasks
from alerts.models import ArticleAlert, Delivery, DigestRun, Subscription
from articles.models import Article


class Command(BaseCommand):
    help = "Enqueue due alert fan-outs, retries and daily digests."

    def handle(self, *args, **options):
        now = timezone.now()
        fan_outs = list(
            ArticleAlert.objects.filter(
                matched_at__isnull=True,
                due_at__lte=now,
                article__in=Article.objects.live(at=now),
            ).values_list("article_id", flat=True)
        )
        for article_id in fan_outs:
            tasks.fan_out_article.enqueue(article_id)

        retries = list(
            Delivery.objects.due(at=now)
            .filter(in_digest=False)
            .order_by()
            .values_list("article_id", "announcement_id")
            .distinct()
        )
        for article_id, announcement_id in retries:
            tasks.deliver.enqueue(article_id, announcement_id)

        for zone, hour in Subscription.objects.digest_times():
            services.schedule_digest(hour, zone, now=now)
        slots = list(
            DigestRun.objects.filter(
                state=DigestRun.State.SCHEDULED, slot_at__lte=now
            ).values_list("slot_at", flat=True)
        )
        for slot in slots:
            tasks.send_digests.enqueue(slot.isoformat())

        self.stdout.write(
            f"Enqueued {len(fan_outs)} fan-outs, {len(retries)} retries and "
            f"{len(slots)} digest slots."
        )
