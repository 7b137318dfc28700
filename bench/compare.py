"""Measure this checkout against another (an older commit's worktree) side by side.

    git worktree add ../base <commit> --detach && make -C ../base install
    .venv/bin/python bench/compare.py ../base --prepare          # import both, then measure
    .venv/bin/python bench/compare.py ../base --rounds 4 --duration 5

Each checkout is prepared by its own bench/run.py (``--prepare-only``), into a database
of its own, since the schemas differ: the base's ``newsroom_bench_<count>`` and this
one's ``newsroom_bench_head_<count>`` (``--base-db``, ``--head-db``). Then gunicorn runs
both checkouts' apps at once in production settings, each in two ways:

- **warm**: Redis as the cache (each checkout its own key prefix, same Redis database),
  the derived data (cards, fragments, counts, a page's ids) built by the warm-up
  requests. The base's own page cache is off (``PAGE_CACHE=off``), so both render.
- **cold**: every request is the first of a new content epoch, as the first request after
  a publication is: the content version read from the cache is new each time, so every
  derived value (cards, fragments, counts, a page's ids, the filters' choices) is built
  from the database, once per request (what is built is stored in the worker's memory,
  never read back). The base's page cache is off here too. Timed one request after
  another (``--cold-requests`` per round and side): a cold list takes seconds.

and, with ``--page-cache``, the base once more with its page cache on (what it served
from Redis and its in-process memory). For each URL, ``--rounds`` rounds of wrk
(``--duration`` seconds each) alternate between the base and this checkout, the order
swapped every round, so that the load of other work on the machine falls on both alike.
The table gives the median req/s and p50 of the rounds, and this checkout's cost
relative to the base's (req/s of the base ÷ req/s of this one: above 1 is slower).
Written to bench/out/compare-<date>.md.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import run as harness

ROOT = harness.ROOT
OUT = harness.OUT

COLD_SETTINGS = '''"""The bench's settings, every request cold (written by bench/compare.py).

Each read of the content version answers a new one, so every request is the first of a
new content epoch, as the first request after a publication is: every derived value is
built again (once per request, as then), and what is stored is never read back. Kept in
this process's memory, not in Redis, which would fill with entries no one reads.
"""

import time

from django.core.cache.backends.locmem import LocMemCache

from newsroom.settings import *  # noqa: F403


class EveryRequestANewEpoch(LocMemCache):
    def get(self, key, default=None, version=None):
        if key == "pagecache:version":
            return time.time_ns() // 1000
        return super().get(key, default, version)


CACHES = {
    "default": {"BACKEND": "bench_cold_settings.EveryRequestANewEpoch", "LOCATION": "cold"}
}
'''


class Checkout:
    def __init__(self, name, root, db_name, args):
        self.name = name
        self.root = Path(root).resolve()
        self.python = self.root / ".venv" / "bin" / "python"
        self.db_name = db_name
        self.out = self.root / "bench" / "out"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"{args.pg_url}/{db_name}",
            "REDIS_URL": args.redis_url,
            "CACHE_KEY_PREFIX": f"compare-{name}-{args.count}",
            "MEDIA_ROOT": str(self.out / f"media-{args.count}"),
            "PRIVATE_MEDIA_ROOT": str(self.out / f"private-media-{args.count}"),
            "STATIC_ROOT": str(self.out / "static"),
            "GUNICORN_ACCESS_LOG": "",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE": "off",
        }
        if not self.python.exists():
            sys.exit(f"[compare] {self.python} is missing: run `make install` in {self.root}")

    def run(self, *command, env=None, nice=False):
        prefix = ["nice", "-n", "10"] if nice else []
        result = subprocess.run(
            [*prefix, str(self.python), *map(str, command)], cwd=self.root, env=env or self.env
        )
        if result.returncode:
            sys.exit(f"[compare] {self.name}: {' '.join(map(str, command))} failed")

    def prepare(self, args):
        """Import with the checkout's own run.py (its schema, its importer), niced."""
        command = ["bench/run.py", "--count", args.count, "--prepare-only", "--reuse"]
        command += ["--redis-url", args.redis_url]
        if self.db_name != f"newsroom_bench_{args.count}":
            command += ["--db-name", self.db_name]
        # The generated file is the same for both (same generator, same seed): made once.
        data = f"data-n{args.count}-p200-s1"
        mine, other = self.out / data, OUT / data
        if not mine.exists() and other.exists() and mine != other:
            self.out.mkdir(parents=True, exist_ok=True)
            mine.symlink_to(other)
        self.run(*command, nice=True)

    def gunicorn(self, args, port, *, env):
        command = [
            str(self.python.parent / "gunicorn"), "--config", "newsroom/gunicorn.conf.py",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "newsroom.wsgi:application",
        ]  # fmt: skip
        log = open(OUT / f"compare-{self.name}-{port}.log", "a")  # noqa: SIM115
        return subprocess.Popen(command, cwd=self.root, env=env, stdout=log, stderr=log)


