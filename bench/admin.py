"""Time the admin's article list as an editor sees it: the list, its filters, sorting and
search, in process, with the test client logged in through the whole middleware chain.

    .venv/bin/python bench/admin.py --count 1000000          # the database run.py made
    .venv/bin/python bench/admin.py --database-url postgres://…/newsroom_bench_100000

Production-like settings as in ``run.py`` (``DJANGO_ENV=production``, DEBUG off, Redis as
the cache); the editor ``bench-editor`` (in the Editors group) is created in the bench
database if it is missing. For each URL: the median and slowest of ``--requests`` warm
requests, the median CPU time of this process (Python: the
rest is waiting for PostgreSQL and Redis), the SQL queries of one request, their total
and the slowest of them. Issue 12's target is
every row under 500 ms with 1,000,000 articles. Prints a Markdown table.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 500


def urls(admin_url, exact_title, reference):
    base = f"/{admin_url}articles/article/"
    return [
        ("the list", base),
        ("page 2", f"{base}?p=2"),
        ("sorted by title", f"{base}?o=2"),
        ("sorted by oldest", f"{base}?o=5"),
        ("type: report", f"{base}?kind__exact=report"),
        ("state: live", f"{base}?state=live"),
        ("state: scheduled", f"{base}?state=scheduled"),
        ("region: a grouping", f"{base}?region=americas"),
        ("region: a country", f"{base}?region=mx"),
        ("topic", f"{base}?topic=asylum"),
        ("year 2018 (date drill-down)", f"{base}?published_at__year=2018"),
        ("search: a common word", f"{base}?q=refugees"),
        ("search: a rarer word", f"{base}?q=asylum"),
        ("search: an exact title", f"{base}?q={exact_title}"),
        ("search: a reference number", f"{base}?q={reference}"),
        ("search with a filter", f"{base}?q=asylum&kind__exact=report"),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="Default: the bench database of --count.")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    args = parser.parse_args(argv)

    os.environ.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX=f"benchadmin{args.count}",
        STATIC_ROOT=str(ROOT / "bench" / "out" / "static"),
        DATABASE_URL=args.database_url
        or f"postgres://postgres@127.0.0.1:5432/newsroom_bench_{args.count}",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from core.roles import EDITORS

    editor, created = User.objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "email": "editor@example.org"}
    )
    if created:
        editor.groups.add(Group.objects.get(name=EDITORS))
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(editor)

    live = Article.objects.live().order_by("-published_at")
    exact_title = live.values_list("title", flat=True)[500]
    reference = (
        live.exclude(reference_number="").values_list("reference_number", flat=True).first()
    )
    total = Article.objects.count()  # once, for the heading
    print(f"## The admin's article list, {total:,} articles\n")
    print(
        f"In process, Django's test client logged in as an editor, {args.requests} warm "
        "requests per URL after one to warm up.\n"
    )
    print(
        "| what | URL | median ms | slowest ms | CPU ms | SQL | SQL ms | slowest query ms "
        "| under 500 ms |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |")
    from urllib.parse import quote

    for label, url in urls(settings.ADMIN_URL, quote(exact_title), quote(reference or "")):
        response = client.get(url)
        if response.status_code != 200:
            print(f"| {label} | `{url}` | HTTP {response.status_code} | | | | ✗ |")
            continue
        times, cpu = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        query_times = [float(query["time"]) * 1000 for query in captured]
        median = statistics.median(times)
        shown = url if len(url) < 70 else url[:67] + "…"
        print(
            f"| {label} | `{shown}` | {median:.0f} | {max(times):.0f} | "
            f"{statistics.median(cpu):.0f} | {len(captured)} | {sum(query_times):.0f} | "
            f"{max(query_times, default=0):.0f} | {'✓' if max(times) < TARGET_MS else '✗'} |"
        )


if __name__ == "__main__":
    main()
