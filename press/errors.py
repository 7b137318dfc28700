"""Error reports to ``ADMINS``, sent by a task rather than inside the failing request.

Django's ``AdminEmailHandler`` talks to the mail server in the request (or command) that
failed: with a slow mail server every error costs a worker its timeout. This handler
builds the same report and enqueues ``press.tasks.mail_admins``; ``LOGGING`` in the
settings puts it on the ``django`` logger in place of Django's own.
"""

import logging

from django.conf import settings
from django.utils.log import AdminEmailHandler
from django.utils.module_loading import import_string

# Imported by path when a report is sent: logging is configured before the apps are
# loaded, so this module cannot import the tasks (and through them the models) itself.
MAIL_ADMINS_TASK = "press.tasks.mail_admins"


class TaskAdminEmailHandler(AdminEmailHandler):
    """``AdminEmailHandler`` that enqueues the report instead of sending it."""

    def emit(self, record):
        if not settings.ADMINS:
            return
        # A report about the report task failing would fail the same way, and be reported
        # again, for as long as the mail server is down.
        if record.name.startswith("django.tasks") and MAIL_ADMINS_TASK in record.getMessage():
            return
        try:
            super().emit(record)
        except Exception:  # noqa: BLE001
            # What every logging handler does with its own failure (the database holding
            # the queue may be what failed): say so on stderr, never raise into the caller.
            self.handleError(record)

    def send_mail(self, subject, message, *args, html_message=None, **kwargs):
        import_string(MAIL_ADMINS_TASK).enqueue(subject, message, html_message=html_message)


def reports_errors() -> bool:
    """True when an uncaught error in a request is reported to staff: ``ADMINS`` is set
    and the ``django.request`` logger hands its errors to this handler. The 500 page says
    "we have been told" only then."""
    if not settings.ADMINS:
        return False
    logger = logging.getLogger("django.request")
    while logger is not None:
        if any(
            isinstance(handler, TaskAdminEmailHandler) and handler.level <= logging.ERROR
            for handler in logger.handlers
        ):
            return True
        logger = logger.parent if logger.propagate else None
    return False
