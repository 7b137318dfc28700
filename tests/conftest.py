"""Fixtures shared by every test module."""

import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings

from core.roles import EDITORS, PRESS_OFFICE, WRITERS
from tests.factories import UserFactory
from tests.real_redis import REDIS_TEST_URL, REDIS_URLCONF, redis_caches, require_redis


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


@pytest.fixture
def redis_cache():
    """Django's cache on the test Redis (a client of it is yielded), under a key prefix
    of this test's own, with the page cache on and the page-cache tests' small views.

    Only this test's keys are removed afterwards: other test runs may share the server.
    """
    client = require_redis()
    prefix = f"newsroom-test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES=redis_caches(REDIS_TEST_URL, prefix), PAGE_CACHE=True, ROOT_URLCONF=REDIS_URLCONF
    ):
        yield client
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    client.close()


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
