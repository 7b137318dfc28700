"""``manage.py embargo_links SLUG --to EMAIL … [--csv FILE]``: personal embargo links for
a distribution list, printed as ``EMAIL URL`` lines; ``--revoke EMAIL|all`` revokes."""

import csv
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.models import Article
from embargo.services import check_shareable, embargo_revoke, embargo_share, parse_recipients


def read_csv(path: str) -> tuple[list[str], list[str]]:
    """The addresses of the ``email`` column, and a message per bad row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
            if "email" not in columns:
                raise CommandError(f"{path}: no “email” column in the first line.")
            emails, errors = [], []
            for row in reader:
                value = (row.get(columns["email"]) or "").strip()
                parsed = parse_recipients(value)
                if parsed.errors or len(parsed.emails) != 1:
                    errors.append(
                        f"{path}, line {reader.line_num}: “{value[:80]}” is not one "
                        "e-mail address."
                    )
                else:
                    emails.extend(parsed.emails)
            return emails, errors
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise CommandError(f"{path} is not a UTF-8 CSV file: {error}") from None


def parse_expiry(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--expires {value!r} is not an ISO date-time, e.g. 2017-06-17T09:00-04:00."
        ) from None
    if timezone.is_naive(moment):
        # A time without a zone is the newsroom's, as in the admin.
        moment = timezone.make_aware(moment)
    if moment <= timezone.now():
        raise CommandError(f"--expires {value} is in the past.")
    return moment


class Command(BaseCommand):
    help = (
        "Give each recipient a personal embargo link to a scheduled article and print "
        "“EMAIL URL” per recipient (e-mailed too, unless --no-email); or revoke links."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The article's slug.")
        parser.add_argument(
            "--to", action="append", default=[], metavar="EMAIL", help="A recipient (repeat)."
        )
        parser.add_argument("--csv", metavar="FILE", help="A CSV file with an “email” column.")
        parser.add_argument(
            "--expires",
            metavar="ISO-DATETIME",
            help="When the links stop working (default: 48 hours after the publication).",
        )
        parser.add_argument(
            "--no-email", action="store_true", help="Only print the links; send no e-mail."
        )
        parser.add_argument(
            "--revoke", metavar="EMAIL", help="Revoke this recipient's link, or “all”."
        )

    def handle(self, *args, slug, to, csv, expires, no_email, revoke, **options):
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            raise CommandError(f"No article has the slug “{slug}”.")
        if revoke:
            if to or csv or expires:
                raise CommandError("--revoke cannot be combined with --to, --csv or --expires.")
            self._revoke(article, revoke)
            return
        try:
            check_shareable(article)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        emails = self._recipients(to, csv)
        expires_at = parse_expiry(expires) if expires else None
        try:
            issued = embargo_share(
                article=article, emails=emails, expires_at=expires_at, send_email=not no_email
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for link, _token in issued:
            self.stdout.write(f"{link.email} {link.absolute_url}")
        note = "printed only, not e-mailed" if no_email else "being e-mailed"
        self.stderr.write(f"{len(issued)} personal link(s) to “{article.title}”, {note}.")

    def _recipients(self, to, csv_path) -> list[str]:
        parsed = parse_recipients("\n".join(to))
        errors = list(parsed.errors)
        emails = parsed.emails
        if csv_path:
            from_csv, csv_errors = read_csv(csv_path)
            emails += from_csv
            errors += csv_errors
        if errors:
            raise CommandError("No link was made:\n" + "\n".join(errors))
        unique, seen = [], set()
        for email in emails:
            if email.lower() not in seen:
                seen.add(email.lower())
                unique.append(email)
        if not unique:
            raise CommandError("Give at least one recipient with --to EMAIL or --csv FILE.")
        return unique

    def _revoke(self, article, who):
        if who.strip().lower() == "all":
            count = embargo_revoke(article=article)
        else:
            count = embargo_revoke(article=article, email=who.strip())
            if not count:
                raise CommandError(f"{who} has no active link to “{article.title}”.")
        self.stdout.write(f"Revoked {count} link(s) to “{article.title}”.")
