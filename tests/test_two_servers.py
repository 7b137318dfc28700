"""Two app servers, as production runs them: two gunicorn processes in production
settings sharing one PostgreSQL database and one Redis, and a task worker beside them.
What one shows, the other shows at once, and a Redis outage degrades both the same way.

Needs PostgreSQL (skipped on SQLite) and Redis at REDIS_TEST_URL (skipped on a laptop
without one, a failure under CI). The servers reach Redis through a proxy the test can
cut, and every process the test starts is stopped when it ends.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory
from tests.faulty_servers import CuttableProxy, listening_socket
from tests.real_redis import REDIS_TEST_URL, delete_own_keys, own_prefix, require_redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port():
    sock = listening_socket()
    port = sock.getsockname()[1]
    sock.close()
    return port


def get(port, path):
    """(status, body) of a GET, as a browser with no cookies would see it."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_until_up(port, process, log):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server on {port} exited: {log.read_text()[-3000:]}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server on {port} did not start: {log.read_text()[-3000:]}")


@pytest.fixture
def shared_redis():
    client = require_redis()
    parts = urlsplit(REDIS_TEST_URL)
    proxy = CuttableProxy((parts.hostname, parts.port or 6379))
    prefix = own_prefix("two-servers")
    url = f"redis://127.0.0.1:{proxy.port}/{parts.path.lstrip('/') or '0'}"
    yield proxy, url, prefix
    proxy.close()
    delete_own_keys(client, prefix)
    client.close()


@pytest.fixture
def servers(shared_redis, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two app servers share a PostgreSQL database")
    proxy, redis_url, prefix = shared_redis
    database = connection.settings_dict
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "two-servers-test-secret-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "CACHE_RETRY_SECONDS": "0.5",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    processes = []
    ports = []
    try:
        for n in range(2):
            port = free_port()
            log = tmp_path / f"gunicorn-{n}.log"
            command = [str(BIN / "gunicorn"), "-c", "newsroom/gunicorn.conf.py"]
            command += ["--bind", f"127.0.0.1:{port}"]
            with log.open("w") as out:
                process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
            processes.append(process)
            wait_until_up(port, process, log)
            ports.append(port)
        with (tmp_path / "worker.log").open("w") as out:
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "1"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=out,
            )
        processes.append(worker)
        # This test process writes content as a third app server (the admin's) would:
        # through the same Redis.
        caches = {
            "default": {
                "BACKEND": "core.cache_backends.ResilientRedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": prefix,
                "RETRY_SECONDS": 0.5,
            }
        }
        with override_settings(CACHES=caches):
            yield proxy, ports, worker
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def both(ports, path):
    return [get(port, path) for port in ports]


def test_two_servers_show_the_same_content_at_once_and_degrade_alike(servers):
    proxy, ports, worker = servers
    article = ArticleFactory(title="First headline", slug="shared-story")
    lift = timezone.now() + timedelta(seconds=6)
    ArticleFactory(title="Embargoed until the lift", slug="embargoed", published_at=lift)

    for _ in range(2):  # the second visit reads the fragments the first one kept
        for status, body in both(ports, "/news/"):
            assert status == 200
            assert "First headline" in body
            assert "Embargoed until the lift" not in body

    # An edit: both show it on the next request.
    article.title = "Corrected headline"
    article.save()
    for status, body in both(ports, "/news/") + both(ports, "/news/shared-story/"):
        assert status == 200
        assert "Corrected headline" in body
        assert "First headline" not in body

    # An unpublish: gone from both at once.
    article.status = Article.Status.DRAFT
    article.save()
    for status, body in both(ports, "/news/"):
        assert status == 200
        assert "Corrected headline" not in body
    assert [status for status, _ in both(ports, "/news/shared-story/")] == [404, 404]

    # A scheduled lift: nobody saves anything, both show it from its time on.
    time.sleep(max(0.0, (lift - timezone.now()).total_seconds()) + 0.5)
    for status, body in both(ports, "/news/") + both(ports, "/news/embargoed/"):
        assert status == 200
        assert "Embargoed until the lift" in body

    # Redis hangs: both keep serving from the database, quickly, and say so.
    proxy.hang()
    started = time.monotonic()
    for path in ("/", "/news/", "/news/embargoed/", "/news/feed/", "/press/", "/press/inquiry/"):
        assert [status for status, _ in both(ports, path)] == [200, 200], path
    assert time.monotonic() - started < 10
    for status, body in both(ports, "/healthz"):
        assert status == 200
        assert '"cache": "unavailable"' in body

    # Redis is back: both recover without a restart.
    proxy.restore()
    time.sleep(0.6)
    both(ports, "/news/")  # the first call after the pause probes and reconnects
    for status, body in both(ports, "/healthz"):
        assert status == 200
        assert '"status": "ok"' in body
    assert worker.poll() is None, "the task worker stopped"
