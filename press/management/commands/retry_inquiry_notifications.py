"""Sweep up inquiry e-mails that a crash left behind; run it from cron every few minutes."""

from django.core.management.base import BaseCommand

from press.models import MAX_NOTIFY_ATTEMPTS, MediaInquiry
from press.services import SWEEP_GRACE, inquiries_sweep


class Command(BaseCommand):
    help = (
        "Enqueue the e-mail task again for inquiries whose press office notification, "
        "acknowledgement, reply or assignment notice is unsent and overdue by "
        f"{int(SWEEP_GRACE.total_seconds() // 60)} minutes (a task lost to a crash, or a "
        "failure where tasks cannot be scheduled for later). It only enqueues: the worker "
        f"sends. Inquiries that failed {MAX_NOTIFY_ATTEMPTS} times are left for staff to "
        "re-send from the admin. Safe to run often and from several machines at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=100, help="At most this many inquiries per run."
        )

    def handle(self, *args, limit, **options):
        queued = inquiries_sweep(limit=limit)
        self.stdout.write(f"Inquiry e-mails: {queued} queued for the worker.")
        gave_up = MediaInquiry.objects.delivery_gave_up().count()
        if gave_up:
            self.stderr.write(
                f"{gave_up} inquiries gave up after {MAX_NOTIFY_ATTEMPTS} attempts; "
                "re-send them from the admin."
            )
