"""``manage.py seed_demo``: a demo newsroom to click through, and logins to do it with."""

import secrets
import tempfile
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.importing import articles_import
from articles.models import Article, Region
from core.models import SiteSettings
from core.roles import EDITORS, WRITERS, sync_roles
from newsroom import demo
from press.models import Spokesperson

SITE = "http://127.0.0.1:8000"
# username -> role group (None: superuser)
DEMO_USERS = {"admin": None, "editor": EDITORS, "writer": WRITERS}
# spokesperson slug -> articles quoting them
QUOTED = {
    "ines-calder": [
        "facing-walls-asylum-seekers-at-the-border",
        "disappeared-families-demand-answers",
        "annual-review-americas-2025",
    ],
    "samuel-okafor": ["end-forced-evictions-in-lagos-waterfront", "mining-company-must-clean-up"],
    "leila-haddad": ["statement-un-review-of-egypt", "migrant-deaths-desert-route"],
    "mei-tanaka": ["spyware-targets-journalists-investigation", "internet-shutdown-elections"],
}


class Command(BaseCommand):
    help = (
        "Load demo content (articles of every kind with photos and PDFs, spokespeople, "
        "site settings) through the article importer, and create the demo logins admin, "
        "editor and writer. Safe to run again: nothing is duplicated."
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
        sync_roles()
        with tempfile.TemporaryDirectory(prefix="newsroom-demo-") as folder:
            path = demo.write_demo_bundle(
                out=folder, scheduled_at=self._scheduled_at(), photo_size=self.photo_size
            )
            result = articles_import(path=path, progress=False)
        with transaction.atomic():
            self._settings()
            self._spokespeople()
            password, changed = self._users(reset=reset_password)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {result.total} articles ({result.created} new, "
                f"{result.updated} updated, {result.unchanged} unchanged), "
                f"{result.photos_created} new photos, {result.documents_created} new documents, "
                f"{len(demo.DEMO_SPOKESPEOPLE)} spokespeople."
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

    def _scheduled_at(self):
        """Ten days ahead at 09:00 newsroom time: always in the future, stable for a day."""
        day = timezone.localdate() + timedelta(days=10)
        moment = timezone.make_aware(datetime.combine(day, time(9)))
        return moment.isoformat()

    def _settings(self):
        site_settings = SiteSettings.objects.get_or_create(pk=1)[0]
        if not site_settings.press_phone:
            site_settings.press_phone = "+1 212 555 0100"
            site_settings.save()

    def _spokespeople(self):
        regions = dict(Region.objects.values_list("slug", "pk"))
        for order, (slug, name, role, languages, region_slugs, expertise) in enumerate(
            demo.DEMO_SPOKESPEOPLE
        ):
            person, _ = Spokesperson.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "role": role,
                    "languages": languages,
                    "expertise": expertise,
                    "email": f"{slug}@example.org",
                    "sort_order": order,
                },
            )
            person.regions.add(*(regions[r] for r in region_slugs))
            person.articles.add(*Article.objects.filter(slug__in=QUOTED.get(slug, [])))

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
