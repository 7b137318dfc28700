"""Measure each language's pages against the default language's, side by side.

    .venv/bin/python bench/run.py --count 100000 --prepare-only     # once: the articles
    .venv/bin/python bench/languages.py --count 100000 --prepare    # once: their languages
    .venv/bin/python bench/languages.py --count 100000 --rounds 3 --duration 5

``--prepare`` copies ``newsroom_bench_<count>`` (made by bench/run.py) into
``newsroom_bench_lang_<count>`` and gives its articles languages, deterministically by
id: a quarter Spanish, an eighth Arabic, a sixteenth French, the rest English; every
fourth Spanish or Arabic article is a translation of the English article before it. The
search column follows each article's language (PostgreSQL recomputes it). Then gunicorn
serves this checkout in production settings with ``LANGUAGES=en,es,fr,ar`` in two ways,
as bench/compare.py does (**cold**: every request the first of a new content epoch;
**warm**: Redis, derived data built), and each pair of URLs (the default language's and
another language's same page) is measured in alternating rounds, so the machine's other
load falls on both alike. The table gives the median req/s of the rounds and each
language page's cost relative to the default one's (above 1 is slower). SQL queries per
request are counted with Django's test client against the same database. Written to
bench/out/languages-<date>.md.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
from datetime import UTC, datetime

import compare
import run as harness

OUT = harness.OUT
LANGUAGES = "en,es,fr,ar"

GIVE_LANGUAGES = [
    "UPDATE articles_article SET language = 'es' WHERE id % 4 = 1",
    "UPDATE articles_article SET language = 'ar' WHERE id % 8 = 2",
    "UPDATE articles_article SET language = 'fr' WHERE id % 16 = 3",
    # Translations of the English article before them (each group one version per language).
    """UPDATE articles_article AS t SET translation_of_id = t.id - 1
       FROM articles_article AS s
       WHERE s.id = t.id - 1 AND s.language = 'en' AND t.language IN ('es', 'ar')
         AND s.translation_of_id IS NULL AND t.id % 32 IN (5, 10)""",
    "ANALYZE articles_article",
]

COUNT_QUERIES = """
import json, sys
import django
django.setup()
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client, counts = Client(SERVER_NAME="127.0.0.1"), {}
for url in json.loads(sys.argv[1]):
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        status = client.get(url).status_code
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    counts[url] = [status, len(cold), len(warm)]
print(json.dumps(counts))
"""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--prepare", action="store_true", help="Copy and give languages.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=30)
    parser.add_argument("--cold-requests", type=int, default=3, help="Per round and URL.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18790)
    parser.add_argument("--modes", default="cold,warm")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    args = parser.parse_args(argv)
    args.source_db = f"newsroom_bench_{args.count}"
    args.db = f"newsroom_bench_lang_{args.count}"
    args.threads, args.port_now = 1, None
    return args


def prepare(args, checkout):
    if not harness.database_exists(args.pg_url, args.source_db):
        sys.exit(f"[languages] no {args.source_db}: run bench/run.py --prepare-only first")
    harness.admin_sql(
        args.pg_url,
        f"DROP DATABASE IF EXISTS {args.db}",
        f"CREATE DATABASE {args.db} TEMPLATE {args.source_db}",
    )
    checkout.run("manage.py", "migrate", "--noinput", "-v", "0")
    import psycopg

    with psycopg.connect(f"{args.pg_url}/{args.db}", autocommit=True) as connection:
        for statement in GIVE_LANGUAGES:
            connection.execute(statement)


def pairs(args, env):
    """(what, default language's URL, another language's URLs)."""
    url = env["DATABASE_URL"]

    def slug(language, translated=False):
        return harness.query_one(
            url,
            "SELECT slug FROM articles_article WHERE status = 'published' "
            "AND published_at <= now() AND language = %s "
            "AND (translation_of_id IS NOT NULL OR NOT %s) "
            "ORDER BY published_at DESC LIMIT 1 OFFSET 40",
            [language, translated],
        )[0]

    grouping = "?type=report&region=americas"
    article = [f"/es/news/{slug('es', True)}/", f"/ar/news/{slug('ar')}/"]
    return [
        ("list", "/news/", ["/es/news/", "/ar/news/"]),
        ("grouping", f"/news/{grouping}", [f"/es/news/{grouping}"]),
        ("search", "/news/?q=asylum", ["/es/news/?q=asylum"]),
        ("deep", "/news/?page=500", ["/es/news/?page=500"]),
        ("feed", "/news/feed/", ["/es/news/feed/", "/ar/news/feed/"]),
        ("article", f"/news/{slug('en')}/", article),
    ]


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("[languages] stopped"))
    checkout = compare.Checkout("lang", harness.ROOT, args.db, args)
    checkout.env["LANGUAGES"] = LANGUAGES
    if args.prepare:
        compare.say(f"preparing {args.db} from {args.source_db}")
        prepare(args, checkout)
    if not harness.database_exists(args.pg_url, args.db):
        sys.exit(f"[languages] no database {args.db}: run with --prepare")
    # A copy made by an older checkout: this one's schema.
    checkout.run("manage.py", "migrate", "--noinput", "-v", "0")
    checkout.run("manage.py", "collectstatic", "--noinput", "-v", "0")
    measured = pairs(args, checkout.env)
    every_url = [u for _, default, others in measured for u in (default, *others)]

    counted = subprocess.run(
        [str(checkout.python), "-c", COUNT_QUERIES, json.dumps(every_url)],
        cwd=harness.ROOT,
        env={**checkout.env, "REDIS_URL": ""},
        capture_output=True,
        text=True,
    )
    if counted.returncode:
        sys.exit(f"[languages] counting queries failed:\n{counted.stderr[-3000:]}")
    queries = json.loads(counted.stdout.strip().splitlines()[-1])

    cold_dir = OUT / "compare-settings"
    cold_dir.mkdir(parents=True, exist_ok=True)
    (cold_dir / "bench_cold_settings.py").write_text(compare.COLD_SETTINGS)
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    specs, ports = [], {}
    for offset, mode in enumerate(modes):
        env = dict(checkout.env)
        if mode == "cold":
            env |= {"DJANGO_SETTINGS_MODULE": "bench_cold_settings", "PYTHONPATH": str(cold_dir)}
        ports[mode] = args.port + offset
        specs.append((checkout, ports[mode], env))

    rows, loads, started = [], [compare.load_average()], datetime.now(UTC)
    with compare.servers(args, specs):
        for what, default, others in measured:
            for mode in modes:
                port = ports[mode]
                urls = [default, *others]
                for url in urls:
                    args.port = port
                    for _ in range(2 if mode == "cold" else 4):
                        status, _, _ = harness.fetch(args, url)
                    if status != 200:
                        sys.exit(f"[languages] {mode}: {url} answered {status}")
                runs = {url: [] for url in urls}
                for number in range(args.rounds):
                    for url in urls if number % 2 == 0 else urls[::-1]:
                        measure = compare.one_by_one if mode == "cold" else compare.wrk_at
                        runs[url].append(measure(args, port, url))
                base = statistics.median(r["rps"] for r in runs[default])
                for url in urls:
                    rps = statistics.median(r["rps"] for r in runs[url])
                    row = {
                        "what": what,
                        "mode": mode,
                        "url": url,
                        "rps": rps,
                        "all": [round(r["rps"], 1) for r in runs[url]],
                        "cost": base / rps if rps else float("inf"),
                        "queries": queries[url][1 if mode == "cold" else 2],
                    }
                    rows.append(row)
                    compare.say(
                        f"{mode:5} {url}: {rps:.1f} req/s {row['all']} "
                        f"cost {row['cost']:.2f}x, {row['queries']} queries"
                    )
                loads.append(compare.load_average())
    report(args, rows, started, loads)


def report(args, rows, started, loads):
    lines = [
        f"# Languages against the default language, {args.count:,} articles",
        "",
        f"{started:%Y-%m-%d %H:%M} UTC, {compare.git_describe(harness.ROOT)}; "
        f"{args.rounds} rounds of {args.duration} s (cold: {args.cold_requests} requests "
        f"one by one per round); load average during the run: {', '.join(loads)}.",
        "",
        "| what | mode | URL | req/s (median) | rounds | cost vs default | queries |",
        "|---|---|---|---:|---|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['what']} | {row['mode']} | `{row['url']}` | {row['rps']:.1f} | "
            f"{row['all']} | {row['cost']:.2f}x | {row['queries']} |"
        )
    text = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"languages-{started:%Y%m%d-%H%M}.md"
    path.write_text(text)
    print(text)
    compare.say(f"written to {path}")


if __name__ == "__main__":
    main()
