"""Benchmark the public site as production serves it: PostgreSQL, gunicorn, Redis, wrk.

    make bench                                  # 100,000 articles, 15 s per URL
    .venv/bin/python bench/run.py --count 2000 --duration 3      # a quick check
    .venv/bin/python bench/run.py --reuse       # skip generating and importing again

Generates a deterministic interchange file (bench/generate.py), imports it into a
PostgreSQL database of its own (newsroom_bench_<count>, dropped and created unless
--reuse), collects static files, starts gunicorn in production settings on 127.0.0.1
and runs wrk against each URL as the app answers it, without the edge (nginx keeps the
pages in production: bench/edge.py measures that). SQL queries per request are counted
separately with Django's test client against the same database and settings. The list
page saved as a file and served by a bare WSGI app under the same gunicorn is the
ceiling. Prints a Markdown table and writes it to bench/out/results-<date>.md.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable

# The targets of issue 12 ("Speed: the next targets"), at 100,000 articles on two workers,
# answered by the app (not nginx's cache). "list" rows are also held to 1.25x of /news/'s cost.
TARGETS = {
    "first": ("≥ 275 req/s", lambda r: r["rps"] >= 275),
    "article": ("≥ 500 req/s", lambda r: r["rps"] >= 500),
    "region-search": ("≥ 150 req/s", lambda r: r["rps"] >= 150),
    "search": ("≥ 100 req/s", lambda r: r["rps"] >= 100),
    "common": ("≥ 100 req/s", lambda r: r["rps"] >= 100),
    "feed": ("≥ 150 req/s", lambda r: r["rps"] >= 150),
}
# A word that more than half the generated articles contain (interchange/demo/generate.py).
COMMON_WORD = "refugees"


def static_app(environ, start_response):
    """The ceiling: the saved list page as bytes, with no Django at all.

    Served by the same gunicorn (``gunicorn --pythonpath bench run:static_app``).
    """
    body = static_app.body
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


if os.environ.get("BENCH_STATIC_FILE"):
    static_app.body = Path(os.environ["BENCH_STATIC_FILE"]).read_bytes()


# --- helpers --------------------------------------------------------------------------


def say(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(command, *, env=None, capture=False):
    result = subprocess.run(
        command, cwd=ROOT, env=env, check=False, text=True, capture_output=capture
    )
    if result.returncode != 0:
        if capture:
            sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"[bench] failed ({result.returncode}): {' '.join(map(str, command))}")
    return result.stdout if capture else None


def timed(command, *, env=None):
    started = time.monotonic()
    run(command, env=env)
    return time.monotonic() - started


def manage(*args):
    return [PYTHON, str(ROOT / "manage.py"), *args]


def require_tools(args):
    if not shutil.which("wrk"):
        sys.exit(
            "[bench] wrk is not installed. On Debian/Ubuntu: sudo apt-get install -y wrk "
            "(https://github.com/wg/wrk)."
        )
    import psycopg

    try:
        with psycopg.connect(f"{args.pg_url}/postgres", connect_timeout=3):
            pass
    except psycopg.OperationalError as error:
        sys.exit(f"[bench] PostgreSQL is not reachable at {args.pg_url}: {error}")
    import redis

    try:
        redis.Redis.from_url(args.redis_url, socket_connect_timeout=2).ping()
        return True
    except redis.RedisError as error:
        say(f"no Redis at {args.redis_url} ({error}): page-cache runs are skipped")
        return False


def admin_sql(pg_url, *statements):
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def database_exists(pg_url, name):
    import psycopg

    with psycopg.connect(f"{pg_url}/postgres") as connection:
        row = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return row.fetchone() is not None


def query_one(database_url, sql, params=()):
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(sql, params).fetchone()


# --- preparing the database -----------------------------------------------------------


def prepare(args, env):
    """Generate, create the database, migrate, import, make renditions. Returns timings."""
    timings = {}
    data = OUT / f"data-n{args.count}-p{args.photos}-s{args.seed}"
    articles_json = data / "articles.json"
    if args.reuse and database_exists(args.pg_url, args.db_name):
        say(f"reusing database {args.db_name}")
        return timings
    if not articles_json.exists():
        say(f"generating {args.count} articles into {data}")
        timings["generate"] = timed(
            [PYTHON, "bench/generate.py", "--count", str(args.count), "--photos",
             str(args.photos), "--seed", str(args.seed), "--out", str(data), "--quiet"],
            env=env,
        )  # fmt: skip
    say(f"creating database {args.db_name}")
    admin_sql(
        args.pg_url,
        f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)',
        f'CREATE DATABASE "{args.db_name}"',
    )
    shutil.rmtree(env["MEDIA_ROOT"], ignore_errors=True)
    shutil.rmtree(env["PRIVATE_MEDIA_ROOT"], ignore_errors=True)
    run(manage("migrate", "--noinput", "-v", "0"), env=env)
    parts = split_document(articles_json, args.part_size)
    say(f"importing (timed), {len(parts)} file(s)")
    timings["import"] = sum(
        timed(manage("import_articles", str(part), "--skip-renditions", "--no-progress"), env=env)
        for part in parts
    )
    say("making renditions (timed)")
    timings["renditions"] = timed(manage("generate_renditions", "--missing", "-v", "0"), env=env)
    # What the worker does after an import, which no worker runs here: the files of the
    # photos that live articles use become public. Left withheld, every rendition's URL
    # is a reversed URL of the withheld-media view, and cards and feeds cost more than
    # a site with a worker pays.
    if (ROOT / "media_library/management/commands/sync_media_visibility.py").exists():
        run(manage("sync_media_visibility", "-v", "0"), env=env)
    # What autovacuum would have done by the time real traffic arrives.
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return timings


def split_document(path, part_size):
    """``path`` itself when it holds at most ``part_size`` records, else the paths of
    files of ``part_size`` records each, written beside it (kept and reused).

    One file of 1,000,000 articles is about 5 GB of JSON that the importer holds in memory
    at once, with every parsed record; in parts, each import holds one part. Records only
    relate to the fifty before them, which an earlier part has already imported.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from interchange.demo.generate import write_document

    if not part_size:
        return [path]
    parts, batch, number = [], [], 0

    def flush():
        nonlocal batch, number
        number += 1
        part = path.with_name(f"{path.stem}-part{number:03d}.json")
        if not part.exists():
            # Two benchmarks preparing from the same file at once each write their own.
            scratch = part.with_suffix(f".{os.getpid()}.tmp")
            write_document(scratch, batch)
            scratch.replace(part)
        parts.append(part)
        batch = []

    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip().rstrip(",")
            if line.startswith("{") and not line.startswith('{"format"'):
                if len(batch) == part_size:
                    flush()  # only once a record is left over: a full file stays whole
                batch.append(json.loads(line))
    if not parts:
        return [path]
    flush()
    return parts


