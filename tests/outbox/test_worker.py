"""The worker: carries on after a database outage, beats, sends due mail unprompted."""

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox import services, worker
from outbox.models import Message, WorkerHeartbeat
from tests.database_outage import database_down

# serialized_rollback: the flush after each test leaves the roles' groups alone, as the
# other transactional tests of the suite expect.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def a_worker(monkeypatch, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    pauses = []
    monkeypatch.setattr(worker.time, "sleep", pauses.append)
    the_worker = worker.Worker(
        queue_names=["default"], interval=0, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
        sweep_seconds=0, senders=0,
    )  # fmt: skip
    the_worker.pauses = pauses
    return the_worker


def test_the_worker_waits_out_a_database_outage_and_carries_on(a_worker):
    services.enqueue(EmailMessage("Hello", "Body", to=["reader@example.com"]), kind="t")
    with database_down():
        assert a_worker.step() is False
        assert a_worker.step() is False
    # Growing pauses, not an exit.
    assert a_worker.pauses == [1.0, 2.0]
    assert mail.outbox == []
    # The database is back: the next turn beats, sends the due mail and runs the task.
    a_worker.step()
    assert a_worker.outage_pause == 0
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]
    assert Message.objects.get().state == Message.State.SENT
    assert WorkerHeartbeat.objects.get(worker_id="test-worker").beat_at <= timezone.now()
    connection.close()


def test_a_task_left_running_by_a_dead_worker_is_marked_failed(a_worker, settings):
    settings.OUTBOX_WORKER_STALE_SECONDS = 0
    services.enqueue(EmailMessage("Hello", "Body", to=["reader@example.com"]), kind="t")
    task = DBTaskResult.objects.get()
    task.claim("dead-worker")
    assert a_worker.fail_orphans() == 1
    task.refresh_from_db()
    assert task.status == "FAILED" and "WorkerDied" in task.exception_class_path
