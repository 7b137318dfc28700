"""Background work of the editorial desk (``django.tasks``, run by the worker): telling
editors that an article awaits review and writers what became of theirs.

Transition e-mails are enqueued by ``desk.workflow`` after the transition's
transaction commits, never sent inside a request. Idempotent: the transition records when
its e-mail went out, and a task claims it with one UPDATE, so a retried or duplicated task
never sends twice.
"""

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone

from desk.emails import transition_email
from desk.workflow_models import ArticleTransition
from press.emails import MAIL_ERRORS
from press.tasks import retry_delay

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# While one task sends, others find the transition taken until this long has passed.
SEND_LEASE = timedelta(minutes=15)


@task
def notify_transition(transition_id: int) -> str:
    """Send the e-mail about one transition, once. Returns what happened."""
    now = timezone.now()
    claimed = (
        ArticleTransition.objects.filter(
            pk=transition_id, notified_at__isnull=True, notify_attempts__lt=MAX_ATTEMPTS
        )
        # A lease that ran out belongs to a worker that died mid-send.
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lt=now))
        .update(notify_attempts=F("notify_attempts") + 1, sending_until=now + SEND_LEASE)
    )
    if not claimed:
        return "nothing due"
    transition = ArticleTransition.objects.select_related("article", "user").get(pk=transition_id)
    message = transition_email(transition)
    if message is None:
        ArticleTransition.objects.filter(pk=transition_id).update(notified_at=now)
        return "nobody to tell"
    try:
        message.send()
    except MAIL_ERRORS as error:
        logger.warning("Transition %s: e-mail failed: %r", transition_id, error)
        attempts = transition.notify_attempts
        backend = notify_transition.get_backend()
        ArticleTransition.objects.filter(pk=transition_id).update(sending_until=None)
        if attempts < MAX_ATTEMPTS and backend.supports_defer:
            notify_transition.using(run_after=timezone.now() + retry_delay(attempts)).enqueue(
                transition_id
            )
        return f"failed: {error!r}"
    ArticleTransition.objects.filter(pk=transition_id).update(notified_at=timezone.now())
    return f"sent to {len(message.to)}"
