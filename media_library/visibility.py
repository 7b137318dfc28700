"""Keeping each photo's and document's files where the rule says: public while a public
use exists (``usage.is_public``), withheld otherwise (``gating``).

Whether a file may be public changes whenever a row that uses it changes: an article is
published, scheduled, unpublished, edited to show another photo or offer other PDFs, or
deleted; a spokesperson's portrait is replaced or the spokesperson hidden. Every use the
apps register with ``public`` is watched here (``watch``, called by ``register_usage``),
the way ``core.cache.invalidate_on_change`` watches the models pages show: its saves,
deletions and many-to-many changes name the media they touched, before and after. Once
the transaction commits, those whose files are on the wrong side are moved by a task
(``tasks.sync_visibility``). Writes that send no signals (an import's bulk queries) call
``sync_after_commit`` themselves; a moment that needs no write at all (a scheduled
article's time coming) runs ``gating.sync`` from a task scheduled for it.
"""

from collections.abc import Iterable

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

from media_library import tasks, usage
from media_library.models import Document, Photo

# Ids per query when checking many media at once (an import).
CHUNK = 500


def misplaced(model: type[models.Model], ids: Iterable[int]) -> list[int]:
    """Which of these photos or documents have their files on the wrong side now."""
    ids = sorted({pk for pk in ids if pk is not None})
    due = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        public = usage.public_ids(model, chunk)
        rows = model._default_manager.filter(pk__in=chunk).values_list("pk", "withheld")
        due += [pk for pk, withheld in rows if withheld == (pk in public)]
    return due


def _enqueue(model: type[models.Model], ids: Iterable[int]) -> None:
    due = misplaced(model, ids)
    if due:
        tasks.sync_visibility.enqueue(model=model._meta.label_lower, ids=due)


def _after_commit(model: type[models.Model], ids: Iterable[int]) -> None:
    ids = {pk for pk in ids if pk is not None}
    if ids:
        transaction.on_commit(lambda: _enqueue(model, ids))


def sync_after_commit(*, photo_ids: Iterable[int] = (), document_ids: Iterable[int] = ()) -> None:
    """Once the transaction commits, bring these photos' and documents' files to the side
    the rule says: for writes that send no model signals (bulk imports)."""
    _after_commit(Photo, photo_ids)
    _after_commit(Document, document_ids)


# --- watching the registered uses ------------------------------------------------------


def _stash(instance) -> dict:
    return instance.__dict__.setdefault("_media_visibility_before", {})


def watch(relation) -> None:
    """Follow every write to one registered public use (``usage.register_usage``); the
    app's ``ready()`` asks the registry for each (``usage.on_public_use``)."""
    model, name = relation.model, relation.field_name
    field = model._meta.get_field(name)
    target, attname = field.remote_field.model, field.attname
    uid = f"media-visibility-{model._meta.label_lower}-{name}"
    if relation.many:
        through = getattr(model, name).through

        def relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
            if reverse:
                # document.articles.add(...): the document itself is what changed.
                if action in ("post_add", "post_remove", "post_clear"):
                    _after_commit(target, [instance.pk])
            elif action == "pre_clear":
                _after_commit(target, getattr(instance, name).values_list("pk", flat=True))
            elif action in ("post_add", "post_remove"):
                _after_commit(target, pk_set or ())

        def after_save(sender, instance, raw=False, created=False, **kwargs):
            # Saved anew, the row may have become public or stopped being public.
            if not raw and not created:
                _after_commit(target, getattr(instance, name).values_list("pk", flat=True))

        m2m_changed.connect(relation_changed, sender=through, weak=False, dispatch_uid=uid)
        post_save.connect(after_save, sender=model, weak=False, dispatch_uid=uid + "-post")
    else:

        def before_save(sender, instance, raw=False, update_fields=None, **kwargs):
            if raw or instance._state.adding or instance.pk is None:
                return
            if update_fields is not None and attname not in update_fields:
                before = getattr(instance, attname)
            else:
                before = (
                    model._base_manager.filter(pk=instance.pk)
                    .values_list(attname, flat=True)
                    .first()
                )
            _stash(instance)[attname] = before

        def after_save(sender, instance, raw=False, **kwargs):
            if raw:
                return
            before = _stash(instance).pop(attname, None)
            # Saved anew, the row may have become public or stopped being public (its
            # status, its time, its visibility): its media, old and new, are checked.
            _after_commit(target, [before, getattr(instance, attname)])

        pre_save.connect(before_save, sender=model, weak=False, dispatch_uid=uid + "-pre")
        post_save.connect(after_save, sender=model, weak=False, dispatch_uid=uid + "-post")

    def before_delete(sender, instance, **kwargs):
        # Checked once the row (and its many-to-many rows) are gone.
        if relation.many:
            _after_commit(target, getattr(instance, name).values_list("pk", flat=True))
        else:
            _after_commit(target, [getattr(instance, attname)])

    pre_delete.connect(before_delete, sender=model, weak=False, dispatch_uid=uid + "-delete")
