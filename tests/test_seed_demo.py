"""The demo newsroom: loads through the importer, runs twice without duplicates."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from taggit.models import Tag

from articles.models import Article
from media_library.models import Document, Photo
from newsroom.management.commands.seed_demo import Command
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
