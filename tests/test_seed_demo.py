"""The demo newsroom: loads through the importer, runs twice without duplicates."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from PIL import ExifTags, Image
from taggit.models import Tag

from articles import demo
from articles.management.commands.seed_demo import Command
from articles.models import Article
from articles.regions_data import COUNTRIES, GROUPINGS
from media_library.models import Document, Photo
from press.models import Spokesperson

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_photos(monkeypatch):
    monkeypatch.setattr(Command, "photo_size", (48, 32))


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Photo, Document, Tag, Spokesperson, get_user_model())
    }


def test_seeds_every_kind_state_and_a_login():
    output = seed()

    assert "http://127.0.0.1:8000/" in output
    assert "http://127.0.0.1:8000/admin/" in output
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
    assert Photo.objects.count() == 12
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
    assert len(made) == 12
    assert sum(1 for path in made if gps(path)) == 3
