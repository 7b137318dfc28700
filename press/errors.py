"""Error reports to ``ADMINS``, queued in the outbox rather than sent inside the failing
request, at most one per distinct error every ten minutes.

Django's ``AdminEmailHandler`` talks to the mail server in the request (or command) that
failed: with a slow mail server every error costs a worker its timeout. This handler
builds the same report and queues it in the outbox (kind ``errors.report``), which the
worker sends and retries; while the database is down it cannot be queued, and is logged
instead (the next report of its cause counts it). ``LOGGING`` in the
settings puts it on the ``django`` logger in place of Django's own (and keeps the 400s of
``django.security``, which scanners cause all day, out of the mail).

An error that repeats is mailed once per ``REPORT_WINDOW``; the next report of it says
how many times it happened meanwhile. The counters live in the cache; while the cache is
down each process mails at most ``FALLBACK_REPORTS_PER_MINUTE`` reports a minute. What
became of the report is noted on the request, for the 500 page (``report_outcome``).
"""

import hashlib
import logging
import threading
import time
from contextlib import suppress
from copy import copy
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.log import AdminEmailHandler
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Imported by path when a report is sent: logging is configured before the apps are
# loaded, so this module cannot import the outbox (and through it the models) itself.
QUEUE_REPORT = "press.tasks.queue_error_report"
# The outbox's delivery task: a report about it failing would fail the same way, and
# be reported again, for as long as the database or mail server is down.
DELIVERY_TASK = "outbox.tasks.deliver"

REPORT_WINDOW = 10 * 60
FALLBACK_REPORTS_PER_MINUTE = 5
# The count of an error's unmailed occurrences outlives the window by far: it goes out
# with the error's next report, whenever that is.
COUNT_SECONDS = 7 * 24 * 60 * 60

# What became of a request's error report (``report_outcome``).
REPORTED = "reported"  # queued now, or counted into a report queued in the last window
NOT_REPORTED = "not reported"  # logged only: it could not be queued, or was over the limit
_OUTCOME_ATTRIBUTE = "_newsroom_error_report"


def cause_of(record: logging.LogRecord) -> str:
    """What makes two reports "the same error": the exception's type and the line that
    raised it (wherever the request was going: a scanner can vary the URL at will), or,
    without an exception, the logger's message template and the request's path."""
    if record.exc_info and record.exc_info[0] is not None:
        exc_type, _exc, traceback = record.exc_info
        while traceback is not None and traceback.tb_next is not None:
            traceback = traceback.tb_next
        where = (
            f"{traceback.tb_frame.f_code.co_filename}:{traceback.tb_lineno}" if traceback else ""
        )
        cause = f"{exc_type.__module__}.{exc_type.__qualname__} {where}"
    else:
        request = getattr(record, "request", None)
        cause = f"{record.name} {record.msg} {getattr(request, 'path', '')}"
    return hashlib.blake2b(cause.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Admission:
    send: bool
    unmailed: int = 0  # occurrences since the cause's last report, to say in this one
    counted: bool = True  # False: the cache was down and nothing was de-duplicated


class ReportThrottle:
    """Who may send: the first report of a cause in ``REPORT_WINDOW`` (a key added to
    the cache with that lifetime), the rest only counted. While the cache is down or
    raises, every report may go, but no more than ``FALLBACK_REPORTS_PER_MINUTE`` a
    minute from this process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._fallback_sent: list[float] = []

    @staticmethod
    def _keys(cause: str) -> tuple[str, str]:
        return f"error-report:sent:{cause}", f"error-report:unmailed:{cause}"

    def admit(self, cause: str) -> Admission:
        sent_key, unmailed_key = self._keys(cause)
        # Inside a logging handler: whatever breaks the cache, report without it.
        with suppress(Exception):
            if cache.add(sent_key, time.time(), REPORT_WINDOW):
                unmailed = cache.get(unmailed_key) or 0
                if unmailed:
                    self._count(unmailed_key, -unmailed)
                admission = Admission(send=True, unmailed=unmailed)
            else:
                self._count(unmailed_key, 1)
                admission = Admission(send=False)
            # Imported here: logging is configured before the apps are loaded.
            from core.cache import cache_available  # noqa: PLC0415

            # The resilient cache answers as an empty one while Redis is down.
            if cache_available():
                return admission
        return Admission(send=self._fallback_allows(), counted=False)

    def release(self, cause: str, admission: Admission):
        """The admitted report could not be queued: the next occurrence of its cause may
        report at once, counting this one and those this one was to count."""
        if not admission.counted:
            return
        sent_key, unmailed_key = self._keys(cause)
        with suppress(Exception):
            cache.delete(sent_key)
            self._count(unmailed_key, admission.unmailed + 1)

    @staticmethod
    def _count(key: str, delta: int):
        if cache.add(key, delta, COUNT_SECONDS):
            return
        try:
            cache.incr(key, delta)
            # Redis keeps the key's lifetime; Django's other caches give it the default.
            cache.touch(key, COUNT_SECONDS)
        except ValueError:  # expired between add and incr
            cache.set(key, delta, COUNT_SECONDS)

    def _fallback_allows(self) -> bool:
        now = time.monotonic()
        with self._lock:
            self._fallback_sent = [sent for sent in self._fallback_sent if now - sent < 60]
            if len(self._fallback_sent) >= FALLBACK_REPORTS_PER_MINUTE:
                return False
            self._fallback_sent.append(now)
            return True


class TaskAdminEmailHandler(AdminEmailHandler):
    """``AdminEmailHandler`` that enqueues the report instead of sending it, once per
    error and window. It never raises: a report that cannot be queued is logged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.throttle = ReportThrottle()

    def emit(self, record):
        if not settings.ADMINS:
            return
        if record.name.startswith("django.tasks") and DELIVERY_TASK in record.getMessage():
            return
        cause = admission = None
        try:
            cause = cause_of(record)
            admission = self.throttle.admit(cause)
            if admission.send:
                record = copy(record)
                record.unmailed = admission.unmailed
                super().emit(record)
            outcome = REPORTED if admission.send or admission.counted else NOT_REPORTED
        except Exception as error:  # noqa: BLE001
            # What every logging handler must do with its own failure (the database
            # holding the queue may be what failed): never raise into the caller. The
            # error itself is on the log already, with its traceback.
            outcome = NOT_REPORTED
            logger.error("Error report could not be queued (%r): %s", error, record.getMessage())
            if admission is not None and admission.send:
                self.throttle.release(cause, admission)
        request = getattr(record, "request", None)
        if request is not None:
            setattr(request, _OUTCOME_ATTRIBUTE, outcome)

    def format(self, record):
        text = super().format(record)
        unmailed = getattr(record, "unmailed", 0)
        if unmailed:
            times = "time" if unmailed == 1 else "times"
            text += (
                f"\n\nThis error happened {unmailed} more {times} since the last report; "
                f"it is mailed at most once every {REPORT_WINDOW // 60} minutes."
            )
        return text

    def send_mail(self, subject, message, *args, html_message=None, **kwargs):
        import_string(QUEUE_REPORT)(subject, message, html_message=html_message)


def report_outcome(request) -> str | None:
    """``REPORTED`` or ``NOT_REPORTED`` for a request whose error went to the report
    handler; None when no report was attempted (no ``ADMINS``, or logging that does not
    send one), so the 500 page claims nothing."""
    return getattr(request, _OUTCOME_ATTRIBUTE, None)
