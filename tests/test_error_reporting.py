"""Server errors are reported to ADMINS through the outbox, and the 500 page tells the
truth."""

import logging
import sys
import time
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from outbox.models import Message
from press import errors, tasks
from press.errors import ReportThrottle, TaskAdminEmailHandler
from tests.database_outage import database_down
from tests.outbox.helpers import delivered

DELIVERY_TASK = "outbox.tasks.deliver"
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
def test_a_500_is_reported_through_the_outbox_not_inside_the_request(
    failing_client, settings, database_queue
):
    settings.ADMINS = ["ops@example.org"]
    response = failing_client.get("/fail/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "Our staff have been told" in html
    # The request only queued the report.
    assert mail.outbox == []
    assert Message.objects.get().kind == tasks.ERROR_REPORT
    assert DBTaskResult.objects.get().task_path == DELIVERY_TASK

    run_worker()
    (report,) = mail.outbox
    assert report.to == ["ops@example.org"]
    assert report.subject.startswith("[Newsroom] ERROR")
    assert "/fail/" in report.subject
    assert "RuntimeError at /fail/\nThe view failed on purpose" in report.body
    assert "Traceback" in report.body
    assert Message.objects.get().state == Message.State.SENT


@pytest.mark.django_db
def test_without_admins_the_500_page_claims_nobody_was_told(failing_client, settings):
    settings.ADMINS = []
    response = failing_client.get("/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "told" not in html
    assert delivered() == []


@pytest.mark.django_db
def test_the_page_does_not_claim_a_report_the_logging_does_not_send(failing_client, settings):
    settings.ADMINS = ["ops@example.org"]
    django_logger = logging.getLogger("django")
    handlers = django_logger.handlers[:]
    django_logger.handlers = []
    try:
        html = failing_client.get("/fail/").content.decode()
    finally:
        django_logger.handlers = handlers
    assert "Something went wrong" in html
    assert "told" not in html and "notified" not in html


@pytest.mark.django_db
def test_a_report_that_cannot_be_sent_is_retried_by_the_outbox_without_a_loop(settings):
    settings.ADMINS = ["ops@example.org"]
    settings.MAILERS = REFUSING
    tasks.queue_error_report("Subject", "Body")
    assert delivered() == []
    (row,) = Message.objects.all()
    assert row.kind == tasks.ERROR_REPORT and row.state == Message.State.RETRYING
    # No report about the report.
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_report_task_queued_before_the_upgrade_goes_through_the_outbox(settings):
    settings.ADMINS = ["ops@example.org"]
    tasks.mail_admins.call("Subject", "Body", attempt=2)
    (report,) = delivered()
    assert report.subject == "[Newsroom] Subject" and report.to == ["ops@example.org"]


@pytest.mark.django_db
def test_a_failing_report_task_is_not_itself_reported(settings):
    settings.ADMINS = ["ops@example.org"]
    record = logging.LogRecord(
        "django.tasks",
        logging.ERROR,
        __file__,
        1,
        "Task id=%s path=%s state=%s",
        ("abc", DELIVERY_TASK, "FAILED"),
        None,
    )
    handler = next(
        h
        for h in logging.getLogger("django").handlers
        if type(h).__name__ == "TaskAdminEmailHandler"
    )
    handler.handle(record)
    assert delivered() == []
    # Any other failed task is reported (the suite runs tasks at once).
    record.args = ("abc", "press.tasks.send_inquiry_emails", "FAILED")
    handler.handle(record)
    assert len(delivered()) == 1


# --- a scanner cannot turn error reports into a flood ----------------------------------

NOT_NOTIFIED = "The error has been logged, but our staff could not be notified automatically."


@pytest.fixture
def report_handler(monkeypatch):
    """The ``django`` logger's report handler, with a throttle of this test's own (its
    fallback counts per process, so one test's reports must not use up another's)."""
    handler = next(
        h for h in logging.getLogger("django").handlers if isinstance(h, TaskAdminEmailHandler)
    )
    monkeypatch.setattr(handler, "throttle", ReportThrottle())
    return handler


@pytest.fixture
def security_log(caplog):
    """What the ``django.security`` loggers write (they do not propagate to the root
    logger, where ``caplog`` listens)."""
    security = logging.getLogger("django.security")
    security.addHandler(caplog.handler)
    yield caplog
    security.removeHandler(caplog.handler)


@pytest.mark.django_db
def test_a_scanners_bad_host_headers_are_logged_not_mailed(settings, report_handler, security_log):
    settings.DEBUG = False
    settings.ADMINS = ["ops@example.org"]
    client = Client()
    statuses = {client.get("/news/", HTTP_HOST="scanner.example").status_code for _ in range(100)}
    assert statuses == {400}
    assert delivered() == []
    logged = [r for r in security_log.records if r.name == "django.security.DisallowedHost"]
    assert len(logged) == 100
    assert "scanner.example" in logged[0].getMessage()
    # Written out where the rest of the log goes, not dropped.
    assert any(
        isinstance(handler, logging.StreamHandler)
        for handler in logging.getLogger("django.security").handlers
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "data", "logger"),
    [
        ("DATA_UPLOAD_MAX_MEMORY_SIZE", {"message": "x" * 5000}, "RequestDataTooBig"),
        ("DATA_UPLOAD_MAX_NUMBER_FIELDS", {f"f{n}": "1" for n in range(50)}, "TooManyFieldsSent"),
    ],
)
def test_oversized_and_overfull_posts_are_logged_not_mailed(
    settings, report_handler, security_log, limit, data, logger
):
    settings.DEBUG = False
    settings.ADMINS = ["ops@example.org"]
    setattr(settings, limit, 1000 if limit == "DATA_UPLOAD_MAX_MEMORY_SIZE" else 10)
    for _ in range(5):
        assert Client().post("/press/inquiry/", data).status_code == 400
    assert delivered() == []
    assert [r.name for r in security_log.records].count(f"django.security.{logger}") == 5


@pytest.mark.django_db
def test_the_same_error_is_mailed_once_per_window_then_with_the_count(
    failing_client, settings, report_handler, monkeypatch
):
    settings.ADMINS = ["ops@example.org"]
    for _ in range(50):
        response = failing_client.get("/fail/")
        assert response.status_code == 500
        # Every one of them was reported: the first by mail, the others in its count.
        assert "Our staff have been told" in response.content.decode()
    (first,) = delivered()
    assert "RuntimeError at /fail/" in first.body
    assert "not mailed" not in first.body

    # Ten minutes on (the cache's clock too), the same error is mailed again, with what
    # happened meanwhile.
    later = time.time() + errors.REPORT_WINDOW + 1
    monkeypatch.setattr(time, "time", lambda: later)
    failing_client.get("/fail/")
    assert len(delivered()) == 2
    assert "49 more times since the last report" in delivered()[1].body
    failing_client.get("/fail/")
    assert len(delivered()) == 2


@pytest.mark.django_db
def test_different_errors_are_each_mailed(failing_client, settings, report_handler):
    settings.ADMINS = ["ops@example.org"]
    for _ in range(3):
        failing_client.get("/fail/")
        failing_client.get("/fail-otherwise/")
    assert len(delivered()) == 2
    assert {message.body.split("\n")[0] for message in delivered()} == {
        "Internal Server Error: /fail/",
        "Internal Server Error: /fail-otherwise/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend",
    [
        # Raises on every call.
        "django.core.cache.backends.redis.RedisCache",
        # Answers as an empty cache, and says it is unavailable.
        "core.cache_backends.ResilientRedisCache",
    ],
)
def test_with_the_cache_down_reports_still_go_but_only_a_few_a_minute(
    failing_client, settings, report_handler, backend
):
    settings.ADMINS = ["ops@example.org"]
    dead = {"default": {"BACKEND": backend, "LOCATION": "redis://127.0.0.1:1/0"}}
    # Not the settings fixture: the cache is cleared after the test, before it is undone.
    with override_settings(CACHES=dead):
        responses = [failing_client.get("/fail/") for _ in range(20)]
        responses.append(failing_client.get("/fail-otherwise/"))
    assert {response.status_code for response in responses} == {500}
    assert "Our staff have been told" in responses[0].content.decode()
    assert len(delivered()) == errors.FALLBACK_REPORTS_PER_MINUTE
    # Those past the limit are logged only, and the page says so.
    assert NOT_NOTIFIED in responses[-1].content.decode()


@pytest.mark.django_db
def test_the_handler_never_raises_whatever_the_cache_does(report_handler, settings, monkeypatch):
    settings.ADMINS = ["ops@example.org"]

    def broken(*args, **kwargs):
        raise TypeError("a cache backend with a bug")

    monkeypatch.setattr(caches["default"], "add", broken)
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x/",), None
    )
    report_handler.handle(record)
    assert len(delivered()) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_report_that_cannot_be_queued_is_logged_and_the_page_says_so(
    failing_client, settings, database_queue, report_handler, caplog
):
    settings.ADMINS = ["ops@example.org"]
    with database_down():
        response = failing_client.get("/fail/")
    assert response.status_code == 500
    html = response.content.decode()
    assert NOT_NOTIFIED in html
    assert "have been told" not in html
    assert any(
        r.name == "press.errors" and "could not be queued" in r.getMessage()
        for r in caplog.records
    )
    assert not Message.objects.exists()

    # The database is back: the next occurrence is reported (not held back as a
    # duplicate of the report that never went), with the one before it counted.
    response = failing_client.get("/fail/")
    assert "Our staff have been told" in response.content.decode()
    (queued,) = Message.objects.all()
    assert "1 more time since the last report" in queued.body


@pytest.mark.django_db
def test_a_queue_that_raises_gives_the_same_honest_page(failing_client, settings, report_handler):
    settings.ADMINS = ["ops@example.org"]
    with mock.patch("press.tasks.enqueue", side_effect=DatabaseError("outbox unreachable")):
        html = failing_client.get("/fail/").content.decode()
    assert NOT_NOTIFIED in html and "have been told" not in html
    assert delivered() == []


def failure_record():
    try:
        raise RuntimeError("The same failure")
    except RuntimeError:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x/", (), exc_info
    )


@pytest.mark.django_db
def test_on_redis_every_process_counts_into_the_same_report(redis_cache, settings, report_handler):
    settings.ADMINS = ["ops@example.org"]
    for _ in range(20):
        report_handler.handle(failure_record())
    assert len(delivered()) == 1
    # Another app server's process holds back the same error too.
    assert not ReportThrottle().admit(errors.cause_of(failure_record())).send
    (key,) = redis_cache.keys("*error-report:unmailed:*")
    assert int(redis_cache.get(key)) == 20
    assert redis_cache.ttl(key) > errors.REPORT_WINDOW
