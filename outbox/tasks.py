"""The outbox's one task: send what is due."""

from django.tasks import task

from outbox.sending import deliver_due


@task
def deliver() -> str:
    """Claim due mail in batches and send it until nothing is due. Idempotent: two of
    these at once each take their own rows."""
    result = deliver_due()
    return f"sent {result.sent}, failed {result.failed}, gave up {result.gave_up}"
