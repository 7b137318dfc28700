"""``manage.py seed_demo``: a demo newsroom to click through, and logins to do it with."""

import json
import secrets
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import demo
from articles.demo.generate import make_pdf, make_photo
from articles.importing import articles_import
from articles.models import Article, Region
from core.models import SiteSettings
from core.roles import EDITORS, WRITERS, sync_roles
from press.models import Spokesperson

SITE = "http://127.0.0.1:8000"
# username -> role group (None: superuser)
DEMO_USERS = {"admin": None, "editor": EDITORS, "writer": WRITERS}


class Command(BaseCommand):
    help = (
        "Load the demo newsroom from articles/demo/ (articles of every kind through the "
        "article importer, with generated photos and PDFs; spokespeople; site settings) "
        "and create the demo logins admin, editor and writer. Safe to run again: nothing is "
        "duplicated."
    )
    # Tests make this small; the demo wants photos of a realistic size.
    photo_size = (1200, 800)

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give the demo logins a new random password (printed).",
        )

    def handle(self, *args, reset_password, verbosity, **options):
        newsroom = json.loads(demo.NEWSROOM.read_text(encoding="utf-8"))
        sync_roles()
        with tempfile.TemporaryDirectory(prefix="newsroom-demo-") as folder:
            path = self._bundle(Path(folder), newsroom)
            result = articles_import(path=path, progress=False)
        with transaction.atomic():
            self._settings(newsroom["settings"])
            self._spokespeople(newsroom["spokespeople"])
            password, changed = self._users(reset=reset_password)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {result.total} articles ({result.created} new, "
                f"{result.updated} updated, {result.unchanged} unchanged), "
                f"{result.photos_created} new photos, {result.documents_created} new documents, "
                f"{len(newsroom['spokespeople'])} spokespeople."
            )
        )
        self.stdout.write(f"Site:  {SITE}/")
        self.stdout.write(f"Admin: {SITE}/{settings.ADMIN_URL}")
        if password:
            names = ", ".join(changed)
            self.stdout.write(
                self.style.WARNING(f"Login: admin / {password}  (same password for: {names})")
            )
        else:
            self.stdout.write(
                "Login: admin, editor, writer (passwords unchanged; run "
                "`manage.py seed_demo --reset-password` for a new one)"
            )

    def _bundle(self, folder, newsroom):
        """The demo's interchange file beside the photos and PDFs it names, made here (the
        same bytes on every run, so a second import reuses them); return its path."""
        document = json.loads(demo.ARTICLES.read_text(encoding="utf-8"))
        scheduled = newsroom["scheduled"]
        photos = sorted(
            {record["photo"]["file"] for record in document["articles"] if "photo" in record}
        )
        for index, relative in enumerate(photos):
            make_photo(
                folder / relative,
                seed=newsroom["photos"]["seed"] + index,
                size=self.photo_size,
                # Some carry GPS tags, to show that the import strips them.
                gps=index % newsroom["photos"]["gps_every"] == 0,
            )
        for record in document["articles"]:
            for attachment in record.get("attachments", []):
                make_pdf(
                    folder / attachment["file"],
                    title=record.get("reference_number") or record["title"],
                    lines=[record["title"], "Full report (demo)"],
                )
            if record["slug"] == scheduled["slug"]:
                record["published_at"] = self._scheduled_at(scheduled)
        path = folder / demo.ARTICLES.name
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return path

    def _scheduled_at(self, scheduled):
        """Some days ahead, newsroom time: always in the future, stable for a day."""
        day = timezone.localdate() + timedelta(days=scheduled["days_ahead"])
        moment = datetime.combine(day, datetime.strptime(scheduled["time"], "%H:%M").time())
        return timezone.make_aware(moment).isoformat()

    def _settings(self, values):
        site_settings = SiteSettings.objects.get_or_create(pk=1)[0]
        if not site_settings.press_phone:
            site_settings.press_phone = values["press_phone"]
            site_settings.save()
        if not site_settings.out_of_hours_phone and values.get("out_of_hours_phone"):
            site_settings.out_of_hours_phone = values["out_of_hours_phone"]
            site_settings.save()

    def _spokespeople(self, people):
        regions = dict(Region.objects.values_list("slug", "pk"))
        for order, person_data in enumerate(people):
            person, _ = Spokesperson.objects.get_or_create(
                slug=person_data["slug"],
                defaults={
                    "name": person_data["name"],
                    "role": person_data["role"],
                    "languages": person_data["languages"],
                    "expertise": person_data["expertise"],
                    "email": person_data["email"],
                    "topics": person_data.get("topics", ""),
                    "phone": person_data.get("phone", ""),
                    "sort_order": order,
                },
            )
            person.regions.add(*(regions[r] for r in person_data["regions"]))
            person.articles.add(*Article.objects.filter(slug__in=person_data["quoted_in"]))

    def _users(self, *, reset):
        """Create missing demo logins; return the new password and who has it, if any."""
        User = get_user_model()
        password = secrets.token_urlsafe(12)
        changed = []
        for username, group_name in DEMO_USERS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    email=f"{username}@example.org",
                    is_staff=True,
                    is_superuser=group_name is None,
                )
            elif not reset:
                continue
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            changed.append(username)
        return (password, changed) if changed else (None, [])
