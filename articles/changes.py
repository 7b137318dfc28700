"""One notification for "articles changed", whatever route wrote them.

``article_changed`` is sent inside the writing transaction, right after each write:

- by the model signals of ``Article``, funnelled here: a save by any route (the admin's
  form, the workflow's buttons, the services, a shell ``article.save()``) and a deletion;
- by the ``m2m_changed`` signals of its relations (``regions``, ``topics``,
  ``attachments``, ``related``, ``spokespeople``): ``set()``, ``add()``, ``remove()``
  and ``clear()``, from either side;
- by ``articles_written()``, which bulk writers (the importer) call for what they wrote:
  ``bulk_create``, ``bulk_update`` and ``QuerySet.update`` send no model signals. A
  ``QuerySet.update`` of bookkeeping columns (the workflow's review state) notifies
  nobody, since nothing public or kept in a revision follows them.

Its arguments:

- ``article_ids``: the articles written (a frozenset of ids);
- ``changed``: what was written (a frozenset): ``"article"`` (the row), ``"deleted"``, or
  the names of relations (``"regions"``…);
- ``before``: for writes of the row, how each article stood before it (``Stored``), or
  None for an article just created; empty for writes of relations alone;
- ``article``: the instance saved, for a save of one row (None otherwise);
- ``bulk``: True for ``articles_written`` (many articles at once);
- ``alerts``: False when the writer asks that no subscriber be told
  (``import_articles --no-alerts``).

Receivers, each connected from its own app's ``AppConfig.ready()``: the stored regional
groupings and the revisions (``articles``), the content version of the caches
(``core.cache.invalidate_on_signal``), the media kit, the alerts (an article going
live), the embargoes (links told of a new time; media released at the lift). A receiver
that works outside the database (a task, an e-mail) waits for the commit
(``on_commit_for``); one that keeps derived rows true (the groupings) writes at once,
so the writer's next read in the same transaction sees them. (Whether a photo's or
document's file is public follows every registered use of it the same way for all its
users, ``media_library.visibility``; the importer tells it what it wrote.)
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import Signal

from articles.content import CONTENT_FIELDS

article_changed = Signal()

# The relations of an article whose writes are announced: those of its content.
RELATIONS = tuple(field.name for field in CONTENT_FIELDS if field.kind == "list")
# What a bulk write (an import) may have written: the row and every relation.
EVERYTHING = frozenset({"article", *RELATIONS, "notes"})


class Stored(NamedTuple):
    """How an article stood before a write of its row."""

    status: str
    published_at: datetime
    hero_photo_id: int | None


def send(*, article_ids: Iterable[int], changed: Iterable[str], **kwargs) -> None:
    ids = frozenset(article_ids)
    if ids:
        kwargs.setdefault("before", {})
        kwargs.setdefault("article", None)
        kwargs.setdefault("bulk", False)
        kwargs.setdefault("alerts", True)
        article_changed.send(
            sender=_article_model(), article_ids=ids, changed=frozenset(changed), **kwargs
        )


def articles_written(
    *,
    article_ids: Iterable[int],
    before: dict[int, Stored | None],
    changed: Iterable[str] = EVERYTHING,
    alerts: bool = True,
) -> None:
    """Announce articles written in bulk (no model signals were sent): call it inside the
    writing transaction once everything is written. ``before`` holds how each existing
    article stood (``Stored``), and None for each one created."""
    send(article_ids=article_ids, changed=changed, before=before, bulk=True, alerts=alerts)


def on_commit_for(func: Callable[[set[int]], None], article_ids: Iterable[int]) -> None:
    """Call ``func(ids)`` once the transaction commits with every id passed to it
    meanwhile: an admin save writes the row and five relations, and a receiver that works
    after the commit should work once. (Each call queues a callback; they share one set
    of ids, which the first to run empties.)"""
    connection = transaction.get_connection()
    ids = None
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Batch) and callback.func is func and not callback.started:
            ids = callback.ids
            break
    batch = _Batch(func, set() if ids is None else ids)
    batch.ids.update(article_ids)
    transaction.on_commit(batch)


class _Batch:
    def __init__(self, func, ids):
        self.func, self.ids, self.started = func, ids, False

    def __call__(self):
        self.started = True
        if self.ids:
            ids = set(self.ids)
            self.ids.clear()
            self.func(ids)


# --- the funnel from model signals ------------------------------------------------------


def _article_model():
    from articles.models import Article  # noqa: PLC0415 - models import this module's users

    return Article


def _before_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    row = None
    if instance.pk is not None:
        row = sender._base_manager.filter(pk=instance.pk).values_list(*Stored._fields).first()
    instance.__dict__["_stored_before"] = Stored(*row) if row else None


def _saved(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_stored_before", None)
    send(
        article_ids=[instance.pk],
        changed=["article"],
        before={instance.pk: None if created else before},
        article=instance,
    )


def _deleted(sender, instance, **kwargs):
    send(article_ids=[instance.pk], changed=["deleted"])


def _relation_receiver(name, through, article_column, other_column):
    def relation_changed(sender, instance, action, reverse, pk_set, **kwargs):
        if not reverse:
            if action in ("post_add", "post_remove") and not pk_set:
                return  # nothing was added or removed
            if action in ("post_add", "post_remove", "post_clear"):
                send(article_ids=[instance.pk], changed=[name])
            return
        # From the other side (region.articles.add(…)): the articles named are changed.
        stash = instance.__dict__.setdefault("_articles_cleared", {})
        if action == "pre_clear":
            stash[name] = set(
                through._base_manager.filter(**{other_column: instance.pk}).values_list(
                    article_column, flat=True
                )
            )
        elif action == "post_clear":
            send(article_ids=stash.pop(name, ()), changed=[name])
        elif action in ("post_add", "post_remove"):
            send(article_ids=pk_set or (), changed=[name])

    return relation_changed


def connect_model_signals(Article) -> None:
    """Funnel ``Article``'s model signals into ``article_changed`` (from
    ``ArticlesConfig.ready()``)."""
    uid = "article-changed-"
    pre_save.connect(_before_save, sender=Article, dispatch_uid=uid + "pre-save")
    post_save.connect(_saved, sender=Article, dispatch_uid=uid + "save")
    post_delete.connect(_deleted, sender=Article, dispatch_uid=uid + "delete")
    for name in RELATIONS:
        field = Article._meta.get_field(name)
        through = field.remote_field.through
        if name == "topics":
            article_column, other_column = "content_object_id", "tag_id"
        else:
            article_column = field.m2m_column_name()
            other_column = field.m2m_reverse_name()
        m2m_changed.connect(
            _relation_receiver(name, through, article_column, other_column),
            sender=through,
            weak=False,
            dispatch_uid=uid + name,
        )
