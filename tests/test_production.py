"""Production configuration: settings from the environment, static file caching, gunicorn,
and the container files."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-secret-used-only-by-this-test-0123456789abcdef",
    "ALLOWED_HOSTS": "newsroom.example.org",
}


def production_settings(**extra_env):
    """Load settings in a fresh interpreter, as a production server would, and report
    the values that matter."""
    script = (
        "import json\n"
        "from django.conf import settings\n"
        "print(json.dumps({"
        "'DEBUG': settings.DEBUG, 'SHARED_MAX_AGE': settings.PAGE_SHARED_MAX_AGE,"
        "'CACHE': settings.CACHES['default']['BACKEND'],"
        "'STORAGE': settings.STORAGES['default'],"
        "'ORIGINALS': settings.STORAGES['originals'],"
        "'SSL_REDIRECT': settings.SECURE_SSL_REDIRECT,"
        "'WHITENOISE_MAX_AGE': settings.WHITENOISE_MAX_AGE}))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "REDIS_", "PAGE_", "DJANGO_"))
    }
    env |= {"DJANGO_SETTINGS_MODULE": "newsroom.settings", **PRODUCTION_ENV, **extra_env}
    env = {key: value for key, value in env.items() if value is not None}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return result


def test_production_refuses_to_start_without_a_secret():
    result = production_settings(SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_and_object_storage():
    result = production_settings(
        REDIS_URL="redis://127.0.0.1:6379/3",
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_S3_CUSTOM_DOMAIN="media.example.org",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SHARED_MAX_AGE"] == 10
    assert values["SSL_REDIRECT"] is True
    assert values["CACHE"] == "core.cache_backends.ResilientRedisCache"
    assert values["WHITENOISE_MAX_AGE"] == 3600
    storage = values["STORAGE"]
    # Public media are typed by their verified extension, not the browser's word.
    assert storage["BACKEND"] == "media_library.storage.PublicMediaS3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "newsroom-media"
    assert storage["OPTIONS"]["endpoint_url"] == "https://objects.example.org"
    assert storage["OPTIONS"]["custom_domain"] == "media.example.org"
    # Uploaded names are never overwritten: two servers cannot clobber each other's files.
    assert storage["OPTIONS"]["file_overwrite"] is False
    # Originals: private objects under their own prefix, only ever behind a signed URL.
    originals = values["ORIGINALS"]["OPTIONS"]
    assert values["ORIGINALS"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert originals["bucket_name"] == "newsroom-media"
    assert originals["location"] == "private"
    assert originals["default_acl"] == "private"
    assert originals["querystring_auth"] is True
    assert not originals["custom_domain"]


def test_originals_can_have_their_own_bucket():
    result = production_settings(
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
        AWS_PRIVATE_STORAGE_BUCKET_NAME="newsroom-originals",
    )
    assert result.returncode == 0, result.stderr
    originals = json.loads(result.stdout)["ORIGINALS"]["OPTIONS"]
    assert originals["bucket_name"] == "newsroom-originals"
    assert originals["location"] == ""


def test_private_media_inside_media_root_is_refused(tmp_path):
    result = production_settings(
        MEDIA_ROOT=str(tmp_path / "media"), PRIVATE_MEDIA_ROOT=str(tmp_path / "media" / "private")
    )
    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT" in result.stderr


def test_the_edge_can_be_told_to_keep_pages_longer_or_not_at_all():
    assert json.loads(production_settings(PAGE_SHARED_MAX_AGE="60").stdout)["SHARED_MAX_AGE"] == 60
    assert json.loads(production_settings(PAGE_SHARED_MAX_AGE="0").stdout)["SHARED_MAX_AGE"] == 0


@pytest.fixture
def collected_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        },
    }
    settings.WHITENOISE_MAX_AGE = 3600
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_hashed_static_files_are_immutable_for_a_year_and_others_for_an_hour(
    collected_static,
):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())["paths"]
    name, hashed = next(
        (name, hashed) for name, hashed in manifest.items() if name.endswith(".css")
    )
    middleware = WhiteNoiseMiddleware(lambda request: None)

    response = middleware(RequestFactory().get(f"/static/{hashed}"))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control
    assert int(cache_control.split("max-age=")[1].split(",")[0]) >= 31536000

    unhashed = middleware(RequestFactory().get(f"/static/{name}"))
    assert unhashed.status_code == 200
    assert "immutable" not in unhashed["Cache-Control"]
    assert "max-age=3600" in unhashed["Cache-Control"]


def gunicorn_settings(**env):
    with mock.patch.dict(os.environ, env, clear=False):
        return runpy.run_path(str(ROOT / "newsroom" / "gunicorn.conf.py"))


def test_gunicorn_reads_its_settings_from_the_environment():
    defaults = gunicorn_settings()
    assert defaults["wsgi_app"] == "newsroom.wsgi:application"
    assert defaults["worker_class"] == "sync"
    assert defaults["max_requests"] > 0

    tuned = gunicorn_settings(
        WEB_CONCURRENCY="4", GUNICORN_THREADS="8", GUNICORN_TIMEOUT="10", PORT="9000"
    )
    assert tuned["workers"] == 4
    assert tuned["threads"] == 8
    assert tuned["worker_class"] == "gthread"
    assert tuned["timeout"] == 10
    assert tuned["bind"] == "0.0.0.0:9000"


def test_the_compose_file_is_valid_and_complete():
    result = subprocess.run(
        [sys.executable, "scripts/check_compose.py", "docker-compose.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_image_runs_gunicorn_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER newsroom\n" in dockerfile
    assert 'CMD ["gunicorn", "--config", "newsroom/gunicorn.conf.py"]' in dockerfile
    assert "collectstatic" in dockerfile
    assert "HEALTHCHECK" in dockerfile


def test_the_image_holds_every_app_of_the_project():
    """An app left out of the image's COPY lines starts nowhere but on a developer's
    machine: every project app in INSTALLED_APPS must be copied in."""
    from django.conf import settings

    dockerfile = (ROOT / "Dockerfile").read_text()
    project_apps = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    assert {"core", "articles", "media_library", "press", "newsroom"} <= set(project_apps)
    for app in project_apps:
        assert f"\nCOPY {app} ./{app}\n" in dockerfile, app
    # The interface's translations are read from LOCALE_PATHS, outside every app.
    for folder in settings.LOCALE_PATHS:
        name = Path(folder).relative_to(ROOT)
        assert f"\nCOPY {name} ./{name}\n" in dockerfile, name


def test_the_log_level_gunicorn_takes_in_lower_case_starts_django_too():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "newsroom.settings", **PRODUCTION_ENV, "LOG_LEVEL": "debug"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
