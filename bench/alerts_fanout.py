"""How long 10,000 subscribers matching one release take to be handed to the mail server.

    .venv/bin/python bench/alerts_fanout.py                      # PostgreSQL, 10,000
    .venv/bin/python bench/alerts_fanout.py --sqlite             # SQLite in bench/out
    .venv/bin/python bench/alerts_fanout.py --subscribers 2000 --workers 2

Production settings; the database task queue (django-tasks-db) and real ``manage.py
worker`` processes (the fan-out queues rendered mails in the outbox, the worker sends
them in batches over one SMTP connection each); a local SMTP server (aiosmtpd) in a
process of its own that accepts every message, counts them and notes each recipient.
The subscribers are confirmed, spread over 40 different filters that all match the
release (everything, its type, its region, its grouping, its topic, a word of its title,
and combinations), plus 2,000 whose filters do not match, and 1% addresses the server
refuses (550) to show one failure never stops the rest. The workers are started first
and the clock waits until each has written its first heartbeat (in production the worker
is running when an editor publishes; its start-up is not the fan-out's time). The clock
starts when the article is published (its transaction commits and enqueues the fan-out)
and stops when the mail server has taken the last alert. The target is 60 seconds with
one worker process (one sender thread, ``OUTBOX_SENDERS=1``). The load average is
printed before and after: the machine is shared, and the figure means little without it.
It then checks every matching subscriber got exactly one mail and the refused ones had
their bounce counted.

Needs PostgreSQL at 127.0.0.1:5432 (``BENCH_PG_URL``) unless ``--sqlite``; the database
``BENCH_DB_NAME`` (default ``newsroom_alerts_bench``) is created and dropped by this
script. The SMTP server listens on 127.0.0.1:18425.
"""

import argparse
import multiprocessing
import os
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
OUT = ROOT / "bench" / "out"
DB_NAME = os.environ.get("BENCH_DB_NAME", "newsroom_alerts_bench")
TARGET_SECONDS = 60
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SMTP_PORT = 18425
NON_MATCHING = 2000


def sink(port, count, ready, stop, recipients_path):
    """The mail server: accept everything except ``refused…@`` recipients."""
    import asyncio

    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("refused"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            received.extend(envelope.rcpt_tos)
            with count.get_lock():
                count.value += 1
            return "250 Message accepted"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    Path(recipients_path).write_text("\n".join(received))
    del asyncio


def environment(database_url):
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        CACHE_DIR=str(OUT / "cache-alerts"),
        STATIC_ROOT=str(OUT / "static-alerts"),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        EMAIL_TIMEOUT="10",
        SITE_URL="https://newsroom.example.org",
        LOG_LEVEL="WARNING",
        OUTBOX_SENDERS="1",
    )
    env.pop("REDIS_URL", None)
    return env


def manage(env, *args, **kwargs):
    return subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs
    )


def create_database(args):
    if args.sqlite:
        path = OUT / "alerts-bench.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")

    def drop():
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    return f"{PG_URL}/{DB_NAME}", drop


def setup_django(env):
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


MATCHING_FILTERS = [
    "",
    "type=press-release",
    "region=mx",
    "region=americas",
    "topic=asylum",
    "q=asylum",
    "q=border",
    "type=press-release&region=mx",
    "type=press-release&region=americas",
    "type=press-release&topic=asylum",
    "region=mx&topic=asylum",
    "region=americas&topic=asylum",
    "q=asylum&region=mx",
    "q=asylum&type=press-release",
    "q=border&region=americas",
    "type=press-release&type=report",
    "type=press-release&type=statement",
    "type=press-release&type=report&region=mx",
    "type=press-release&type=report&region=americas",
    "type=press-release&type=statement&topic=asylum",
    "region=us",
    "region=us&topic=asylum",
    "type=press-release&region=us",
    "q=seekers",
    "q=seekers&region=us",
    "q=asylum seekers",
    "q=asylum seekers&region=americas",
    "topic=refugees-and-migrants",
    "topic=refugees-and-migrants&region=mx",
    "topic=refugees-and-migrants&type=press-release",
    "q=protect",
    "q=protect&topic=asylum",
    "q=mexico",
    "q=mexico&region=mx",
    "type=press-release&q=mexico",
    "region=americas&type=press-release&type=statement",
    "region=us&type=press-release&type=report",
    "topic=asylum&q=border",
    "topic=refugees-and-migrants&q=asylum",
    "region=mx&q=border&type=press-release",
]
NON_MATCHING_FILTERS = [
    "region=fr",
    "type=report",
    "topic=torture",
    "q=earthquake",
    "region=africa",
]


