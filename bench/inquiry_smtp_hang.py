"""How long a media inquiry POST takes while the mail server hangs.

    .venv/bin/python bench/inquiry_smtp_hang.py            # 5 inquiries, then reports
    .venv/bin/python bench/inquiry_smtp_hang.py --keep     # keep the database afterwards

Production settings under gunicorn (2 sync workers) with PostgreSQL and Redis, a
``db_worker`` beside it, and an SMTP server on 127.0.0.1 that accepts connections and
never answers (EMAIL_TIMEOUT=10, the production default). It fetches the form as a
browser does (CSRF cookie, form token), waits the spam rule's two seconds, POSTs
inquiries one after another and times each, then times a public page while the worker
is stuck on the mail server, and finally waits for the worker to record the failure.

Before e-mail became a task each such POST held a web worker 10-20 s. The target is
under 300 ms. Needs PostgreSQL at 127.0.0.1:5432 (``BENCH_PG_URL``) and Redis at
127.0.0.1:6379 (db 10, ``BENCH_REDIS_URL``); everything listens on 127.0.0.1:18300-18399.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
OUT = ROOT / "bench" / "out"
WEB_PORT = 18300
SMTP_PORT = 18325
DB_NAME = "newsroom_press_inquiry_bench"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")


def hanging_smtp(port, stop):
    """Accept every connection and say nothing, as a wedged mail server does."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    server.settimeout(0.2)
    held = []
    while not stop.is_set():
        try:
            held.append(server.accept()[0])
        except TimeoutError:
            continue
    for connection in held:
        connection.close()
    server.close()


def environment():
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{PG_URL}/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        # A fresh prefix: no rate-limit counts from an earlier run.
        CACHE_KEY_PREFIX=f"inquiry-bench-{secrets.token_hex(4)}",
        STATIC_ROOT=str(OUT / "static-inquiry"),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        EMAIL_TIMEOUT="10",
        GUNICORN_BIND=f"127.0.0.1:{WEB_PORT}",
        WEB_CONCURRENCY="2",
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
    )
    return env


def recreate_database():
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database():
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def request(method, path, *, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=60)
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    content = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response, content.decode("utf-8", "replace"), elapsed


def wait_for_server(deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            response, _, _ = request("GET", "/healthz")
            if response.status in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start; see bench/out/inquiry-gunicorn.log")


def open_form():
    """GET the form as a browser: its CSRF cookie, CSRF field and form token."""
    response, html, _ = request("GET", "/press/inquiry/", headers={"Host": "127.0.0.1"})
    assert response.status == 200, response.status
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")[1]
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|started)" value="([^"]+)"', html))
    return cookie, fields


def post_inquiry(cookie, fields, number):
    data = {
        "name": f"Reporter {number}",
        "email": f"reporter{number}@example.com",
        "outlet": "The Daily Example",
        "subject": f"Comment on the detentions ({number})",
        "message": "Could a spokesperson comment on the detentions today?",
        "consent": "on",
        "fax": "",
        **fields,
    }
    response, _, elapsed = request(
        "POST",
        "/press/inquiry/",
        body=urllib.parse.urlencode(data),
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
        },
    )
    return response.status, elapsed


def delivery_rows():
    """Each inquiry's notification as the outbox holds it."""
    with psycopg.connect(f"{PG_URL}/{DB_NAME}") as connection:
        return connection.execute(
            "SELECT object_id, attempts, last_error FROM outbox_message"
            " WHERE kind = 'press.inquiry_notification' ORDER BY object_id"
        ).fetchall()


def stored_inquiries() -> int:
    with psycopg.connect(f"{PG_URL}/{DB_NAME}") as connection:
        return connection.execute("SELECT count(*) FROM press_mediainquiry").fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inquiries", type=int, default=5, help="at most 5: the rate limit")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    env = environment()
    print(f"database {DB_NAME}, hanging SMTP on 127.0.0.1:{SMTP_PORT}, gunicorn on :{WEB_PORT}")
    recreate_database()
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)

    stop = threading.Event()
    smtp = threading.Thread(target=hanging_smtp, args=(SMTP_PORT, stop), daemon=True)
    smtp.start()
    log = (OUT / "inquiry-gunicorn.log").open("w")
    web = subprocess.Popen(
        [GUNICORN, "--config", "newsroom/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    worker_log = (OUT / "inquiry-worker.log").open("w")
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=worker_log,
        stderr=worker_log,
    )
    try:
        wait_for_server()
        # Warm both workers as a running site is warm: the form, and a POST the form
        # refuses (no consent), which stores nothing and so keeps within the rate limit
        # of five inquiries per address.
        for _ in range(4):
            cookie, fields = open_form()
            status, _ = post_inquiry(cookie, {**fields, "consent": ""}, 0)
            assert status == 200, status
        forms = [open_form() for _ in range(args.inquiries)]
        time.sleep(2.5)  # the spam rule's minimum fill time, as a person takes
        posts = []
        for number, (cookie, fields) in enumerate(forms, 1):
            status, elapsed = post_inquiry(cookie, fields, number)
            posts.append(elapsed)
            print(f"POST /press/inquiry/ #{number}: {status} in {elapsed * 1000:.0f} ms")
            assert status == 303, status
        # The worker is now stuck on the hanging mail server; the public site is not.
        time.sleep(0.5)
        pages = []
        for _ in range(5):
            response, _, elapsed = request("GET", "/news/", headers={"Host": "127.0.0.1"})
            pages.append(elapsed)
            assert response.status == 200, response.status
        print(
            f"\nPOST median {statistics.median(posts) * 1000:.0f} ms, "
            f"max {max(posts) * 1000:.0f} ms (target < 300 ms)"
        )
        print(
            f"GET /news/ meanwhile: median {statistics.median(pages) * 1000:.0f} ms, "
            f"max {max(pages) * 1000:.0f} ms"
        )
        print("\nWaiting for the worker to give the first inquiry up to its timeout ...")
        end = time.monotonic() + 60
        while time.monotonic() < end:
            rows = delivery_rows()
            if rows and rows[0][2]:
                break
            time.sleep(1)
        for pk, attempts, error in delivery_rows():
            state = f"retry scheduled, last error {error}" if error else "queued or sending"
            print(f"  inquiry {pk}: attempts {attempts}, {state}")
        print(f"\nStored inquiries: {stored_inquiries()} of {args.inquiries}")
        return 0 if max(posts) < 0.3 else 1
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        stop.set()
        smtp.join(2)
        if not args.keep:
            drop_database()
            shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
