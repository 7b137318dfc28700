"""Background work of the editorial desk (``django.tasks``, run by the worker): telling
editors that an article awaits review and writers what became of theirs.

Transition e-mails are enqueued by ``desk.workflow`` after the transition's
transaction commits, never sent inside a request. The task renders the e-mail and queues
it in the outbox (``outbox/``), which sends and retries it; the transition records when
(``notified_at``), claimed with one UPDATE and a de-duplication key, so a retried or
duplicated task never queues it twice.
"""

import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from desk.emails import transition_email
from desk.workflow_models import ArticleTransition
from outbox.services import enqueue

logger = logging.getLogger(__name__)

TRANSITION = "articles.transition"


@task
def notify_transition(transition_id: int) -> str:
    """Queue the e-mail about one transition, once. Returns what happened."""
    with transaction.atomic():
        claimed = ArticleTransition.objects.filter(
            pk=transition_id, notified_at__isnull=True
        ).update(notified_at=timezone.now())
        if not claimed:
            return "nothing due"
        transition = ArticleTransition.objects.select_related("article", "user").get(
            pk=transition_id
        )
        message = transition_email(transition)
        if message is None:
            return "nobody to tell"
        enqueue(
            message,
            kind=TRANSITION,
            about=transition,
            dedup_key=f"{TRANSITION}:{transition_id}",
        )
    return f"queued for {len(message.to)}"
