"""A worker SIGKILLed in the middle of a fan-out: once another worker runs, every
subscriber has exactly one mail, but for at most the mails of the SMTP transactions in
flight (one per sender thread), with no manual step.

Real processes on a SQLite file of this test's own (whatever the suite's database), a
real SMTP server that counts per recipient and answers each mail a little slowly, so the
kill lands mid-batch; short leases, so the second worker takes the rest over quickly.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.smtp import smtp_sink

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 300
SETUP = """
import sys, django
django.setup()
from tests.outbox.crash_setup import main
main(*sys.argv[1:])
"""


def _env(folder: Path, smtp_port: int) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CACHE_DIR": str(folder / "cache"),
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "OUTBOX_BATCH_SIZE": "50",
        "OUTBOX_LEASE_SECONDS": "2",
        "OUTBOX_WORKER_STALE_SECONDS": "2",
    }


def _worker(env: dict, log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1", "--sweep", "0.5",
             "--no-reload", "--no-startup-delay"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_is_taken_over_without_duplicates(tmp_path):
    with smtp_sink(delay=0.01) as (port, received):
        env = _env(tmp_path, port)
        for args in (
            ["manage.py", "migrate", "--noinput", "-v0"],
            ["-c", SETUP, str(SUBSCRIBERS)],
        ):
            done = subprocess.run(
                [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                timeout=180, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
        log = tmp_path / "worker.log"

        first = _worker(env, log)
        try:
            assert _wait(lambda: len(received) >= 60, 60), log.read_text()
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        at_kill = len(received)
        assert at_kill < SUBSCRIBERS, "the worker finished before it could be killed"

        second = _worker(env, log)
        try:
            assert _wait(lambda: len({r for rcpt, _ in received for r in rcpt}) >= SUBSCRIBERS, 60)
            db = sqlite3.connect(tmp_path / "db.sqlite3", timeout=30)
            # The killed worker's task is marked failed by the survivor, not left RUNNING.
            assert _wait(
                lambda: (
                    not db.execute(
                        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                        "WHERE status = 'RUNNING'"
                    ).fetchone()[0]
                ),
                20,
            )
            time.sleep(1)  # anything sent twice would have arrived by now
            states = dict(
                db.execute("SELECT state, count(*) FROM outbox_message GROUP BY state").fetchall()
            )
        finally:
            second.terminate()
            second.wait(10)

    per_recipient = Counter(address for rcpt_tos, _ in received for address in rcpt_tos)
    assert len(per_recipient) == SUBSCRIBERS
    twice = [address for address, count in per_recipient.items() if count > 1]
    # SQLite: one sender thread, so at most one SMTP transaction was in flight.
    assert len(twice) <= 1, twice
    assert max(per_recipient.values()) <= 2
    assert states == {"sent": SUBSCRIBERS}, states
