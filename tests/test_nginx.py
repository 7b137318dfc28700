"""deploy/nginx.conf for real: nginx in front of gunicorn serves media with safe headers.

The config file is used as docker-compose.yml mounts it, with only the addresses moved
to 127.0.0.1 (ports in 18400-18499) and the media volume to a temporary folder. Skipped
when nginx is not installed (Debian: ``apt-get install nginx-light``; CI installs it).
"""

import io
import os
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
    for port in range(18400, 18500):
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
    assert f"127.0.0.1:{app}" in site and f"{media}/" in site, "the compose values moved"
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
        while "GET /healthz" not in access_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        line = next(x for x in access_log.read_text().splitlines() if "GET /healthz" in x)
        assert line.endswith("|127.0.0.1|http")
    finally:
        for process in (web, app):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
