"""The edge as deployed: nginx (deploy/nginx.conf) in front of gunicorn, measured.

    .venv/bin/python bench/run.py --count 2000 --prepare-only   # a database, once
    .venv/bin/python bench/edge.py --count 2000                  # then this

Starts gunicorn in production settings on the benchmark's PostgreSQL database (the one
``run.py`` imports: ``newsroom_bench_<count>``, or ``--db-name``) and nginx with
deploy/nginx.conf (only its addresses, media folder and cache folder moved; a temporary
folder holds the rest), all on 127.0.0.1. Then, side by side in one run:

1. wrk against ``/news/`` answered from nginx's cache, and against the same bytes saved
   as a file that nginx serves itself (the ceiling: nothing can be cheaper through this
   nginx); the target is the cached page at 50 % or more of the static file's req/s;
2. a set of public URLs (home, list pages, filtered lists, articles, feeds, sitemap,
   robots.txt, the press page) fetched twice through nginx (the second a HIT); then
   gunicorn is stopped and every one is fetched again, at once and once more after its
   s-maxage has passed: each must still answer 200 from nginx's last good copy.

Prints a Markdown table and writes it to bench/out/edge-<date>.md. Needs nginx and wrk.
"""

import argparse
import contextlib
import html.parser
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def say(message):
    print(f"[edge] {message}", file=sys.stderr, flush=True)


def get(port, path, timeout=30):
    """(status, headers, body) of a GET through 127.0.0.1:port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, OSError):
        return None, {}, b""


def wait_for(port, path, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"[edge] {process.args[0]} exited with {process.returncode}")
        if get(port, path, timeout=2)[0] is not None:
            return
        time.sleep(0.3)
    sys.exit(f"[edge] nothing answers on {port}")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def nginx_config(folder: Path, *, listen, app, media, static_file) -> Path:
    """deploy/nginx.conf with the test suite's substitutions (tests/test_nginx.py), and
    one more location: the saved page as a plain file."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("server app:8000;", f"server 127.0.0.1:{app};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("/srv/media/", f"{media}/")
    site = site.replace("/var/cache/nginx/newsroom", f"{folder}/cache")
    site = site.replace(
        "    location / {",
        f"    location = /bench/news.html {{\n        alias {static_file};\n"
        "        default_type text/html;\n    }\n\n    location / {",
        1,
    )
    (folder / "site.conf").write_text(site)
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    main = folder / "nginx.conf"
    # One worker per core, as the official image runs it; no access log on loopback.
    user = "user root;\n" if os.geteuid() == 0 else ""  # else its workers run as nobody
    main.write_text(
        f"{user}worker_processes auto; daemon off; pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ access_log off; client_body_temp_path {temp}/body; "
        f"proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi; "
        f"uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi; "
        f"include {folder}/site.conf; }}\n"
    )
    return main


def wrk(args, port, path):
    output = subprocess.run(
        ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s",
         "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True, timeout=args.duration + 30,
    ).stdout  # fmt: skip
    row = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])}
    for percentile in ("50", "99"):
        found = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        row[f"p{percentile}"] = float(found[1]) * UNITS[found[2]]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    row["errors"] = int(errors[1]) if errors else 0
    return row


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def public_urls(port, articles):
    """The public URLs a visitor reaches: fixed ones, and the first ``articles`` article
    pages linked from the list."""
    fixed = [
        "/",
        "/news/",
        "/news/?page=2",
        "/news/?page=3",
        "/news/?type=report",
        "/news/?type=report&region=americas",
        "/news/?year=2018",
        "/news/?q=asylum",
        "/news/feed/",
        "/news/feed/atom/",
        "/news/corrections/",
        "/sitemap.xml",
        "/robots.txt",
        "/press/",
    ]
    found = []
    for page in ("/news/", "/news/?page=2", "/news/?page=3"):
        parser = Links()
        parser.feed(get(port, page)[2].decode())
        for href in parser.hrefs:
            if re.fullmatch(r"/news/[\w-]+/", href) and href not in found:
                found.append(href)
    articles_found = [h for h in found if h not in ("/news/feed/", "/news/corrections/")]
    return fixed + articles_found[:articles]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="As given to run.py.")
    parser.add_argument("--db-name", help="Default: newsroom_bench_<count>.")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--media-root", help="Default: bench/out/media-<count>.")
    parser.add_argument("--app-port", type=int, default=8766)
    parser.add_argument("--web-port", type=int, default=8767)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--duration", type=int, default=5, help="Seconds of wrk per URL.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--articles", type=int, default=30, help="Article pages to check.")
    args = parser.parse_args(argv)
    args.db_name = args.db_name or f"newsroom_bench_{args.count}"
    args.media_root = args.media_root or str(OUT / f"media-{args.count}")
    return args