def say(message):
    print(f"[compare] {message}", file=sys.stderr, flush=True)


def wait_for(port, process):
    """Until gunicorn answers anything (``/healthz`` may say 503: no task worker here)."""
    deadline = time.monotonic() + 180
    while True:
        with contextlib.suppress(OSError):
            harness.fetch(argparse.Namespace(port=port), "/healthz")
            return
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"[compare] gunicorn on {port} did not start (bench/out/compare-*.log)")
        time.sleep(0.5)


@contextlib.contextmanager
def servers(args, specs):
    """Start every (checkout, port, env) at once; stop them all at the end."""
    processes = []
    try:
        for checkout, port, env in specs:
            processes.append((port, checkout.gunicorn(args, port, env=env)))
        for port, process in processes:
            wait_for(port, process)
        yield
    finally:
        for _, process in processes:
            process.terminate()
        for _, process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, help="The other checkout (with its .venv).")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--prepare", action="store_true", help="Import both first (niced).")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per URL and side.")
    parser.add_argument("--duration", type=int, default=5, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=30, help="wrk's timeout, seconds.")
    parser.add_argument("--cold-requests", type=int, default=3, help="Per round and side.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--port", type=int, default=18770, help="First of the ports used.")
    parser.add_argument("--modes", default="cold,warm", help="cold, warm, or both.")
    parser.add_argument(
        "--page-cache", action="store_true", help="Also the base with its page cache on."
    )
    parser.add_argument(
        "--only", action="append", help="Only this URL (from /) or URLs containing this."
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--base-db", help="Default: newsroom_bench_<count>.")
    parser.add_argument("--head-db", help="Default: newsroom_bench_head_<count>.")
    args = parser.parse_args(argv)
    args.base_db = args.base_db or f"newsroom_bench_{args.count}"
    args.head_db = args.head_db or f"newsroom_bench_head_{args.count}"
    # What harness.wrk and harness.fetch read.
    args.threads, args.port_now = 1, None
    return args


def git_describe(root):
    result = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    )
    return result.stdout.strip()


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def one_by_one(args, port, url):
    """Cold pages: ``--cold-requests`` GETs one after another, each timed. A cold page
    takes seconds on a busy machine, too long for wrk's runs to count many."""
    seconds = []
    for _ in range(args.cold_requests):
        started = time.perf_counter()
        status, _, _ = harness.fetch(argparse.Namespace(port=port), url)
        seconds.append(time.perf_counter() - started)
    return {
        "rps": len(seconds) / sum(seconds),
        "p50": statistics.median(seconds) * 1000,
        "errors": 0 if status == 200 else len(seconds),
    }


def wrk_at(args, port, url):
    """harness.wrk with a timeout a cold page can meet (wrk's own is 2 s)."""
    output = harness.run(
        ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s",
         f"--timeout={args.timeout}s", "--latency", f"http://127.0.0.1:{port}{url}"],
        capture=True,
    )  # fmt: skip
    original, harness.run = harness.run, lambda *a, **k: output
    try:
        args.port = port
        return harness.wrk(args, url)
    finally:
        harness.run = original


