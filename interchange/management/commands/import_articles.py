"""``manage.py import_articles FILE.json``: bring articles in from the interchange format."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interchange import ImportFailed, import_articles


class Command(BaseCommand):
    help = (
        "Import articles from a newsroom-articles/1 JSON file (see the README). Every record "
        "is checked first; if any has a problem, all problems are listed and nothing is "
        "written. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE.json")
        parser.add_argument(
            "--user",
            help="Username recorded as the creator of imported articles and photos.",
        )
        parser.add_argument(
            "--skip-renditions",
            action="store_true",
            help="Do not queue photo renditions for the worker; run "
            "`manage.py generate_renditions --missing` afterwards.",
        )
        parser.add_argument(
            "--no-alerts",
            action="store_true",
            help="E-mail no alert subscriber about these articles (without it, those "
            "published within the last day or scheduled are alerted).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide progress bars.")

    def handle(
        self, *args, path, user, skip_renditions, no_alerts, no_progress, verbosity, **options
    ):
        account = None
        if user:
            User = get_user_model()
            try:
                account = User.objects.get(**{User.USERNAME_FIELD: user})
            except User.DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
        started = time.monotonic()
        try:
            result = import_articles(
                path=path,
                user=account,
                progress=verbosity >= 1 and not no_progress,
                generate_renditions=not skip_renditions,
                alerts=not no_alerts,
            )
        except ImportFailed as exc:
            for problem in exc.errors:
                self.stderr.write(problem)
            raise CommandError(str(exc)) from None
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.total} articles in {elapsed:.1f}s: {result.created} "
                f"created, {result.updated} updated, {result.unchanged} unchanged."
            )
        )
        if verbosity >= 1:
            self.stdout.write(
                f"Photos: {result.photos_created} new, {result.photos_reused} already in the "
                f"library. Documents: {result.documents_created} new, "
                f"{result.documents_reused} already in the library. "
                f"Topics: {result.tags_created} new."
            )
        if result.photos_without_renditions:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.photos_without_renditions)} new photos have no renditions "
                    "yet: run `manage.py generate_renditions --missing` before they appear."
                )
            )
