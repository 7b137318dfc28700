"""The demo newsroom: loads through the importer, runs twice without duplicates."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image
from taggit.models import Tag

from articles.models import Article, TopicName
from articles.regions_data import COUNTRIES, GROUPINGS
from core.models import SiteSettings
from interchange import demo
from interchange.management.commands.seed_demo import Command
from media_library.models import Document, Photo
from press.emails import inquiry_recipients
from press.models import MediaInquiry, PressContact, Spokesperson

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_photos(monkeypatch):
    monkeypatch.setattr(Command, "photo_size", (48, 32))


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_records():
    return json.loads(demo.ARTICLES.read_text(encoding="utf-8"))["articles"]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Article,
            Photo,
            Document,
            Tag,
            Spokesperson,
            PressContact,
            MediaInquiry,
            get_user_model(),
        )
    }


def test_seeds_every_kind_state_and_a_login(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    output = seed()

    assert "Site:  http://127.0.0.1:8000/\n" in output
    assert "Admin: http://127.0.0.1:8000/admin/\n" in output
    password = re.search(r"Login: admin / (\S+)", output).group(1)
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)
    assert User.objects.get(username="editor").groups.filter(name="Editors").exists()
    assert User.objects.get(username="writer").check_password(password)

    assert Article.objects.count() >= 35
    assert set(Article.objects.values_list("kind", flat=True)) == {
        "press-release",
        "report",
        "statement",
    }
    assert Article.objects.drafts().count() == 1
    assert Article.objects.scheduled().count() == 1
    assert Article.objects.filter(kind="report").exclude(attachments=None).exists()
    assert Article.objects.exclude(hero_photo=None).count() > 20
    files = {r["photo"]["file"] for r in demo_records() if "photo" in r}
    assert Photo.objects.count() == len(files) > 20
    assert Spokesperson.objects.filter(articles__isnull=False).distinct().count() == 4
    years = {a.published_at.year for a in Article.objects.all()}
    assert len(years) >= 8


def test_running_twice_duplicates_nothing_and_keeps_passwords():
    first = seed()
    password = re.search(r"Login: admin / (\S+)", first).group(1)
    before = counts()
    updated = dict(Article.objects.values_list("slug", "updated_at"))

    second = seed()

    assert counts() == before
    assert dict(Article.objects.values_list("slug", "updated_at")) == updated
    assert "passwords unchanged" in second
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_reset_password_prints_a_new_one():
    first = re.search(r"Login: admin / (\S+)", seed()).group(1)
    second = re.search(r"Login: admin / (\S+)", seed("--reset-password")).group(1)
    assert first != second
    assert get_user_model().objects.get(username="editor").check_password(second)


def test_prints_every_login_with_its_role_and_the_configured_address(settings):
    settings.SITE_URL = "https://demo.example.org"
    output = seed()
    assert "Site:  https://demo.example.org/" in output
    assert "localhost" not in output and "127.0.0.1" not in output
    assert (
        "Demo logins: admin (superuser), editor (Editors), writer (Writers), press (Press office)"
    ) in output
    assert "same password for: editor, writer, press" in output


def test_a_login_added_to_an_older_demo_is_printed_as_its_own(django_user_model):
    first = re.search(r"Login: admin / (\S+)", seed()).group(1)
    django_user_model.objects.get(username="press").delete()

    output = seed()

    password = re.search(r"Login: press / (\S+)\n", output).group(1)
    assert password != first
    assert "Login: admin, editor, writer (passwords unchanged" in output
    assert django_user_model.objects.get(username="press").check_password(password)


class TestEveryDemoLoginDoesItsJob:
    """Logged in with the printed password, each demo account can do what its role says
    in the first minute."""

    @pytest.fixture
    def password(self):
        return re.search(r"Login: admin / (\S+)", seed()).group(1)

    def login(self, client, username, password):
        assert client.login(username=username, password=password), username
        return client

    def test_admin_reaches_everything(self, client, password):
        self.login(client, "admin", password)
        for url in ("/admin/", "/admin/auth/user/", "/admin/core/sitesettings/1/change/"):
            assert client.get(url).status_code == 200, url

    def test_writer_creates_a_draft(self, client, password):
        self.login(client, "writer", password)
        published = timezone.localtime()
        response = client.post(
            reverse("admin:articles_article_add"),
            {
                "kind": Article.Kind.PRESS_RELEASE,
                "title": "A first draft",
                "slug": "a-first-draft",
                "summary": "What happened.",
                "body": "<p>What happened.</p>",
                "status": Article.Status.DRAFT,
                "published_at_0": published.strftime("%Y-%m-%d"),
                "published_at_1": published.strftime("%H:%M:%S"),
                "substantively_updated_at_0": "",
                "substantively_updated_at_1": "",
                "topics": "",
                "hero_caption": "",
                "reference_number": "",
                "_save": "Save",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Article.objects.drafts().filter(slug="a-first-draft").exists()

    def test_editor_publishes_the_demo_draft(self, client, password):
        self.login(client, "editor", password)
        draft = Article.objects.drafts().get()
        response = client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish_now", "_selected_action": [draft.pk]},
        )
        assert response.status_code == 302
        assert Article.objects.live().filter(pk=draft.pk).exists()

    def test_press_officer_sees_inquiries_and_alert_subscribers(self, client, password):
        self.login(client, "press", password)
        inquiries = client.get("/admin/press/mediainquiry/")
        assert inquiries.status_code == 200
        assert inquiries.context["cl"].result_count == MediaInquiry.objects.count() >= 4
        assert client.get("/admin/alerts/subscription/").status_code == 200
        assert client.get("/admin/press/presscontact/").status_code == 200


def test_the_press_office_has_work_in_every_state():
    seed()
    inquiries = MediaInquiry.objects.all()
    officer = get_user_model().objects.get(username="press")
    assert inquiries.filter(status="new").exists()
    assert inquiries.overdue().count() == 1
    assert inquiries.due_today().count() == 1
    assert inquiries.unassigned().count() >= 2
    assert inquiries.filter(deadline=None).exists()
    assert inquiries.filter(assignee=officer).exists()
    # Their e-mails count as sent: the worker mails no one made up.
    assert not inquiries.unsent().exists()
    # Never added on top of real inquiries.
    seed()
    assert MediaInquiry.objects.count() == inquiries.count()


def test_demo_settings_send_inquiries_to_the_address_the_site_shows(client):
    seed()
    site_settings = SiteSettings.load()
    assert site_settings.press_email == "press@example.org"
    assert f"mailto:{site_settings.press_email}" in client.get("/press/").content.decode()
    assert inquiry_recipients() == [site_settings.press_email]


def test_demo_contacts_have_their_names_in_the_right_fields(client):
    seed()
    ines = Spokesperson.objects.get(slug="ines-calder")
    card = client.get(f"/press/spokespeople/{ines.slug}.vcf").content.decode()
    assert "N:Calder;Inés;;;\r\n" in card and "FN:Inés Calder\r\n" in card
    rosa = PressContact.objects.get(family_name="Mendes de la Cruz")
    card = client.get(f"/press/contacts/{rosa.pk}.vcf").content.decode()
    assert "N:Mendes de la Cruz;Rosa Elena;;;\r\n" in card


def test_the_data_files_load_and_agree():
    """The demo is data: a valid interchange file and the newsroom file that refers to it."""
    document = json.loads(demo.ARTICLES.read_text(encoding="utf-8"))
    newsroom = json.loads(demo.NEWSROOM.read_text(encoding="utf-8"))
    assert document["format"] == "newsroom-articles/1"
    records = {record["slug"]: record for record in document["articles"]}
    assert len(records) == len(document["articles"]) >= 35
    regions = {slug for slug, _, _ in GROUPINGS} | {code.lower() for code, _, _ in COUNTRIES}
    for record in records.values():
        assert set(record["regions"]) <= regions, record["slug"]
        assert set(record.get("related", [])) <= set(records), record["slug"]
    # Only the scheduled article is dated at run time.
    undated = [slug for slug, record in records.items() if "published_at" not in record]
    assert undated == [newsroom["scheduled"]["slug"]]
    for person in newsroom["spokespeople"]:
        assert set(person["regions"]) <= regions
        assert person["quoted_in"] and set(person["quoted_in"]) <= set(records)


def gps(image_file):
    with Image.open(image_file) as image:
        return dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def test_some_demo_photos_carry_gps(tmp_path):
    """They are there to prove that what the public gets is stripped (media_library's
    tests check the stripping)."""
    newsroom = json.loads(demo.NEWSROOM.read_text(encoding="utf-8"))
    Command()._bundle(tmp_path, newsroom)
    made = sorted((tmp_path / "images").iterdir())
    files = {r["photo"]["file"] for r in demo_records() if "photo" in r}
    assert len(made) == len(files)
    # Every gps_every-th photo, counting from the first.
    assert sum(1 for path in made if gps(path)) == -(
        -len(files) // newsroom["photos"]["gps_every"]
    )


def test_demo_photos_are_offered_as_their_rights_allow():
    from media_library.models import rights_allow_redistribution

    seed()
    photos = list(Photo.objects.all())
    assert {p.downloadable for p in photos} == {True, False}
    for photo in photos:
        assert photo.downloadable is rights_allow_redistribution(photo.usage_rights), photo
    # The agencies' photos are licensed to us for editorial use only.
    agency = Photo.objects.filter(credit__endswith="/ Agency")
    assert agency.exists()
    assert set(agency.values_list("usage_rights", "downloadable")) == {("editorial", False)}


def test_demo_phone_numbers_pass_the_rule_staff_are_held_to():
    """Seeding writes past the forms: the demo's numbers must still be ones the admin
    would accept, or the demo shows numbers an editor could not save."""
    seed()
    site_settings = SiteSettings.load()
    people = [*Spokesperson.objects.all(), *PressContact.objects.all()]
    assert any(person.phone for person in people)
    for person in people:
        person.full_clean()
    site_settings.full_clean()
    assert site_settings.out_of_hours_phone


def demo_texts():
    return json.loads(demo.LANGUAGES.read_text(encoding="utf-8"))


def names_in(language):
    return dict(TopicName.objects.filter(language=language).values_list("topic__name", "name"))


def test_every_demo_topic_is_named_in_every_other_language():
    translations = json.loads(demo.TRANSLATIONS.read_text(encoding="utf-8"))["articles"]
    used = {
        topic for record in demo_records() + translations for topic in record.get("topics", [])
    }
    texts = demo_texts()
    assert set(texts["topics"]) == used
    for topic, names in texts["topics"].items():
        assert set(names) == {"es", "fr", "ar"}, topic
        assert all(name.strip() and len(name) <= 100 for name in names.values()), topic
        assert names["es"] != topic and names["ar"] != topic, topic
    # Each translates the text the demo shows: the settings' own defaults.
    for field, text in texts["settings"].items():
        assert field in SiteSettings.TRANSLATED_FIELDS
        assert text["en"] == SiteSettings._meta.get_field(field).default
        assert set(text) == {"en", "es", "fr", "ar"}
        assert len({text[code] for code in ("en", "es", "fr", "ar")}) == 4, field


def test_a_multilingual_demo_speaks_each_language_beyond_its_articles(multilingual, client):
    output = seed()

    topics = set(Tag.objects.values_list("name", flat=True))
    for language in ("es", "fr", "ar"):
        expected = {
            topic: names[language]
            for topic, names in demo_texts()["topics"].items()
            if topic in topics
        }
        assert len(expected) >= 35
        assert names_in(language) == expected
    assert f"{3 * len(topics & set(demo_texts()['topics']))} new topic names" in output

    site_settings = SiteSettings.objects.get()
    assert site_settings.text("mission", "es").startswith("Ponemos rostro humano")
    assert site_settings.text("name", "fr") == "Salle de presse"
    assert site_settings.text("corrections_policy", "ar").startswith("نصحّح")
    assert site_settings.text("intro", "en").startswith("Below you'll find")

    page = client.get("/es/news/").content.decode()
    assert "Ponemos rostro humano a problemas complejos" in page
    # The Spanish-only story's topic, in the filter, by its Spanish name.
    assert "Defensores de los derechos humanos" in page
    page = client.get("/ar/news/").content.decode()
    assert "نمنح القضايا المعقدة" in page


def test_an_english_only_demo_writes_no_other_language():
    seed()

    assert not TopicName.objects.exists()
    assert SiteSettings.objects.get().translations == {}


def test_only_the_configured_languages_are_written(settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "Français")]
    seed()

    assert set(TopicName.objects.values_list("language", flat=True)) == {"fr"}
    assert set(SiteSettings.objects.get().translations) == {"fr"}
    assert "Ponemos rostro humano" not in json.dumps(
        SiteSettings.objects.get().translations, ensure_ascii=False
    )


def test_a_second_run_changes_nothing(multilingual):
    seed()
    names = {language: names_in(language) for language in ("es", "fr", "ar")}
    site_settings = SiteSettings.objects.get()

    output = seed()

    assert " 0 new topic names" in output
    assert {language: names_in(language) for language in ("es", "fr", "ar")} == names
    again = SiteSettings.objects.get()
    assert again.translations == site_settings.translations
    assert again.updated_at == site_settings.updated_at


def test_staff_names_and_texts_stay(multilingual):
    # Staff replaced the English mission before the demo came; a Spanish translation of
    # the demo's mission would not translate theirs.
    SiteSettings.objects.create(
        pk=1,
        mission="Facts first.",
        translations={"fr": {"name": "Le Bureau de presse"}},
    )
    seed()
    site_settings = SiteSettings.objects.get()
    assert "mission" not in site_settings.translations["es"]
    assert site_settings.text("mission", "es") == "Facts first."
    assert site_settings.translations["fr"]["name"] == "Le Bureau de presse"
    assert site_settings.translations["fr"]["intro"].startswith("Vous trouverez")

    asylum = TopicName.objects.get(topic__name="Asylum", language="es")
    asylum.name = "Derecho de asilo"
    asylum.save()
    site_settings.translations["es"]["intro"] = "Nuestra portada."
    site_settings.save()

    seed()

    assert TopicName.objects.get(topic__name="Asylum", language="es").name == "Derecho de asilo"
    assert SiteSettings.objects.get().translations["es"]["intro"] == "Nuestra portada."
