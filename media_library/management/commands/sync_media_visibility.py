"""Put every photo's and document's files on the side the rule says.

A photo or document is public only while something public uses it (a live article, an
active spokesperson's portrait); otherwise its files are withheld in private storage
(``media_library.gating``). Every write keeps that, after its commit, through a task.
Run this once after upgrading from a version that withheld only embargoed media (media
used by drafts, or by nothing, were public then), and after a worker outage that may
have lost moves. Safe to run again; ``--dry-run`` lists what would move.
"""

from django.core.management.base import BaseCommand

from media_library import gating, visibility
from media_library.models import Document, Photo


class Command(BaseCommand):
    help = (
        "Withhold the files of photos and documents nothing public uses, and release those "
        "of the ones something public uses. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list what would move.")

    def handle(self, *args, dry_run, **options):
        for model in (Photo, Document):
            label = model._meta.verbose_name_plural
            due = visibility.misplaced(model, model.objects.values_list("pk", flat=True))
            for pk in due:
                self.stdout.write(f"{model._meta.verbose_name} {pk}")
            if dry_run:
                self.stdout.write(f"{len(due)} {label} would move.")
            else:
                moved = gating.sync_many(model, due)
                self.stdout.write(f"{moved} {label} moved.")
