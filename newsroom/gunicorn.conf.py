"""gunicorn settings, read from the environment: ``gunicorn -c newsroom/gunicorn.conf.py``.

Defaults suit a small server behind a load balancer or reverse proxy. Measured on two
cores (bench/RESULTS.md): sync workers, one per core, serve cached and uncached pages
at least as fast as threads; raise GUNICORN_THREADS when requests wait on slow I/O
(object storage, e-mail) rather than on the CPU.
"""

import os

from newsroom.settings import TRUSTED_PROXIES


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


wsgi_app = "newsroom.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{_int('PORT', 8000)}")
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer is a bug or an attack: the worker is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak can never take a server down; the jitter
# keeps them from all restarting at once. Page-cache hits run at thousands of requests a
# second per server, so a low limit would restart each worker every few seconds (a
# restart costs a p99 spike of ~200 ms): 50,000 is still minutes at full speed.
max_requests = _int("GUNICORN_MAX_REQUESTS", 50000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 5000)
# Only the proxies in front may say which scheme the client used: the same setting the
# app reads (TRUSTED_PROXIES, parsed and checked by the settings).
forwarded_allow_ips = ",".join(TRUSTED_PROXIES)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Worker heartbeat files in memory, not on a possibly slow container disk (gunicorn's
# advice for Docker); only gunicorn's own files go there.
_shared_memory = "/dev/shm"  # noqa: S108
worker_tmp_dir = _shared_memory if os.path.isdir(_shared_memory) else None
