"""``manage.py export_articles FILE.json``: write every article in the interchange format."""

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from interchange import export_articles


class Command(BaseCommand):
    help = (
        "Export articles (drafts included) to a newsroom-articles/1 JSON file, copying "
        "their photos into images/ and attachments into docs/ next to it. The folder can "
        "be imported again with import_articles."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE.json")
        parser.add_argument(
            "--kind", choices=Article.Kind.values, action="append", help="Only this kind."
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, path, kind, no_progress, verbosity, **options):
        queryset = Article.objects.all()
        if kind:
            queryset = queryset.filter(kind__in=kind)
        try:
            result = export_articles(
                path=path, queryset=queryset, progress=verbosity >= 1 and not no_progress
            )
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {result.articles} articles, {result.photos} photos and "
                f"{result.documents} documents to {path}."
            )
        )
