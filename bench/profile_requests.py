"""Profile public requests in process: where a request's time goes, function by function.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench_100000 \
        .venv/bin/python bench/profile_requests.py /news/ "/news/?q=refugees" --requests 200

Production-like settings as in ``run.py`` (``DJANGO_ENV=production``, DEBUG off, Redis
db 14 as the cache), Django's test client
through the whole middleware chain. For each URL: the mean time per warm request, then
cProfile's top functions by own time and by cumulative time (``--top``).
"""

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-profile", action="store_true", help="Only time the requests.")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ.setdefault("CACHE_KEY_PREFIX", "bench100000")
    os.environ.setdefault("STATIC_ROOT", str(ROOT / "bench" / "out" / "static"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    for url in args.urls:
        for _ in range(5):
            status = client.get(url).status_code
        started, started_cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            for _ in range(args.requests):
                client.get(url)
        mean = (time.perf_counter() - started) / args.requests * 1000
        # CPU time of this process (Python) and the database's own time: on a loaded
        # machine the wall time mostly measures waiting for a core, these do not.
        cpu = (time.process_time() - started_cpu) / args.requests * 1000
        sql = sum(float(query["time"]) for query in queries) / args.requests * 1000
        print(
            f"\n== {url} ({status}): {mean:.2f} ms per request over {args.requests} "
            f"(CPU {cpu:.2f} ms, SQL {sql:.2f} ms)"
        )
        if args.no_profile:
            continue
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            client.get(url)
        profile.disable()
        stats = pstats.Stats(profile).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
