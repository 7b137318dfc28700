"""The worker: django-tasks-db's task loop, made to outlive its database and its peers.

Beside its task loop, sender threads (``MailSenders``; ``OUTBOX_SENDERS``, one by
default and at most one on SQLite) send the mail that
is due: new, retries whose pause is over, leases that ran out because a worker died; so
nothing waits for a cron job or a new enqueue. Each turn of the task loop it
- writes its heartbeat (``WorkerHeartbeat``), which ``/healthz`` and compose's health
  check read;
- every ``SWEEP_SECONDS``: marks failed the tasks left RUNNING by a worker whose
  heartbeat stopped, and runs the apps' catch-up sweeps (``outbox.sweeps``) when due;
- runs one ready task, as ``db_worker`` does.
A database error (PostgreSQL restarting, a failover) is logged and waited out with a
growing pause; the worker carries on when the database answers again, it does not exit.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from outbox import sweeps
from outbox.models import WorkerHeartbeat
from outbox.sending import deliver_due

logger = logging.getLogger(__name__)

# How often the worker looks for due mail and dead peers without being nudged.
SWEEP_SECONDS = 5
# At most this many batches per sweep, so other tasks are not kept waiting behind a
# fan-out (the sweep comes back a moment later).
SWEEP_BATCHES = 20
# Pauses while the database is away: 1 s, doubling, at most 30 s.
OUTAGE_PAUSE_MAX = 30


class MailSenders:
    """Threads of the worker that send due mail while its main thread runs tasks (a
    fan-out queueing 10,000 alerts is being sent from its first committed chunk on).
    Each claims its own batches and sends them over its own SMTP connection; a database
    or mail server outage is waited out, never fatal."""

    def __init__(self, count: int, *, idle: float = 1.0):
        self.count = count
        self.idle = idle
        self.stopping = threading.Event()
        self.threads = []

    def start(self) -> None:
        for number in range(self.count):
            thread = threading.Thread(target=self.loop, name=f"mail-sender-{number}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 30) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout)

    def loop(self) -> None:
        pause = 0.0
        try:
            while not self.stopping.is_set():
                try:
                    result = deliver_due(max_batches=1)
                except DatabaseError as error:
                    pause = min(max(pause * 2, 1.0), OUTAGE_PAUSE_MAX)
                    logger.warning("Mail sender: database unavailable (%s)", error)
                    _drop_connections()
                    self.stopping.wait(pause)
                    continue
                pause = 0.0
                if not (result.sent or result.failed or result.gave_up):
                    self.stopping.wait(self.idle)
        finally:
            connections.close_all()


def _drop_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            connection.connection = None


def sender_count() -> int:
    # SQLite has one writer at a time: more senders there would only queue for the lock.
    if connections["default"].vendor == "sqlite":
        return min(settings.OUTBOX_SENDERS, 1)
    return settings.OUTBOX_SENDERS


class Worker(DBWorker):
    def __init__(
        self, *, sweep_seconds: float = SWEEP_SECONDS, senders: int | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.sweep_seconds = sweep_seconds
        self.last_sweep = 0.0
        self.outage_pause = 0.0
        self.senders = MailSenders(sender_count() if senders is None else senders)

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s", self.worker_id)
        self.senders.start()
        try:
            self.loop()
        finally:
            self.senders.stop()

    def run_task(self, db_task_result) -> None:
        # The nudge that mail was queued: the sender threads are already on it. Sending
        # it here too would put a second SMTP transaction in flight, and a SIGKILL could
        # then repeat two mails instead of one.
        if self.senders.count and db_task_result.task_path == "outbox.tasks.deliver":
            db_task_result.set_successful("left to the sender threads")
            self._run_tasks += 1
            return
        super().run_task(db_task_result)

    def shutdown(self, signum, frame) -> None:
        self.senders.stopping.set()
        super().shutdown(signum, frame)

    def loop(self) -> None:
        while self.running:
            ran = self.step()
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and not ran:
                time.sleep(self.interval)

    def step(self) -> bool:
        """One turn, a database outage waited out rather than raised; True if a task
        ran."""
        try:
            ran = self.turn()
        except (OperationalError, InterfaceError) as error:
            if not is_locked_database_exception(error):
                self.wait_out(error)
            return False
        self.outage_pause = 0.0
        return ran

    def wait_out(self, error: DatabaseError) -> None:
        self.outage_pause = min(max(self.outage_pause * 2, 1.0), OUTAGE_PAUSE_MAX)
        logger.warning(
            "Worker %s: the database is unavailable (%s); trying again in %.0f s.",
            self.worker_id,
            error,
            self.outage_pause,
        )
        _drop_connections()
        time.sleep(self.outage_pause)

    def turn(self) -> bool:
        """One turn of the loop; True if a task ran."""
        close_old_connections()
        self.beat()
        if time.monotonic() - self.last_sweep >= self.sweep_seconds:
            self.sweep()
            self.last_sweep = time.monotonic()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        if task_result is None:
            return False
        self.run_task(task_result)
        return True

    def beat(self) -> None:
        now = timezone.now()
        updated = WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(beat_at=now)
        if not updated:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id, defaults={"beat_at": now}
            )

    def sweep(self) -> None:
        self.fail_orphans()
        for registered in sweeps.due():
            registered.last = time.monotonic()
            registered.function()
        # Beats of workers long gone are of no use to anyone.
        WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - timedelta(days=1)).delete()
        if self.senders.count:
            return  # the sender threads send
        result = deliver_due(max_batches=SWEEP_BATCHES)
        if result.sent or result.failed or result.gave_up:
            logger.info(
                "Worker %s: mail sent %d, failed %d, gave up %d",
                self.worker_id,
                result.sent,
                result.failed,
                result.gave_up,
            )

    def fail_orphans(self) -> int:
        """Mark failed the tasks left RUNNING by workers that stopped beating (killed,
        or their machine gone). Their work is idempotent and, for mail, recovered by the
        outbox's leases; the row only records that this run never finished."""
        # A worker whose last beat is older than this is taken for dead.
        stale = timezone.now() - timedelta(seconds=settings.OUTBOX_WORKER_STALE_SECONDS)
        beating = WorkerHeartbeat.objects.filter(beat_at__gte=stale)
        alive = set(beating.values_list("worker_id", flat=True))
        orphans = 0
        running = DBTaskResult.objects.running().filter(backend_name=self.backend_name)
        for result in running.filter(started_at__lt=stale):
            if result.worker_ids and result.worker_ids[-1] in alive:
                continue
            result.set_failed(WorkerDied(f"worker {result.worker_ids[-1:]} stopped mid-task"))
            orphans += 1
        if orphans:
            logger.warning("Worker %s: %d orphaned task(s) marked failed", self.worker_id, orphans)
        return orphans


class WorkerDied(Exception):
    """The worker running a task stopped (SIGKILL, a lost machine) before it finished."""


def last_beat_age(*, now=None) -> float | None:
    """Seconds since the newest heartbeat of any worker; None if none ever beat."""
    now = now or timezone.now()
    beat = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True)[:1]
    for at in beat:
        return max((now - at).total_seconds(), 0.0)
    return None
