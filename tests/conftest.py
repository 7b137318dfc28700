"""Fixtures shared by every test module."""

import uuid

import pytest
import redis
from django.contrib.auth.models import Group
from django.test import override_settings

from core.roles import EDITORS, PRESS_OFFICE, WRITERS
from tests.factories import UserFactory
from tests.real_redis import (
    REDIS_TEST_URL,
    REDIS_URLCONF,
    delete_own_keys,
    own_prefix,
    redis_caches,
    require_redis,
)

# Longer than any run of the suite; only a run killed before its end leaves its key.
SENTINEL_SECONDS = 24 * 3600


@pytest.fixture(scope="session", autouse=True)
def _shared_redis_is_left_alone():
    """The test Redis is shared (a developer's other work, CI's other runs): a key of
    someone else's, planted before the first test, must still be there after the last.
    In this process a flush fails the test that asks for it."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        yield  # no Redis: nobody's data to lose (tests/real_redis.py says when to fail)
        return
    sentinel = f"newsroom-suite-sentinel-{uuid.uuid4()}"
    client.set(sentinel, "another user's data", ex=SENTINEL_SECONDS)

    def refuse(*args, **kwargs):
        raise AssertionError(f"the suite must never flush the shared Redis {REDIS_TEST_URL}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(redis.Redis, "flushdb", refuse)
        patch.setattr(redis.Redis, "flushall", refuse)
        yield
    survived = client.delete(sentinel)
    client.close()
    if not survived:
        pytest.fail(
            f"{sentinel} is gone from {REDIS_TEST_URL}: something in the suite flushed or "
            "cleared a Redis database others share; delete only keys under your own prefix",
            pytrace=False,
        )


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
    of this test's own, with the cache tests' small views.

    Only this test's keys are removed afterwards: other test runs may share the server.
    """
    client = require_redis()
    prefix = own_prefix()
    with override_settings(
        CACHES=redis_caches(REDIS_TEST_URL, prefix), ROOT_URLCONF=REDIS_URLCONF
    ):
        yield client
        delete_own_keys(client, prefix)
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


# The demo newsroom's languages: English (the default, unprefixed), Spanish, French and
# Arabic (right to left).
FOUR_LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("ar", "العربية")]


@pytest.fixture
def multilingual(settings):
    """The newsroom publishing in English, Spanish, French and Arabic."""
    settings.LANGUAGES = FOUR_LANGUAGES
    return settings
