"""Region filters and the admin article list on an imported database, measured in process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench_100000 \\
        .venv/bin/python bench/regions.py

Needs a PostgreSQL database filled by ``manage.py import_articles --skip-renditions`` from
``bench/generate.py`` output, then ``VACUUM ANALYZE``. Prints two Markdown tables:

1. The list's grouping filter: the server's execution time (``EXPLAIN ANALYZE``, median of
   nine) of the page's query and of its count, through the stored groupings (what the
   site does) and through an EXISTS over the grouping and its countries (what it did).
2. The admin article list as staff use it: the whole request in process (median of
   eleven), its SQL time, and whether a ``COUNT(*)`` ran.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from articles.filters import ArticleFilterSet  # noqa: E402
from articles.models import Article, Region  # noqa: E402
from articles.regions import region_index  # noqa: E402

FILTERS = [
    "type=report&region=americas",
    "region=americas",
    "region=middle-east-north-africa",
    "type=statement&region=europe-central-asia&year=2019",
    "q=asylum&region=americas",
]
ADMIN = "/admin/articles/article/"


def server_ms(sql, params, runs=9):
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            times.append(plan[0]["Execution Time"])
    return statistics.median(times)


def by_countries(self, queryset, name, value):
    """The filter as it was: the grouping's own id and each of its countries'."""
    region = region_index()[value]
    return queryset.in_region_ids(
        list(Region.objects.expand([region.slug]).values_list("pk", flat=True))
    )


def filter_table():
    stored = ArticleFilterSet.filter_region
    rows = []
    for query in FILTERS:
        cells = []
        for method in (by_countries, stored):
            ArticleFilterSet.filter_region = method
            qs = ArticleFilterSet(QueryDict(query), queryset=Article.objects.live()).qs
            page_sql, page_params = qs.values_list("pk", flat=True)[:20].query.sql_with_params()
            count_sql, count_params = qs.order_by().values("pk").query.sql_with_params()
            cells += [
                server_ms(page_sql, page_params),
                # The SQL is Django's own, with its parameters kept apart.
                server_ms(f"SELECT COUNT(*) FROM ({count_sql}) counted", count_params),  # noqa: S608
            ]
        ArticleFilterSet.filter_region = stored
        rows.append(f"| `?{query}` | " + " | ".join(f"{ms:.2f}" for ms in cells) + " |")
    timed = ["page, before", "count, before", "page, stored", "count, stored"]
    print("| filter | " + " | ".join(f"{column} (ms)" for column in timed) + " |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


def admin_table():
    setup_test_environment()
    client = Client(HTTP_HOST="127.0.0.1")
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(user)
    title = Article.objects.order_by("pk").values_list("title", flat=True).first()
    queries = [
        "",
        "?p=100",
        "?region=americas",
        "?q=asylum",
        "?q=refugees",
        "?" + urlencode({"q": title}),
        "?q=6514",
        "?region=americas&q=asylum",
    ]
    print("| admin URL | request (ms) | SQL (ms) | queries | COUNT(*) |")
    print("| --- | ---: | ---: | ---: | --- |")
    for query in queries:
        url = ADMIN + query
        assert client.get(url).status_code == 200, url
        totals, sql_times, log = [], [], []

        def timed(execute, sql, params, many, context, log=log):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                log.append((time.perf_counter() - started, sql))

        for _ in range(11):
            log.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                client.get(url)
            totals.append((time.perf_counter() - started) * 1000)
            sql_times.append(sum(t for t, _ in log) * 1000)
        counted = any("COUNT(" in sql.upper() for _, sql in log)
        label = query if len(query) < 50 else query[:47] + "…"
        print(
            f"| `{ADMIN}{label}` | {statistics.median(totals):.0f} | "
            f"{statistics.median(sql_times):.0f} | {len(log)} | {'yes' if counted else 'no'} |"
        )


if __name__ == "__main__":
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to the PostgreSQL database to measure.")
    print(f"{Article.objects.count():,} articles\n")
    with override_settings(ALLOWED_HOSTS=["127.0.0.1"]):
        filter_table()
        print()
        admin_table()