def main(argv=None):
    args = parse_args(argv)
    for tool in ("wrk", NGINX):
        if not shutil.which(tool):
            sys.exit(f"[edge] {tool} is missing: apt-get install -y wrk nginx-light")
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{args.pg_url}/{args.db_name}",
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": f"edge{args.count}",
        "MEDIA_ROOT": args.media_root,
        "PRIVATE_MEDIA_ROOT": str(OUT / f"private-media-{args.count}"),
        "STATIC_ROOT": str(OUT / "static"),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
    }
    say("collecting static files")
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    folder = Path(tempfile.mkdtemp(prefix="edge-", dir=OUT))
    static_file = folder / "news.html"
    log = open(OUT / "edge-gunicorn.log", "a")  # noqa: SIM115 - closed below
    app = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "--config", "newsroom/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{args.app_port}", "--workers", str(args.workers),
         "newsroom.wsgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    config = nginx_config(
        folder,
        listen=args.web_port,
        app=args.app_port,
        media=args.media_root,
        static_file=static_file,
    )
    web = subprocess.Popen([NGINX, "-c", str(config), "-p", str(folder)])
    rows, outage = [], {}
    try:
        wait_for(args.app_port, "/healthz", app)
        wait_for(args.web_port, "/nginx-health", web)

        # 1. The cached page against the same bytes as a file.
        statuses = [get(args.web_port, "/news/")[1].get("X-Cache-Status") for _ in range(3)]
        say(f"/news/ through nginx: {statuses}")
        body = get(args.web_port, "/news/")[2]
        static_file.write_bytes(body)
        assert get(args.web_port, "/bench/news.html")[2] == body
        for label, path in (("cached by nginx", "/news/"), ("static file", "/bench/news.html")):
            say(f"wrk {path} for {args.duration} s")
            rows.append({"label": label, "path": path, **wrk(args, args.web_port, path)})

        # 2. The app stopped: the cached public pages still answer.
        urls = public_urls(args.web_port, args.articles)
        for _ in range(2):
            warm = {url: get(args.web_port, url) for url in urls}
        outage["urls"] = len(urls)
        outage["cached"] = sum(w[1].get("X-Cache-Status") == "HIT" for w in warm.values())
        not_public = [url for url, w in warm.items() if w[1].get("X-Cache-Status") != "HIT"]
        say(f"stopping gunicorn ({len(urls)} URLs, {outage['cached']} HIT; not: {not_public})")
        stop(app)
        answered = [get(args.web_port, url)[0] for url in urls]
        outage["at once"] = sum(status == 200 for status in answered)
        wait = 12
        say(f"waiting {wait} s, past every page's s-maxage")
        time.sleep(wait)
        answered = [get(args.web_port, url)[0] for url in urls]
        outage["after s-maxage"] = sum(status == 200 for status in answered)
    finally:
        for process in (web, app):
            stop(process)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)

    report(args, rows, outage)


def report(args, rows, outage):
    cached, static = rows
    ratio = cached["rps"] / static["rps"]
    lines = [
        f"# The edge, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- nginx ({NGINX}) with deploy/nginx.conf in front of gunicorn ({args.workers} "
        f"workers), database `{args.db_name}`, all on 127.0.0.1",
        f"- wrk: {args.connections} connections, {args.wrk_threads} threads, "
        f"{args.duration} s per URL, on the same machine ({os.cpu_count()} CPUs)",
        f"- `{' '.join(['bench/edge.py', *sys.argv[1:]])}`",
        "",
        "| URL | served as | req/s | p50 ms | p99 ms | non-2xx |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *(
            f"| `{r['path']}` | {r['label']} | {r['rps']:,.0f} | {r['p50']:.2f} | "
            f"{r['p99']:.2f} | {r['errors']} |"
            for r in rows
        ),
        "",
        f"Cached page: **{ratio:.0%}** of the static file's req/s (target ≥ 50 %: "
        f"{'met' if ratio >= 0.5 else 'NOT met'}).",
        "",
        f"gunicorn stopped: {outage['at once']}/{outage['urls']} public URLs answered 200 at "
        f"once, {outage['after s-maxage']}/{outage['urls']} after their s-maxage had passed "
        f"({outage['cached']} of them were HITs before the stop).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    path = OUT / f"edge-{datetime.now(UTC):%Y-%m-%d-%H%M}.md"
    path.write_text(text)
    say(f"written to {path.relative_to(ROOT)}")
    if ratio < 0.5 or outage["after s-maxage"] < outage["urls"]:
        sys.exit(1)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
