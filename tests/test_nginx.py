"""deploy/nginx.conf for real: nginx in front of gunicorn serves media with safe headers.

The config file is used as docker-compose.yml mounts it, with only the addresses moved
to 127.0.0.1 (ports in 18400-18499) and the media volume to a temporary folder. Skipped
when nginx is not installed (Debian: ``apt-get install nginx-light``; CI installs it).
"""

import io
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage

from media_library import storage
from tests.factories import image_bytes

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
)
MEDIA_CSP = "default-src 'none'; sandbox"


@pytest.fixture(autouse=True)
def _needs_nginx():
    if NGINX is None:
        message = "nginx is not installed; ./scripts/install-browser installs it."
        if os.environ.get("CI"):
            pytest.fail(f"The nginx tests cannot run in CI: {message}", pytrace=False)
        pytest.skip(message)


def free_port() -> int:
    # In random order: test runs in parallel (other checkouts) then rarely pick the same.
    for port in random.sample(range(18400, 18500), 100):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail("no free port in 18400-18499")


def _wait_for(port, process, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nothing listening on {port}")


def _nginx_config(folder: Path, *, listen: int, app: int, media: Path) -> Path:
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("server app:8000;", f"server 127.0.0.1:{app};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("/srv/media/", f"{media}/")
    site = site.replace("/var/cache/nginx/newsroom", f"{folder}/cache")
    assert f"127.0.0.1:{app}" in site and f"{media}/" in site, "the compose values moved"
    assert f"{folder}/cache" in site, "the page cache's folder moved"
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir()
    main = folder / "nginx.conf"
    # One process as the current user: no privilege drop that could not read tmp_path.
    main.write_text(
        f"daemon off; master_process off; pid {folder}/nginx.pid; error_log {folder}/error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {temp}/body; "
        f"proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi; "
        f"uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi; "
        f"include {folder}/site.conf; }}\n"
    )
    return main


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _wait_until_answering(url, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if _get(url)[0] == 200:
                return
        except OSError:  # not yet
            pass
        assert time.monotonic() < deadline, f"{url} does not answer"
        time.sleep(0.2)


@pytest.fixture
def media(tmp_path):
    """Public media as the app writes them: a rendition, a document, a legacy original."""
    folder = tmp_path / "media"
    public = FileSystemStorage(location=folder)
    rendition = public.save(
        "photos/renditions/7/card-320-3f9a0c1b2d4e.jpg",
        io.BytesIO(image_bytes(320, 180)),
    )
    document = public.save(
        storage.document_upload_to(None, "Facing Walls.html"),
        io.BytesIO(b"%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF\n"),
    )
    legacy = public.save("photos/originals/2026/12/gps.jpg", io.BytesIO(image_bytes(64, 48)))
    return folder, rendition, document, legacy


def test_nginx_config_is_valid(tmp_path, media):
    config = _nginx_config(tmp_path, listen=free_port(), app=free_port(), media=media[0])
    result = subprocess.run(
        [NGINX, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_nginx_serves_media_and_proxies_the_app(tmp_path, media):
    folder, rendition, document, legacy = media
    app_port = free_port()
    access_log = tmp_path / "access.log"
    app = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "--config", "newsroom/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{app_port}", "--workers", "1",
            "--access-logfile", str(access_log),
            "--access-logformat", "%(r)s|%({x-forwarded-for}i)s|%({x-forwarded-proto}i)s",
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_ENV": "production",
            "SECRET_KEY": "nginx-test-only-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "MEDIA_ROOT": str(folder),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    web_port = free_port()
    while web_port == app_port:
        web_port = free_port()
    web = subprocess.Popen(
        [NGINX, "-c", str(_nginx_config(tmp_path, listen=web_port, app=app_port, media=folder)),
         "-p", str(tmp_path)],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for(app_port, app)
        _wait_for(web_port, web)
        # Listening is not answering: the worker loads Django first (slow on a busy machine).
        _wait_until_answering(f"http://127.0.0.1:{app_port}/healthz")
        base = f"http://127.0.0.1:{web_port}"

        status, headers, body = _get(f"{base}/media/{rendition}")
        assert status == 200 and body.startswith(b"\xff\xd8")
        assert headers["Content-Type"] == "image/jpeg"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"] == MEDIA_CSP
        assert "immutable" in headers["Cache-Control"]
        assert "Content-Disposition" not in headers

        status, headers, body = _get(f"{base}/media/{document}")
        assert status == 200 and body.startswith(b"%PDF-")
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"] == "attachment"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"] == MEDIA_CSP
        assert document.endswith("/facing-walls.pdf")

        # Nothing else under /media/: not an original an old version left, not a listing.
        assert _get(f"{base}/media/{legacy}")[0] == 404
        assert _get(f"{base}/media/photos/renditions/")[0] in (403, 404)
        assert _get(f"{base}/media/photos/renditions/../originals/2026/12/gps.jpg")[0] == 404

        # The container's health check answers from loopback without the app.
        assert _get(f"{base}/nginx-health")[0] == 204

        # Everything else reaches the app, which is told the client's address and scheme.
        status, headers, body = _get(f"{base}/healthz")
        assert status == 200 and b'"database": "ok"' in body
        deadline = time.monotonic() + 5
        while access_log.read_text().count("GET /healthz") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        # The last one: the first was the readiness probe, sent to the app directly.
        line = [x for x in access_log.read_text().splitlines() if "GET /healthz" in x][-1]
        assert line.endswith("|127.0.0.1|http")
    finally:
        for process in (web, app):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- the edge holds the pages ------------------------------------------------------------

# A short s-maxage so that expiry can be watched: an unpublish must be gone from nginx
# within it (plus the second of stale-while-revalidate the app allows).
SHARED_MAX_AGE = 2

SETUP = """
from datetime import timedelta
from django.utils import timezone
from articles.models import Article
from embargo.models import EmbargoLink
from tests.factories import ArticleFactory
for slug in ("published-story", "to-withdraw", "kept-through-outage"):
    ArticleFactory(slug=slug, title=slug.replace("-", " ").title())
ArticleFactory(
    slug="historia-publicada",
    title="Historia publicada",
    language="es",
    translation_of=Article.objects.get(slug="published-story"),
)
secret = ArticleFactory(
    slug="secret-story", title="Secret Story", published_at=timezone.now() + timedelta(days=2)
)
for email in ("one@example.org", "two@example.org"):
    link, token = EmbargoLink.issue(article=secret, email=email, send_email=False)
    link.save()
    print("TOKEN", token)
"""


class Edge:
    """nginx with deploy/nginx.conf in front of gunicorn (production settings, SQLite),
    with the app's access log to count what reached it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.app_port = self.web_port = None
        self.access_log = folder / "access.log"
        self.env = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_ENV": "production",
            "SECRET_KEY": "nginx-test-only-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "CACHE_DIR": str(folder / "app-cache"),
            "MEDIA_ROOT": str(folder / "media"),
            "PRIVATE_MEDIA_ROOT": str(folder / "private"),
            "STATIC_ROOT": str(folder / "static"),
            "PAGE_SHARED_MAX_AGE": str(SHARED_MAX_AGE),
            "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
            # Pages in other languages are kept as the default language's are.
            "LANGUAGES": "en,es,fr,ar",
        }
        self.app = self.web = None

    def manage(self, *args) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def start_app(self):
        self.app = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--config", "newsroom/gunicorn.conf.py",
                "--bind", f"127.0.0.1:{self.app_port}", "--workers", "2",
                "--access-logfile", str(self.access_log), "--access-logformat", "%(r)s",
            ],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
            stderr=(self.folder / "app.log").open("a"),
        )  # fmt: skip
        _wait_for(self.app_port, self.app)
        # Listening is not answering: the workers load Django first (slow on a busy machine).
        deadline = time.monotonic() + 60
        while not self._app_answers():
            assert time.monotonic() < deadline, "the app does not answer"
            time.sleep(0.2)

    def _app_answers(self):
        try:
            return _get(f"http://127.0.0.1:{self.app_port}/healthz")[0] == 200
        except OSError:  # not yet
            return False

    def stop_app(self):
        _stop(self.app)

    def start(self):
        (self.folder / "media").mkdir()
        self.app_port = free_port()
        self.start_app()
        self.web_port = free_port()  # the app's port is taken now
        config = _nginx_config(
            self.folder, listen=self.web_port, app=self.app_port, media=self.folder / "media"
        )
        self.web = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(self.folder)], stderr=subprocess.PIPE
        )
        _wait_for(self.web_port, self.web)

    def stop(self):
        for process in (self.web, self.app):
            _stop(process)

    def get(self, path, **headers):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_port}{path}", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def reached_app(self, path) -> int:
        """How many requests for ``path`` gunicorn has logged (it logs as it answers)."""
        time.sleep(0.3)
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return sum(line.startswith(f"GET {path} ") for line in lines)


def _stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    if NGINX is None:
        pytest.skip("nginx is not installed")
    site = Edge(tmp_path_factory.mktemp("edge"))
    # Static files are collected while the database is made (production needs them).
    collect = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=site.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    site.manage("migrate", "--noinput", "-v", "0")
    assert collect.wait(timeout=300) == 0, collect.stderr.read()
    output = site.manage("shell", "-c", SETUP)
    site.tokens = [line.split()[1] for line in output.splitlines() if line.startswith("TOKEN")]
    try:
        site.start()
        yield site
    finally:
        site.stop()


def cache_status(answer):
    return answer[1]["X-Cache-Status"]


@pytest.mark.parametrize("path", ["/news/published-story/", "/es/news/historia-publicada/"])
def test_a_public_page_is_answered_by_nginx_without_the_app(edge, path):
    first = edge.get(path)
    assert (first[0], cache_status(first)) == (200, "MISS")
    assert f"s-maxage={SHARED_MAX_AGE}" in first[1]["Cache-Control"]
    assert edge.reached_app(path) == 1
    for _ in range(5):
        again = edge.get(path)
        assert (again[0], cache_status(again), again[2]) == (200, "HIT", first[2])
    assert edge.reached_app(path) == 1


# gunicorn refuses request lines over 4,094 bytes itself (414).
@pytest.mark.parametrize(("length", "status"), [(3000, 404), (7000, 414)])
def test_a_long_address_is_the_apps_answer_not_a_bad_gateway(edge, length, status):
    """The cache keeps its key (the whole address) in the buffer of the app's headers: a
    long slug, which nginx itself accepts (request lines up to 8 KB), must not overflow it
    into a 502."""
    path = f"/news/{'a' * length}/"
    for _ in range(2):
        assert edge.get(path)[0] == status


def test_an_unpublished_article_is_gone_within_its_s_maxage_and_stays_gone(edge):
    path = "/news/to-withdraw/"
    assert cache_status(edge.get(path)) == "MISS"
    assert cache_status(edge.get(path)) == "HIT"

    edge.manage(
        "shell", "-c",
        "from articles.models import Article\n"
        "article = Article.objects.get(slug='to-withdraw')\n"
        "article.status = Article.Status.DRAFT\n"
        "article.save()\n",
    )  # fmt: skip
    withdrawn = time.monotonic()
    # The copy was made before the unpublish: it expires within s-maxage of it, and may
    # be served one second more while nginx asks the app again.
    deadline = withdrawn + SHARED_MAX_AGE + 1
    answers = []
    while time.monotonic() < deadline + 2:
        answers.append((time.monotonic(), edge.get(path)[0]))
        time.sleep(0.1)
    assert {status for _, status in answers} <= {200, 404}
    assert all(status == 404 for at, status in answers if at > deadline), answers
    # A stale copy covers an outage, never an unpublish: nginx keeps the 404 now.
    edge.stop_app()
    try:
        time.sleep(SHARED_MAX_AGE + 1.5)
        for _ in range(3):
            assert edge.get(path)[0] == 404
    finally:
        edge.start_app()


def test_personal_pages_and_sessions_are_never_stored(edge):
    one, two = edge.tokens
    for _ in range(2):
        for token, mine, theirs in ((one, b"one@", b"two@"), (two, b"two@", b"one@")):
            page = edge.get(f"/embargo/{token}/")
            assert page[0] == 200
            assert mine in page[2] and theirs not in page[2]
            assert cache_status(page) != "HIT"
            assert page[1]["Cache-Control"] == "private, no-store"

    edge.get("/news/")
    assert cache_status(edge.get("/news/")) == "HIT"
    for cookie in ("sessionid=abc", "messages=xyz", "a=b; sessionid=abc"):
        personal = edge.get("/news/", Cookie=cookie)
        assert cache_status(personal) == "BYPASS", cookie
        assert "no-store" in personal[1]["Cache-Control"]
    # A CSRF cookie alone is no session: the public copy, which holds no token.
    assert cache_status(edge.get("/news/", Cookie="csrftoken=abc")) == "HIT"

    # Forms carry each visitor's own token, in every language.
    for path in ("/press/inquiry/", "/es/press/inquiry/"):
        forms = [edge.get(path) for _ in range(2)]
        assert all(form[0] == 200 and cache_status(form) != "HIT" for form in forms), path
        tokens = [
            re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', f[2])[1] for f in forms
        ]
        assert tokens[0] != tokens[1], path


def test_with_the_app_stopped_cached_pages_still_answer(edge):
    paths = ["/", "/news/", "/news/?type=report", "/news/kept-through-outage/",
             "/news/feed/", "/sitemap.xml", "/robots.txt",
             "/es/", "/es/news/", "/es/news/historia-publicada/", "/es/news/feed/"]  # fmt: skip
    for path in paths:
        edge.get(path)
        assert cache_status(edge.get(path)) == "HIT", path
    edge.stop_app()
    try:
        for path in paths:
            assert edge.get(path)[0] == 200, path
        time.sleep(SHARED_MAX_AGE + 1.5)  # expired now: the last good copy answers
        for path in paths:
            answer = edge.get(path)
            assert (answer[0], cache_status(answer)) == (200, "STALE"), path
        assert edge.get("/news/never-cached/")[0] == 502
    finally:
        edge.start_app()
