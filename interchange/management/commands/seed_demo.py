"""``manage.py seed_demo``: a demo newsroom to click through, and logins to do it with."""

import json
import secrets
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Region, TopicName
from core.languages import default_language, language_codes
from core.links import absolute_url
from core.models import SiteSettings
from core.roles import EDITORS, PRESS_OFFICE, WRITERS, sync_roles
from interchange import demo, import_articles
from interchange.demo.generate import make_pdf, make_photo
from press.models import MediaInquiry, PressContact, Spokesperson

# username -> role group (None: superuser)
DEMO_USERS = {"admin": None, "editor": EDITORS, "writer": WRITERS, "press": PRESS_OFFICE}


class Command(BaseCommand):
    help = (
        "Load the demo newsroom from interchange/demo/ (articles of every kind through the "
        "article importer, with generated photos and PDFs; spokespeople; site settings; "
        "press contacts and, while there are none, media inquiries) and create the demo "
        "logins admin, editor, writer and press (the press office). Safe to run again: "
        "nothing is duplicated."
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
            result = import_articles(path=path, progress=False)
        with transaction.atomic():
            self._settings(newsroom["settings"])
            texts = json.loads(demo.LANGUAGES.read_text(encoding="utf-8"))
            names = self._topic_names(texts["topics"])
            self._settings_texts(texts["settings"])
            self._spokespeople(newsroom["spokespeople"])
            self._press_contacts(newsroom["press_contacts"])
            password, changed = self._users(reset=reset_password, newsroom=newsroom)
            inquiries = self._inquiries(newsroom["inquiries"], newsroom["press_officer"])

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {result.total} articles ({result.created} new, "
                f"{result.updated} updated, {result.unchanged} unchanged), "
                f"{result.photos_created} new photos, {result.documents_created} new documents, "
                f"{len(newsroom['spokespeople'])} spokespeople, "
                f"{len(newsroom['press_contacts'])} press contacts, "
                f"{names} new topic names in other languages, "
                f"{inquiries} new media inquiries."
            )
        )
        self.stdout.write(f"Site:  {absolute_url('/')}")
        self.stdout.write(f"Admin: {absolute_url(settings.ADMIN_URL)}")
        roles = ", ".join(
            f"{username} ({group or 'superuser'})" for username, group in DEMO_USERS.items()
        )
        self.stdout.write(f"Demo logins: {roles}")
        if password:
            first, *others = changed
            same = f"  (same password for: {', '.join(others)})" if others else ""
            self.stdout.write(self.style.WARNING(f"Login: {first} / {password}{same}"))
        if len(changed) < len(DEMO_USERS):
            kept = ", ".join(name for name in DEMO_USERS if name not in changed)
            self.stdout.write(
                f"Login: {kept} (passwords unchanged; run "
                "`manage.py seed_demo --reset-password` for a new one)"
            )

    def _bundle(self, folder, newsroom):
        """The demo's interchange file beside the photos and PDFs it names, made here (the
        same bytes on every run, so a second import reuses them); return its path."""
        document = json.loads(demo.ARTICLES.read_text(encoding="utf-8"))
        # The versions and stories in the newsroom's other languages, after the articles
        # they translate; none of a language the newsroom does not publish in.
        other_languages = json.loads(demo.TRANSLATIONS.read_text(encoding="utf-8"))["articles"]
        document["articles"] += [
            record for record in other_languages if record["language"] in language_codes()
        ]
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
            # The scheduled statement goes out in every language at the same moment.
            if scheduled["slug"] in (record["slug"], record.get("translation_of")):
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
        # A new row takes the demo's press address, which inquiry notices go to too; a
        # row staff have saved keeps theirs.
        site_settings, _ = SiteSettings.objects.get_or_create(
            pk=1,
            defaults={
                "press_email": values["press_email"],
                "inquiry_recipients": values["inquiry_recipients"],
            },
        )
        if not site_settings.press_phone:
            site_settings.press_phone = values["press_phone"]
            site_settings.save()
        if not site_settings.out_of_hours_phone and values.get("out_of_hours_phone"):
            site_settings.out_of_hours_phone = values["out_of_hours_phone"]
            site_settings.save()

    def _other_languages(self):
        return [code for code in language_codes() if code != default_language()]

    def _topic_names(self, names):
        """Name the demo's topics in the newsroom's other languages; a name staff have
        given a topic stays. Return how many names were made."""
        topics = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        made = 0
        for language in self._other_languages():
            for topic, name in names.items():
                if topic in topics and name.get(language):
                    _, created = TopicName.objects.get_or_create(
                        topic_id=topics[topic],
                        language=language,
                        defaults={"name": name[language]},
                    )
                    made += created
        return made

    def _settings_texts(self, texts):
        """The site's name, mission, intro and corrections policy in the newsroom's other
        languages: a text only while the English one is still the demo's (a translation
        of what staff replaced it with would not be one) and no text is set in that
        language yet (staff's stays)."""
        site_settings = SiteSettings.objects.get(pk=1)
        translations = site_settings.translations
        if not isinstance(translations, dict):
            translations = {}
        changed = False
        for language in self._other_languages():
            current = translations.get(language)
            current = dict(current) if isinstance(current, dict) else {}
            for field, text in texts.items():
                value = current.get(field)
                if (
                    getattr(site_settings, field) == text["en"]
                    and text.get(language)
                    and not (isinstance(value, str) and value.strip())
                ):
                    current[field] = text[language]
                    changed = True
            if current:
                translations[language] = current
        if changed:
            site_settings.translations = translations
            site_settings.save()

    def _spokespeople(self, people):
        regions = dict(Region.objects.values_list("slug", "pk"))
        for order, person_data in enumerate(people):
            person, _ = Spokesperson.objects.get_or_create(
                slug=person_data["slug"],
                defaults={
                    "name": person_data["name"],
                    "given_name": person_data["given_name"],
                    "family_name": person_data["family_name"],
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

    def _press_contacts(self, people):
        regions = dict(Region.objects.values_list("slug", "pk"))
        for order, person_data in enumerate(people):
            values = {k: v for k, v in person_data.items() if k not in ("email", "regions")}
            contact, _ = PressContact.objects.get_or_create(
                email=person_data["email"], defaults={**values, "sort_order": order}
            )
            contact.regions.add(*(regions[r] for r in person_data["regions"]))

    def _inquiries(self, inquiries, officer):
        """Give the press office a desk to work at: inquiries new and in progress,
        unassigned and assigned, overdue, due today, later and without a deadline. Only
        while there are none (never on top of real ones); their e-mails count as sent,
        so the worker mails nobody. Return how many were made."""
        if MediaInquiry.objects.exists():
            return 0
        officer = get_user_model().objects.get(username=officer["username"])
        regions = dict(Region.objects.values_list("slug", "pk"))
        now = timezone.now()
        for item in inquiries:
            MediaInquiry.objects.create(
                name=item["name"],
                email=item["email"],
                outlet=item["outlet"],
                phone=item.get("phone", ""),
                deadline=self._deadline(item["deadline"], now),
                subject=item["subject"],
                message=item["message"],
                region_id=regions.get(item["region"]),
                topic=item["topic"],
                consent=True,
                status=item["status"],
                assignee=officer if item["assigned"] else None,
                answered_at=now if item["status"] == MediaInquiry.Status.ANSWERED else None,
                notified_at=now,
                acknowledged_at=now,
            )
        return len(inquiries)

    def _deadline(self, when, now):
        """A deadline relative to now: "overdue" (three hours ago), "today" (halfway to
        midnight, newsroom time), "tomorrow" (noon), or none."""
        if when is None:
            return None
        if when == "overdue":
            return now - timedelta(hours=3)
        midnight = datetime.combine(timezone.localdate(now) + timedelta(days=1), time())
        midnight = timezone.make_aware(midnight)
        if when == "today":
            return now + (midnight - now) / 2
        return midnight + timedelta(hours=12)

    def _users(self, *, reset, newsroom):
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
                if username == newsroom["press_officer"]["username"]:
                    user.first_name = newsroom["press_officer"]["first_name"]
                    user.last_name = newsroom["press_officer"]["last_name"]
            elif not reset:
                continue
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            changed.append(username)
        return (password, changed) if changed else (None, [])
