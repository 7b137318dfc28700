"""The public site with its cache down or hanging, and the cache against random URLs.

    .venv/bin/python bench/cache_outage.py            # three phases, then a summary
    .venv/bin/python bench/cache_outage.py --keep     # keep the database afterwards

gunicorn in production settings (2 sync workers) over PostgreSQL with the
demo content (``seed_demo``), started three times:

1. ``REDIS_URL`` at a closed port: every public page's status and time, ``/healthz``,
   and a media inquiry POSTed as a browser does (it must be stored, flagged because the
   rate limit could not be checked);
2. ``REDIS_URL`` at a server on 127.0.0.1 that accepts connections and never answers
   (a hung Redis): the same;
3. ``REDIS_URL`` at the real Redis (db 10, ``BENCH_REDIS_URL``) under a fresh key
   prefix: the canonical pages are fetched once, then 1,000 GETs with random query
   strings (unknown parameters, junk values of known ones); the keys under the prefix
   are counted before and after. Target: none added.

Exits non-zero when a page answers 500, an inquiry is lost, or the random requests add
cache entries. Reuses the inquiry benchmark's helpers (``inquiry_smtp_hang.py``); listens
on 127.0.0.1:18300-18399 and needs PostgreSQL at 127.0.0.1:5432 (``BENCH_PG_URL``).
"""

import argparse
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inquiry_smtp_hang as site

site.DB_NAME = "newsroom_cache_outage_bench"
DEAD_PORT = 18351
HUNG_PORT = 18352
PAGES = [
    "/",
    "/news/",
    "/news/?type=report&region=americas",
    "/news/?q=asylum",
    "/news/?year=2018&sort=oldest",
    "/news/feed/",
    "/news/feed/atom/",
    "/press/",
    "/press/inquiry/",
    "/sitemap.xml",
    "/robots.txt",
]


def hung_redis(stop):
    """Accept every connection and never answer, as a wedged Redis does."""
    site.hanging_smtp(HUNG_PORT, stop)


def live_slug():
    with psycopg.connect(f"{site.PG_URL}/{site.DB_NAME}") as connection:
        return connection.execute(
            "SELECT slug FROM articles_article WHERE status = 'published' "
            "AND published_at <= now() ORDER BY published_at DESC LIMIT 1"
        ).fetchone()[0]


def inquiries():
    with psycopg.connect(f"{site.PG_URL}/{site.DB_NAME}") as connection:
        return connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE rate_limit_skipped) FROM press_mediainquiry"
        ).fetchone()


def serve(env, redis_url, name):
    env = {**env, "REDIS_URL": redis_url}
    log = (site.OUT / f"outage-{name}-gunicorn.log").open("w")
    web = subprocess.Popen(
        [site.GUNICORN, "--config", "newsroom/gunicorn.conf.py"],
        cwd=site.ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    site.wait_for_server()
    return web


def stop(web):
    web.terminate()
    try:
        web.wait(15)
    except subprocess.TimeoutExpired:
        web.kill()


def check_pages(name, pages):
    """GET each page; return the failures. Prints status and time per page."""
    failures = []
    for path in pages:
        response, body, elapsed = site.request("GET", path, headers={"Host": "127.0.0.1"})
        print(f"  {response.status} {elapsed * 1000:6.0f} ms  {path}")
        if response.status != 200:
            failures.append(f"{name}: {path} answered {response.status}")
    response, body, _ = site.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
    print(f"  {response.status}            /healthz {body}")
    before = inquiries()[0]
    cookie, fields = site.open_form()
    time.sleep(2.2)  # the spam rule's minimum fill time
    status, elapsed = site.post_inquiry(cookie, fields, 1)
    stored, flagged = inquiries()
    print(
        f"  {status} {elapsed * 1000:6.0f} ms  POST /press/inquiry/ "
        f"(stored {stored - before}, flagged so far {flagged})"
    )
    if status != 303 or stored != before + 1:
        failures.append(f"{name}: the inquiry was not stored ({status})")
    return failures


def random_query(rng):
    junk = secrets.token_urlsafe(rng.randint(4, 24))
    path = rng.choice(["/", "/news/", "/news/feed/", "/sitemap.xml", "/press/"])
    params = rng.choice(
        [
            f"r={junk}",
            f"utm_source={junk}&fbclid={junk}",
            f"year={junk}",
            f"type={junk}",
            f"page=1&{junk}=1",
            f"region={junk}&q=",
        ]
    )
    return f"{path}?{params}"


def random_urls(env, count):
    prefix = f"outage-bench-{secrets.token_hex(4)}"
    url = env.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
    web = serve({**env, "CACHE_KEY_PREFIX": prefix}, url, "random")
    client = redis.Redis.from_url(url)
    try:
        for path in ["/", "/news/", "/news/feed/", "/sitemap.xml", "/press/"]:
            site.request("GET", path, headers={"Host": "127.0.0.1"})
        before = set(client.scan_iter(match=f"{prefix}:*"))
        rng = random.Random(1)
        started = time.perf_counter()
        statuses = {}
        for _ in range(count):
            response, _, _ = site.request("GET", random_query(rng), headers={"Host": "127.0.0.1"})
            statuses[response.status] = statuses.get(response.status, 0) + 1
        seconds = time.perf_counter() - started
        after = set(client.scan_iter(match=f"{prefix}:*"))
    finally:
        stop(web)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    added = sorted(key.decode() for key in after - before)
    print(
        f"  {count} GETs with random parameters in {seconds:.1f} s, statuses {statuses}: "
        f"cache keys {len(before)} before, {len(after)} after ({len(added)} added; target 0)"
    )
    for key in added:
        print(f"    added: {key}")
    return [f"random URLs added {len(added)} cache entries"] if added else []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    site.OUT.mkdir(parents=True, exist_ok=True)
    env = site.environment()
    env.update(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    site.recreate_database()
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["seed_demo"],
    ):
        subprocess.run(
            [site.PYTHON, "manage.py", *command],
            cwd=site.ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    pages = [*PAGES, f"/news/{live_slug()}/"]
    with socket.socket() as probe:  # the "closed port" must really be closed
        assert probe.connect_ex(("127.0.0.1", DEAD_PORT)) != 0, f"{DEAD_PORT} is in use"

    failures = []
    halt = threading.Event()
    hung = threading.Thread(target=hung_redis, args=(halt,), daemon=True)
    hung.start()
    try:
        for name, url in (
            ("Redis down (closed port)", f"redis://127.0.0.1:{DEAD_PORT}/0"),
            ("Redis hanging (accepts, never answers)", f"redis://127.0.0.1:{HUNG_PORT}/0"),
        ):
            print(f"\n{name}:")
            web = serve(env, url, name.split()[1])
            try:
                failures += check_pages(name, pages)
            finally:
                stop(web)
        print("\nPage cache on the real Redis:")
        failures += random_urls(env, args.requests)
    finally:
        halt.set()
        hung.join(2)
        if not args.keep:
            site.drop_database()
    print("\n" + ("\n".join(failures) if failures else "All pages answered, nothing lost."))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