def populate(subscriber_count, refused_share):
    """The subscribers, and an older article tagged with the topics so they exist."""
    from django.utils import timezone

    from alerts.models import Subscription
    from articles.models import Article
    from articles.regions import sync_groupings

    now = timezone.now()
    older = Article.objects.create(
        kind="report",
        title="Torture in detention",
        slug="torture-in-detention",
        summary="Older.",
        status="published",
        published_at=now - timedelta(days=30),
    )
    older.topics.set(["Torture", "Asylum", "Refugees and migrants"])
    older.regions.set([])
    sync_groupings([older.pk])

    refused_every = int(1 / refused_share) if refused_share else 0
    rows = []
    for n in range(subscriber_count):
        refused = refused_every and n % refused_every == 0
        local = f"refused{n}" if refused else f"reporter{n}"
        rows.append(
            Subscription(
                email=f"{local}@outlet{n % 97}.example.com",
                query=MATCHING_FILTERS[n % len(MATCHING_FILTERS)],
                status=Subscription.Status.CONFIRMED,
                confirmed_at=now,
                consent_text="bench",
            )
        )
    for n in range(NON_MATCHING):
        rows.append(
            Subscription(
                email=f"other{n}@example.net",
                query=NON_MATCHING_FILTERS[n % len(NON_MATCHING_FILTERS)],
                status=Subscription.Status.CONFIRMED,
                confirmed_at=now,
                consent_text="bench",
            )
        )
    Subscription.objects.bulk_create(rows, batch_size=2000)


def publish():
    """The release, published now: its commit enqueues the fan-out."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import Article, Region
    from articles.regions import sync_groupings

    with transaction.atomic():
        article = Article.objects.create(
            kind="press-release",
            title="Mexico and the USA must protect asylum seekers at the border",
            slug="protect-asylum-seekers",
            summary="People fleeing violence deserve protection.",
            status="published",
            published_at=timezone.now(),
        )
        article.regions.set(Region.objects.filter(slug__in=["mx", "us"]))
        sync_groupings([article.pk])
        article.topics.set(["Asylum", "Refugees and migrants"])
    return article


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--refused", type=float, default=0.01, help="share refused (550)")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    database_url, drop = create_database(args)
    env = environment(database_url)
    print(f"Database: {database_url.rsplit('@', 1)[-1]}")
    manage(env, "migrate", "--noinput", "-v0")
    setup_django(env)
    populate(args.subscribers, args.refused)

    count = multiprocessing.Value("i", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    recipients_path = OUT / "alerts-bench-recipients.txt"
    server = multiprocessing.Process(
        target=sink, args=(SMTP_PORT, count, ready, stop, str(recipients_path))
    )
    server.start()
    ready.wait(10)

    from alerts.models import Delivery, Subscription
    from outbox.models import Message, WorkerHeartbeat

    refused = Subscription.objects.filter(email__startswith="refused").count()
    expected = args.subscribers - refused
    workers = [
        subprocess.Popen(
            [
                str(PYTHON),
                "manage.py",
                "worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "-v0",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(args.workers)
    ]
    booted = time.perf_counter() + 120
    while WorkerHeartbeat.objects.count() < args.workers and time.perf_counter() < booted:
        time.sleep(0.1)
    load_before = os.getloadavg()
    started = time.perf_counter()
    article = publish()
    try:
        deadline = started + 600
        while count.value < expected and time.perf_counter() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        # The last rows are recorded just after the server takes the last mail.
        time.sleep(1)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        stop.set()
        server.join(30)

    received = recipients_path.read_text().split()
    sent_rows = Message.objects.filter(kind="alerts.alert", state=Message.State.SENT).count()
    bounced = Subscription.objects.filter(bounce_count=1).count()
    owed = Delivery.objects.filter(article=article).count()
    print(f"Subscribers: {args.subscribers:,} matching ({refused:,} refused by the server), ")
    print(f"             {NON_MATCHING:,} not matching; {len(MATCHING_FILTERS)} distinct filters")
    print(f"Workers: {args.workers}")
    load_after = os.getloadavg()
    print(
        "Load average (1, 5, 15 min): "
        f"{' '.join(f'{x:.2f}' for x in load_before)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in load_after)} at the end"
    )
    print(f"Handed to the SMTP server: {count.value:,} of {expected:,} in {elapsed:.1f} s")
    print(f"Rate: {count.value / elapsed:,.0f} mails/s")
    print(
        f"Delivery rows: {owed:,} owed; outbox rows recorded sent: {sent_rows:,}; "
        f"bounces counted: {bounced:,}"
    )
    duplicates = len(received) - len(set(received))
    print(f"Unique recipients: {len(set(received)):,}; duplicates: {duplicates}")
    ok = (
        count.value == expected
        and duplicates == 0
        and bounced == refused
        and elapsed <= TARGET_SECONDS
    )
    print("RESULT:", f"PASS (within {TARGET_SECONDS} s, each once)" if ok else "FAIL")
    recipients_path.unlink(missing_ok=True)
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
