"""Background work of the articles app (Django's tasks framework, run by the worker)."""

import logging
from datetime import timedelta

from django.tasks import TaskContext, task
from django.utils import timezone

from articles import media_kit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
FIRST_RETRY_SECONDS = 30


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
        if attempt < MAX_ATTEMPTS and backend.supports_defer:
            delay = timedelta(seconds=FIRST_RETRY_SECONDS * 4 ** (attempt - 1))
            build_media_kit.using(run_after=timezone.now() + delay).enqueue(
                article_id=article_id, attempt=attempt + 1
            )
            logger.warning("Media kit of article %s failed; retry %s queued", article_id, attempt)
        raise
