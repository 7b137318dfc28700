"""The outbox's state as ``/healthz`` reports it, in one query (the one that also says
the database answers)."""

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from outbox.models import Message, WorkerHeartbeat


def outbox_health() -> dict:
    """Seconds since the newest worker heartbeat and since the oldest due message
    became due (each None if there is none). Raises DatabaseError if the database does
    not answer."""
    now = timezone.now()
    beats, messages = WorkerHeartbeat._meta.db_table, Message._meta.db_table
    states = list(Message.PENDING_STATES)
    sql = (
        f"SELECT (SELECT MAX(beat_at) FROM {beats}), "  # noqa: S608 - names from _meta
        f"(SELECT MIN(next_attempt_at) FROM {messages} "
        "WHERE state IN (%s, %s, %s) AND next_attempt_at <= %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*states, connection.ops.adapt_datetimefield_value(now)])
        last, oldest = cursor.fetchone()
    return {
        "heartbeat_age": _seconds(now, last),
        "oldest_due_age": _seconds(now, oldest),
    }


def _seconds(now: datetime, at) -> float | None:
    if at is None:
        return None
    if isinstance(at, str):  # SQLite hands back text
        at = parse_datetime(at)
    if timezone.is_naive(at):
        at = at.replace(tzinfo=UTC)
    return max((now - at).total_seconds(), 0.0)