# --- measuring ------------------------------------------------------------------------


LIVE_COUNT_SQL = (
    "SELECT count(*) FROM articles_article WHERE status = 'published' AND published_at <= now()"
)
# A typical article: recent, with a photo.
ARTICLE_SQL = (
    "SELECT slug FROM articles_article WHERE status = 'published' AND published_at <= now() "
    "ORDER BY hero_photo_id IS NULL, published_at DESC LIMIT 1 OFFSET 10"
)


def urls_to_measure(args, env):
    total = query_one(env["DATABASE_URL"], LIVE_COUNT_SQL)
    last_page = max(1, -(-total[0] // 20))
    deep = min(2000, last_page)
    slug = query_one(env["DATABASE_URL"], ARTICLE_SQL)
    return total[0], [
        ("list", "/news/"),
        ("deep", f"/news/?page={deep}"),
        ("list", "/news/?type=report&region=americas"),
        ("list", "/news/?year=2018"),
        ("search", "/news/?q=asylum"),
        ("region-search", "/news/?q=asylum&region=mx"),
        ("common", f"/news/?q={COMMON_WORD}"),
        ("common", f"/news/?q={COMMON_WORD}&sort=relevance"),
        ("article", f"/news/{slug[0]}/"),
        ("feed", "/news/feed/"),
    ]


def count_queries(urls, env):
    """SQL queries per request, steady state (second request)."""
    script = """
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(SERVER_NAME="127.0.0.1")
counts = {}
for url in json.loads(sys.argv[1]):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    counts[url] = [response.status_code, len(captured)]
print(json.dumps(counts))
"""
    output = run([PYTHON, "-c", script, json.dumps(urls)], env=env, capture=True)
    return json.loads(output.strip().splitlines()[-1])


@contextlib.contextmanager
def gunicorn(args, env, app="newsroom.wsgi:application", extra=()):
    if args.threads > 1:
        extra = (*extra, "--threads", str(args.threads), "--worker-class", "gthread")
    command = [
        str(Path(PYTHON).parent / "gunicorn"), "--config", "newsroom/gunicorn.conf.py",
        "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers), *extra, app,
    ]  # fmt: skip
    log = open(OUT / "gunicorn.log", "a")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        probe = "/healthz" if app.startswith("newsroom") else "/"
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{args.port}{probe}", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"[bench] gunicorn did not start; see {OUT / 'gunicorn.log'}")
                time.sleep(0.3)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def fetch(args, url):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{args.port}{url}", timeout=30) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, b"", dict(error.headers)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(args, url):
    output = run(
        ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s",
         "--latency", f"http://127.0.0.1:{args.port}{url}"],
        capture=True,
    )  # fmt: skip
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])}
    for percentile in ("50", "99"):
        value, unit = re.search(
            rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M
        ).groups()
        result[f"p{percentile}"] = float(value) * UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    result["errors"] = int(errors[1]) if errors else 0
    result["socket_errors"] = socket_errors[1].strip() if socket_errors else ""
    return result


