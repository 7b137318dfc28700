"""``make run`` on SQLite: staff writing in the admin while ``manage.py worker`` polls
the same database file, each in a process of its own, must never meet "database is
locked" (a 500 in the admin) and every write must land.

The database is a file this test makes and migrates in a folder of its own, whatever the
suite's own database is, so it runs under the PostgreSQL run too.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A process with Django set up on the project's settings, running one role of
# tests/sqlite_writer.py.
WRITER = """
import sys, django
django.setup()
from tests.sqlite_writer import main
main(*sys.argv[1:])
"""
WRITING_SECONDS = 5
LOCKED = "database is locked"


def _env(folder: Path) -> dict:
    """The development settings, as ``make run`` has them, on a database in ``folder``."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CACHE_DIR": str(folder / "cache"),
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
    }


def _run(args: list[str], env: dict, *, timeout: float) -> None:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _result(process: subprocess.Popen, log: Path) -> dict:
    assert process.wait(timeout=WRITING_SECONDS + 30) == 0, log.read_text()
    return json.loads(log.read_text().strip().splitlines()[-1])


def _tasks(db: sqlite3.Connection) -> dict:
    rows = db.execute(
        "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
    )
    return dict(rows.fetchall())


def test_the_admin_and_the_worker_share_sqlite_without_a_locked_database(tmp_path):
    env = _env(tmp_path)
    _run(["-c", WRITER, "setup"], env, timeout=120)

    # make run's worker, polling more often than its one second to meet the admin more.
    worker_log = tmp_path / "worker.log"
    worker = _start(
        ["manage.py", "worker", "--interval", "0.05", "--no-reload", "--no-startup-delay"],
        env,
        worker_log,
    )
    processes = [worker]
    try:
        users_log, workflow_log = tmp_path / "users.log", tmp_path / "workflow.log"
        users = _start(["-c", WRITER, "users", str(WRITING_SECONDS)], env, users_log)
        workflow = _start(["-c", WRITER, "workflow", str(WRITING_SECONDS)], env, workflow_log)
        processes += [users, workflow]
        added, moved = _result(users, users_log), _result(workflow, workflow_log)

        db = sqlite3.connect(tmp_path / "db.sqlite3", timeout=30)
        # The notifications the transitions enqueued: the worker runs them all.
        deadline = time.monotonic() + 20
        while {"READY", "RUNNING"} & _tasks(db).keys() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker.poll() is None, worker_log.read_text()
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)

    assert added["failures"] == [], added["failures"]
    assert moved["failures"] == [], moved["failures"]
    assert LOCKED not in worker_log.read_text()
    assert added["added"], "no staff user was added in the time given"
    assert moved["requested"], "no change was requested in the time given"

    # Every write the admin confirmed is in the database.
    staff = db.execute("SELECT username FROM auth_user WHERE is_staff AND username LIKE 'staff-%'")
    assert sorted(name for (name,) in staff) == sorted(added["added"])
    transitions = dict(
        db.execute(
            "SELECT action, count(*) FROM articles_articletransition GROUP BY action"
        ).fetchall()
    )
    assert transitions.get("request_changes") == moved["requested"]
    assert transitions.get("submit", 0) == moved["submitted"]
    tasks = _tasks(db)
    assert set(tasks) == {"SUCCESSFUL"}, tasks
    assert tasks["SUCCESSFUL"] >= moved["requested"] + moved["submitted"]
    db.close()
