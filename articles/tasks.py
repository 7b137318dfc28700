"""Background work of the articles app (``django.tasks``, run by the worker): telling
editors that an article awaits review and writers what became of theirs, and building
media kits.

Transition e-mails are enqueued by ``articles.workflow`` after the transition's
transaction commits, never sent inside a request. The task renders the e-mail and queues
it in the outbox (``outbox/``), which sends and retries it; the transition records when
(``notified_at``), claimed with one UPDATE and a de-duplication key, so a retried or
duplicated task never queues it twice.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import timezone

from articles import media_kit
from articles.emails import transition_email
from articles.workflow_models import ArticleTransition
from outbox.services import enqueue

logger = logging.getLogger(__name__)

KIT_MAX_ATTEMPTS = 4
KIT_FIRST_RETRY_SECONDS = 30
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


@task(takes_context=True)
def build_media_kit(context: TaskContext, *, article_id: int, attempt: int = 1) -> bool:
    """Build an article's media kit unless the stored one is current; True if built.

    Idempotent: a kit that matches the article is left alone, so duplicates cost a
    check. Storage errors (OSError) are retried with a growing delay.
    """
    try:
        return media_kit.build(article_id)
    except OSError:
        backend = context.task_result.task.get_backend()
        if attempt < KIT_MAX_ATTEMPTS and backend.supports_defer:
            delay = timedelta(seconds=KIT_FIRST_RETRY_SECONDS * 4 ** (attempt - 1))
            build_media_kit.using(run_after=timezone.now() + delay).enqueue(
                article_id=article_id, attempt=attempt + 1
            )
            logger.warning("Media kit of article %s failed; retry %s queued", article_id, attempt)
        raise
