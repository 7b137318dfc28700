"""Retry media inquiry e-mails that could not be sent; run it from cron every few minutes."""

from django.core.management.base import BaseCommand

from press.services import MAX_NOTIFY_ATTEMPTS, inquiries_retry_notifications


class Command(BaseCommand):
    help = (
        "Send the press office notifications and journalist acknowledgements that failed "
        f"earlier. Each inquiry is retried with growing pauses, at most {MAX_NOTIFY_ATTEMPTS} "
        "times; safe to run often and from several machines at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=100, help="At most this many inquiries per run."
        )

    def handle(self, *args, limit, **options):
        succeeded, failed = inquiries_retry_notifications(limit=limit)
        self.stdout.write(f"Inquiry e-mails: {succeeded} sent, {failed} still failing.")
        if failed:
            self.stderr.write("Some inquiries could not be notified; see the admin filter.")
