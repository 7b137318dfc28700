"""``manage.py worker``: the site's one background process (tasks and mail).

``db_worker`` with what production needs (``outbox.worker``): it survives a database
outage, beats a heartbeat, sends due mail without being nudged and clears tasks orphaned
by a killed worker. ``--check`` exits 0 if a worker beat recently (compose's health
check).
"""

import sys

from django.core.management.base import CommandError
from django.db import DatabaseError
from django_tasks_db.management.commands import db_worker

from outbox.worker import Worker, last_beat_age


class Command(db_worker.Command):
    help = "Run the background worker: tasks, and the outbox's mail."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep",
            type=float,
            default=5,
            help="Seconds between looks for due mail and orphaned tasks (default: 5).",
        )
        parser.add_argument(
            "--senders",
            type=int,
            default=None,
            help="Threads sending mail beside the tasks (default: OUTBOX_SENDERS, 1; at most "
            "1 on SQLite; 0: mail is sent by the sweep and the delivery task only).",
        )
        parser.add_argument(
            "--check",
            type=float,
            metavar="SECONDS",
            help="Only check: exit 0 if a worker beat within SECONDS, else 1.",
        )

    def handle(self, *args, **options):
        if options["check"] is not None:
            try:
                age = last_beat_age()
            except DatabaseError as error:
                raise CommandError(f"database unavailable: {error}") from error
            if age is None or age > options["check"]:
                self.stderr.write(f"no worker heartbeat within {options['check']} s (last: {age})")
                sys.exit(1)
            self.stdout.write(f"last heartbeat {age:.1f} s ago")
            return
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=False,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            sweep_seconds=options["sweep"],
            senders=options["senders"],
        )
        worker.configure_signals()
        worker.run()
