"""Is each derived-data cache worth keeping? Public pages timed in-process with each
layer of core.cache on and off.

    DATABASE_URL=postgres://…/bench REDIS_URL=redis://127.0.0.1:6379/9 \
        CACHE_KEY_PREFIX=layers .venv/bin/python bench/layers.py 40

Point it at an imported database (bench/generate.py, then import_articles). The
configurations are interleaved request by request, so load from other processes hits
them alike; it reports the median CPU time of this process (templates, Python) and the
25th-percentile wall time (which adds SQL and cache round trips), in milliseconds.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.DEBUG = False
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
from articles.models import Article  # noqa: E402

slug = Article.objects.live().order_by("-published_at").values_list("slug", flat=True)[5]
URLS = [
    "/news/",
    "/news/?type=report&region=americas",
    "/news/?page=40",
    f"/news/{slug}/",
    "/news/feed/",
    "/press/inquiry/",
    "/",
]

import articles.cards  # noqa: E402
import articles.filters  # noqa: E402
import articles.models  # noqa: E402
import articles.pagination  # noqa: E402
import articles.views  # noqa: E402
import press.services  # noqa: E402
from articles.templatetags import article_tags  # noqa: E402


def passthrough(name, build, *parts, **kw):
    return build()


def passthrough_many(name, items, build):
    return build(items)


LAYERS = {
    "cards": [(articles.cards, "cached_many", passthrough_many)],
    "fragments": [(article_tags, "cached", passthrough)],
    "json-ld": [(articles.views, "cached", passthrough)],
    "choices": [
        (articles.filters, "cached", passthrough),
        (press.services, "cached", passthrough),
    ],
    "pagination": [(articles.pagination, "cached", passthrough)],
    "settings": [(articles.models, "cached", passthrough)],
}
ORIGINAL = {(m, n): getattr(m, n) for parts in LAYERS.values() for m, n, _ in parts}


def configure(off):
    for (m, n), orig in ORIGINAL.items():
        setattr(m, n, orig)
    for layer in off:
        for m, n, repl in LAYERS[layer]:
            setattr(m, n, repl)


n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
configs = [
    (),
    ("cards",),
    ("fragments",),
    ("json-ld",),
    ("choices",),
    ("pagination",),
    ("settings",),
    tuple(LAYERS),
]
client = Client()
cpu = {(c, u): [] for c in configs for u in URLS}
wall = {(c, u): [] for c in configs for u in URLS}
for url in URLS:
    for c in configs:
        configure(c)
        for _ in range(3):
            assert client.get(url).status_code == 200, url
    for _ in range(n):
        for c in configs:
            configure(c)
            w, p = time.perf_counter(), time.process_time()
            client.get(url)
            cpu[c, url].append((time.process_time() - p) * 1000)
            wall[c, url].append((time.perf_counter() - w) * 1000)
configure(())
backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
print(f"n={n}; cells: median CPU ms / p25 wall ms; page cache off; cache {backend}")
print("layers off".ljust(24) + "".join(u[:16].ljust(18) for u in URLS))
for c in configs:
    row = ""
    for u in URLS:
        quartile = statistics.quantiles(wall[c, u], n=4)[0]
        row += f"{statistics.median(cpu[c, u]):.1f}/{quartile:.1f}".ljust(18)
    print(("none (all on)" if not c else "all" if len(c) > 1 else c[0]).ljust(24) + row)