def measure(args, env, label, urls, *, queries):
    rows = []
    for kind, url in urls:
        status, _, _ = fetch(args, url)
        for _ in range(3):  # warm the workers and the fragments they keep
            fetch(args, url)
        say(f"{label}: {url} ({status})")
        result = wrk(args, url)
        result.update(
            kind=kind,
            url=url,
            mode=label,
            status=status,
            queries=queries.get(url, [None, None])[1],
        )
        rows.append(result)
    return rows


# --- reporting ------------------------------------------------------------------------


def versions(args, env):
    def first_line(command):
        try:
            return subprocess.run(command, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    import django
    import gunicorn as gunicorn_package
    import redis

    cpu = "?"
    with contextlib.suppress(OSError):
        model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
        cpu = model[1] if model else "?"
    memory = "?"
    with contextlib.suppress(OSError):
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    postgres = query_one(env["DATABASE_URL"], "SHOW server_version")[0]
    try:
        redis_version = redis.Redis.from_url(args.redis_url).info()["redis_version"]
    except redis.RedisError:
        redis_version = "not running"
    wrk_version = first_line(["wrk", "--version"]).split("\n")[0] or "wrk"
    return {
        "machine": f"{cpu}, {os.cpu_count()} CPUs, {memory} RAM, {platform.platform()}",
        "software": f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {postgres}, Redis {redis_version}, gunicorn "
        f"{gunicorn_package.__version__}, {wrk_version.split(' [')[0]}",
    }


def verdict(row, first_page_rps, ceiling_rps):
    if row["kind"] in ("deep", "list"):
        if row["url"] == "/news/":
            name = "first"
        else:
            ok = first_page_rps and row["rps"] * 1.25 >= first_page_rps
            return "within 1.25x of /news/", "✓" if ok else "✗"
    else:
        name = row["kind"] if row["kind"] in TARGETS else None
    if not name:
        return "", ""
    text, check = TARGETS[name]
    return text, "✓" if check(row) else "✗"


def report(args, info, timings, total, rows):
    now = datetime.now(UTC)
    first_page = next((r["rps"] for r in rows if r["url"] == "/news/" and r["mode"] == "app"), 0)
    ceiling = next((r["rps"] for r in rows if r["kind"] == "static"), 0)
    lines = [
        f"# Newsroom benchmark, {now:%Y-%m-%d %H:%M} UTC",
        "",
        f"- Articles: {total:,} live (generated {args.count:,}, {args.photos} photos, "
        f"seed {args.seed}), PostgreSQL database `{args.db_name}`",
        f"- Import: {fmt_seconds(timings.get('import'))}; renditions: "
        f"{fmt_seconds(timings.get('renditions'))}; generation: "
        f"{fmt_seconds(timings.get('generate'))}",
        f"- Server: gunicorn, {args.workers} workers, "
        + (f"gthread, {args.threads} threads each" if args.threads > 1 else "sync")
        + ", DJANGO_ENV=production, DEBUG off",
        f"- Load: wrk, {args.connections} connections, {args.wrk_threads} threads, "
        f"{args.duration} s per URL, on the same machine",
        f"- Machine: {info['machine']}",
        f"- Software: {info['software']}",
        "",
        "| URL | served by | req/s | p50 ms | p99 ms | SQL queries | target | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | :---: |",
    ]
    for row in rows:
        target, met = verdict(row, first_page, ceiling)
        problems = []
        if row["status"] != 200:
            problems.append(f"HTTP {row['status']}")
        if row["errors"]:
            problems.append(f"{row['errors']} non-2xx")
        if row["socket_errors"]:
            problems.append(f"socket errors: {row['socket_errors']}")
        url = f"`{row['url']}`" + (f" ({'; '.join(problems)})" if problems else "")
        queries = "—" if row["queries"] is None else str(row["queries"])
        lines.append(
            f"| {url} | {row['mode']} | {row['rps']:,.0f} | "
            f"{row['p50']:.1f} | {row['p99']:.1f} | {queries} | {target} | {met} |"
        )
    lines += [
        "",
        "SQL queries: per request in the steady state, counted with Django's test client "
        "against the same database and settings. The static row is the ceiling: the same "
        "/news/ HTML returned as bytes by a bare WSGI app under the same gunicorn. Pages "
        "from nginx's cache: bench/edge.py.",
        "",
    ]
    text = "\n".join(lines)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"results-{now:%Y-%m-%d-%H%M}.md"
    path.write_text(text)
    print(text)
    say(f"written to {path.relative_to(ROOT)}")


def fmt_seconds(seconds):
    if seconds is None:
        return "not run (reused)"
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


# --- main -----------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="Articles to generate.")
    parser.add_argument("--photos", type=int, default=200, help="Photos in the pool.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="Reuse an imported database.")
    parser.add_argument("--drop", action="store_true", help="Drop the database afterwards.")
    parser.add_argument("--duration", type=int, default=15, help="Seconds of wrk per URL.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument(
        "--threads", type=int, default=1, help="Threads per worker; > 1 uses gthread."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--part-size",
        type=int,
        default=100_000,
        help="Import a larger file in parts of this many articles (0: in one go).",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="Generate and import, measure nothing."
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server, without a database name.",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument(
        "--db-name", help="The database to create (default: newsroom_bench_<count>)."
    )
    args = parser.parse_args(argv)
    args.db_name = args.db_name or f"newsroom_bench_{args.count}"
    return args


def main(argv=None):
    args = parse_args(argv)
    redis_ok = require_tools(args)
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{args.pg_url}/{args.db_name}",
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": f"bench{args.count}",
        "MEDIA_ROOT": str(OUT / f"media-{args.count}"),
        "PRIVATE_MEDIA_ROOT": str(OUT / f"private-media-{args.count}"),
        "STATIC_ROOT": str(OUT / "static"),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
    }
    if not redis_ok:
        env.pop("REDIS_URL")
    timings = prepare(args, env)
    if args.prepare_only:
        say(f"prepared {args.db_name}: {json.dumps(timings)}")
        (OUT / f"prepare-{args.count}.json").write_text(json.dumps(timings))
        return
    say("collecting static files")
    run(manage("collectstatic", "--noinput", "-v", "0"), env=env)

    total, urls = urls_to_measure(args, env)
    say("counting SQL queries per URL")
    queries = count_queries([url for _, url in urls], env)
    rows = []
    with gunicorn(args, env):
        rows += measure(args, env, "app", urls, queries=queries)
        _, list_html, _ = fetch(args, "/news/")
    static_file = OUT / "news-page.html"
    static_file.write_bytes(list_html)
    with gunicorn(
        args, {**env, "BENCH_STATIC_FILE": str(static_file)}, app="run:static_app",
        extra=("--pythonpath", str(ROOT / "bench")),
    ):  # fmt: skip
        row = wrk(args, "/")
        row.update(kind="static", url="/news/ as a static file", mode="static", status=200)
        row["queries"] = 0
        rows.append(row)

    report(args, versions(args, env), timings, total, rows)
    if args.drop:
        admin_sql(args.pg_url, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
