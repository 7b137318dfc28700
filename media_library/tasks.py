"""Background work of the media library (Django's tasks framework, run by the worker).

Renditions are made here, after a photo is committed (upload, edit, import), never
inside a request; so are the moves of files in and out of public storage
(``sync_visibility``, see ``media_library.visibility``). The renditions task is
idempotent: it does nothing for a photo whose renditions are current, and a photo
deleted meanwhile is simply skipped. A failure that may pass (storage unreachable, a
full disk) is retried with a growing delay; the failed attempt stays visible to staff in
the admin's task results. ``manage.py generate_renditions`` remains the sweeper for
photos a crash left without renditions.
"""

import logging
from datetime import timedelta

from django.apps import apps
from django.tasks import TaskContext, task
from django.utils import timezone

from media_library import gating, processing
from media_library.models import Document, Photo

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# 30 s, 2 min, 8 min, 32 min: long enough for a storage outage to end.
FIRST_RETRY_SECONDS = 30


def retry_delay(attempt: int) -> timedelta:
    return timedelta(seconds=FIRST_RETRY_SECONDS * 4 ** (attempt - 1))


@task(takes_context=True)
def make_renditions(context: TaskContext, *, photo_id: int, attempt: int = 1) -> bool:
    """Make one photo's renditions unless they are current; True if files were made."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return False
    try:
        return processing.photo_generate_renditions(photo=photo)
    except OSError:
        # Storage errors (unreachable S3, a full disk) are OSError and pass. So are
        # Pillow's errors for a damaged original, which will not: those fail
        # MAX_ATTEMPTS times and then stay listed as pending in the admin.
        backend = context.task_result.task.get_backend()
        if attempt < MAX_ATTEMPTS and backend.supports_defer:
            make_renditions.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                photo_id=photo_id, attempt=attempt + 1
            )
            logger.warning("Renditions of photo %s failed; retry %s queued", photo_id, attempt)
        raise


@task
def sync_visibility(*, model: str, ids: list[int]) -> str:
    """Withhold or release the files of these photos or documents (``model`` is
    ``media_library.photo`` or ``media_library.document``) as the rule says when the
    task runs, so a late, repeated or out-of-order run still ends right."""
    chosen = apps.get_model(model)
    if chosen not in (Photo, Document):
        return "not media"
    return f"moved {gating.sync_many(chosen, ids)}"
