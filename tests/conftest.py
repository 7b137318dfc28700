"""Fixtures shared by every test module."""

import pytest
from django.contrib.auth.models import Group

from core.roles import EDITORS, PRESS_OFFICE, WRITERS
from tests.factories import UserFactory


@pytest.fixture(scope="session")
def _cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, _cache_dir):
    """Uploads go to throwaway folders; static files need no collectstatic; the cache is
    the development default (files shared by processes) in a folder of this run's own,
    so that parallel test workers never clear each other's."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": _cache_dir,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "originals": {"BACKEND": "media_library.storage.PrivateFileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run at once by default, so a test sees their effect where it enqueued them.
    # Tests that prove work leaves the request use the database backend and a worker.
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    }
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _clear_cache(_test_settings):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _staff_in(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def writer(db):
    return _staff_in(WRITERS)


@pytest.fixture
def editor(db):
    return _staff_in(EDITORS)


@pytest.fixture
def press_officer(db):
    return _staff_in(PRESS_OFFICE)


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