def main(argv=None):
    args = parse_args(argv)
    # Stopped from outside: still stop the servers (the finally clauses).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("[compare] stopped"))
    base = Checkout("base", args.base, args.base_db, args)
    head = Checkout("head", ROOT, args.head_db, args)
    if args.prepare:
        for checkout in (head, base):
            say(f"preparing {checkout.name} ({checkout.db_name})")
            checkout.prepare(args)
    for checkout in (head, base):
        if not harness.database_exists(args.pg_url, checkout.db_name):
            sys.exit(f"[compare] no database {checkout.db_name}: run with --prepare")
        checkout.run("manage.py", "collectstatic", "--noinput", "-v", "0")

    cold_dir = OUT / "compare-settings"
    cold_dir.mkdir(parents=True, exist_ok=True)
    (cold_dir / "bench_cold_settings.py").write_text(COLD_SETTINGS)

    def cold(env):
        path = f"{cold_dir}{os.pathsep}{env.get('PYTHONPATH', '')}".rstrip(os.pathsep)
        return {**env, "DJANGO_SETTINGS_MODULE": "bench_cold_settings", "PYTHONPATH": path}

    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    specs, sides, port = [], {}, args.port
    for mode in modes:
        for checkout in (base, head):
            env = cold(checkout.env) if mode == "cold" else checkout.env
            specs.append((checkout, port, env))
            sides[(mode, checkout.name)] = port
            port += 1
    if args.page_cache:
        specs.append((base, port, {**base.env, "PAGE_CACHE": "on"}))
        sides[("page cache", "base")] = port

    # The same generated data in both: the same URLs (this checkout's pick of an
    # article, which the other has too; each must answer 200 on both sides).
    total, urls = harness.urls_to_measure(args, head.env)
    if args.only:
        urls = [
            (kind, url)
            for kind, url in urls
            if any(url == part if part.startswith("/") else part in url for part in args.only)
        ]

    results = []
    started = datetime.now(UTC)
    loads = [load_average()]
    with servers(args, specs):
        for kind, url in urls:
            for mode in [*modes, *(["page cache"] if args.page_cache else [])]:
                names = ["base", "head"] if (mode, "head") in sides else ["base"]
                for name in names:
                    args.port = sides[(mode, name)]
                    for _ in range(2 if mode == "cold" else 4):  # workers, derived data, pages
                        status, _, _ = harness.fetch(args, url)
                    if status != 200:
                        sys.exit(f"[compare] {mode} {name}: {url} answered {status}")
                rounds = {name: [] for name in names}
                for number in range(args.rounds):
                    for name in names if number % 2 == 0 else names[::-1]:
                        measure = one_by_one if mode == "cold" else wrk_at
                        rounds[name].append(measure(args, sides[(mode, name)], url))
                row = {"url": url, "kind": kind, "mode": mode, "load": load_average()}
                for name, runs in rounds.items():
                    row[name] = {
                        "rps": statistics.median(r["rps"] for r in runs),
                        "p50": statistics.median(r["p50"] for r in runs),
                        "all": [round(r["rps"]) for r in runs],
                        "errors": sum(r["errors"] for r in runs),
                    }
                results.append(row)
                say(f"{mode:10} {url}: " + ", ".join(
                    f"{name} {row[name]['rps']:.1f} req/s {row[name]['all']} "
                    f"p50 {row[name]['p50']:.0f} ms" for name in names
                ))  # fmt: skip
                loads.append(row["load"])
    report(args, base, head, total, results, started, loads)


def report(args, base, head, total, results, started, loads):
    lines = [
        f"# This checkout against {base.root.name}, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- base: `{git_describe(base.root)}`, database `{base.db_name}`",
        f"- head: `{git_describe(head.root)}`, database `{head.db_name}`",
        f"- {total:,} live articles; gunicorn {args.workers} sync workers per side; wrk "
        f"-t{args.wrk_threads} -c{args.connections}, {args.rounds} x {args.duration} s per "
        "URL and side, alternating",
        f"- load average (1, 5, 15 min) at the start and after each URL: {', '.join(loads)}",
        "",
        "| URL | mode | base req/s | head req/s | base p50 ms | head p50 ms | head cost ÷ base |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        b, h = row["base"], row.get("head")
        errors = " (non-2xx!)" if b["errors"] or (h and h["errors"]) else ""
        lines.append(
            f"| `{row['url']}`{errors} | {row['mode']} | {b['rps']:,.0f} | "
            + (f"{h['rps']:,.0f} | {b['p50']:.1f} | {h['p50']:.1f} | {b['rps'] / h['rps']:.2f} |"
               if h else f"— | {b['p50']:.1f} | — | — |")
        )  # fmt: skip
    by = {(r["url"], r["mode"]): r for r in results}
    lines += ["", "Filters against `/news/` in the same mode (cost ÷ `/news/`'s cost):", ""]
    for (url, mode), row in by.items():
        first = by.get(("/news/", mode))
        if url == "/news/" or not first or "head" not in row:
            continue
        lines.append(
            f"- `{url}` {mode}: base {first['base']['rps'] / row['base']['rps']:.2f}x, "
            f"head {first['head']['rps'] / row['head']['rps']:.2f}x"
        )
    lines += ["", "Every run's req/s: " + json.dumps(
        {f"{r['mode']} {r['url']}": {k: r[k]["all"] for k in ("base", "head") if k in r}
         for r in results}
    ), ""]  # fmt: skip
    text = "\n".join(lines)
    path = OUT / f"compare-{started:%Y-%m-%d-%H%M}.md"
    path.write_text(text)
    print(text)
    say(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
