"""Sending what the outbox holds, for tests that call tasks and services directly
(outside ``django_capture_on_commit_callbacks``, whose commit would nudge the outbox)."""

from django.core import mail

from outbox.sending import deliver_due


def delivered() -> list:
    """Send every due message now; returns everything the mail backend got so far."""
    deliver_due()
    return mail.outbox
