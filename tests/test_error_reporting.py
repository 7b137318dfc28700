"""Server errors are reported to ADMINS by a task, and the 500 page tells the truth."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import Client
from django_tasks_db.models import DBTaskResult

from press import tasks
from press.errors import reports_errors

REPORT_TASK = "press.tasks.mail_admins"
REFUSING = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}


@pytest.fixture
def failing_client(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"
    return Client(raise_request_exception=False)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def run_worker():
    call_command(
        "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_500_is_reported_by_a_task_not_inside_the_request(
    failing_client, settings, database_queue
):
    settings.ADMINS = ["ops@example.org"]
    response = failing_client.get("/fail/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "Our staff have been told" in html
    # The request only enqueued the report.
    assert mail.outbox == []
    assert DBTaskResult.objects.get().task_path == REPORT_TASK

    run_worker()
    (report,) = mail.outbox
    assert report.to == ["ops@example.org"]
    assert report.subject.startswith("[Newsroom] ERROR")
    assert "/fail/" in report.subject
    assert "RuntimeError at /fail/\nThe view failed on purpose" in report.body
    assert "Traceback" in report.body
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_without_admins_the_500_page_claims_nobody_was_told(failing_client, settings):
    settings.ADMINS = []
    response = failing_client.get("/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "told" not in html
    assert mail.outbox == []
    assert not reports_errors()


@pytest.mark.django_db
def test_the_page_does_not_claim_a_report_the_logging_does_not_send(settings):
    settings.ADMINS = ["ops@example.org"]
    assert reports_errors()
    django_logger = logging.getLogger("django")
    handlers = django_logger.handlers[:]
    django_logger.handlers = []
    try:
        assert not reports_errors()
    finally:
        django_logger.handlers = handlers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_that_cannot_be_sent_is_retried_then_dropped_without_a_loop(
    settings, database_queue
):
    settings.ADMINS = ["ops@example.org"]
    settings.MAILERS = REFUSING
    tasks.mail_admins.enqueue("Subject", "Body")
    run_worker()
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    DBTaskResult.objects.filter(pk=retry.pk).update(
        args_kwargs={
            "args": ["Subject", "Body"],
            "kwargs": {"attempt": tasks.ADMIN_MAIL_ATTEMPTS},
        },
        run_after=retry.enqueued_at,
    )
    run_worker()
    # Given up, quietly: no new report about the report.
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert DBTaskResult.objects.filter(task_path=REPORT_TASK).count() == 2


@pytest.mark.django_db
def test_a_failing_report_task_is_not_itself_reported(settings):
    settings.ADMINS = ["ops@example.org"]
    record = logging.LogRecord(
        "django.tasks",
        logging.ERROR,
        __file__,
        1,
        "Task id=%s path=%s state=%s",
        ("abc", REPORT_TASK, "FAILED"),
        None,
    )
    handler = next(
        h
        for h in logging.getLogger("django").handlers
        if type(h).__name__ == "TaskAdminEmailHandler"
    )
    handler.handle(record)
    assert mail.outbox == []
    # Any other failed task is reported (the suite runs tasks at once).
    record.args = ("abc", "press.tasks.send_inquiry_emails", "FAILED")
    handler.handle(record)
    assert len(mail.outbox) == 1
