"""``manage.py send_alerts``: enqueue whatever alert work is due and has no task waiting
(``alerts.tasks.catch_up``). The worker does this on its own every minute; the command
is for a site without one, or to catch up at once."""

from django.core.management.base import BaseCommand

from alerts.tasks import catch_up


class Command(BaseCommand):
    help = "Enqueue due alert fan-outs, owed alerts and daily digests."

    def handle(self, *args, **options):
        done = catch_up()
        self.stdout.write(
            f"Enqueued {done['fan_outs']} fan-outs, {done['owed']} owed alerts and "
            f"{done['slots']} digest slots."
        )
