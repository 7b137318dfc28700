"""Where photos and documents are used: a registry the using apps fill.

The media library names no other app. An app whose model points at a photo or a
document registers that relation from its own ``AppConfig.ready()``::

    from media_library.usage import register_usage
    register_usage(Article, "hero_photo", label_field="title")

"Used in" lists in the admin and the refusal to delete something in use then cover it,
with a link to the user's admin page when it has one.

A use the public sees also says which of its rows are public *now* (``public``): a
photo or document is public while at least one such row uses it, and withheld otherwise
(``is_public``; ``media_library.visibility`` keeps the files where that says)::

    register_usage(Article, "hero_photo", label_field="title", public=lambda rows: rows.live())

What must follow every public use, whenever it is registered, asks to be told of each
(``on_public_use``): this registry names nobody who reads it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import admin
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst


@dataclass(frozen=True)
class Usage:
    """Somewhere a photo or document is used, for "Used in" lists and refusals."""

    kind: str
    label: str
    admin_url: str


# rows -> the rows among them the public sees now (a queryset of the using model).
PublicRows = Callable[[models.QuerySet], models.QuerySet]


@dataclass(frozen=True)
class _Relation:
    model: type[models.Model]
    field_name: str
    label_field: str
    public: PublicRows | None = field(default=None, compare=False)

    @property
    def many(self) -> bool:
        return self.model._meta.get_field(self.field_name).many_to_many

    def rows_using(self, ids: Iterable) -> models.QuerySet:
        return self.model._default_manager.filter(**{f"{self.field_name}__in": list(ids)})


_relations: dict[type[models.Model], list[_Relation]] = {}
# Called with each public use, registered before or after they asked.
_public_use_watchers: list[Callable[[_Relation], None]] = []


def register_usage(
    model: type[models.Model],
    field_name: str,
    *,
    label_field: str,
    public: PublicRows | None = None,
) -> None:
    """Record that ``model.field_name`` (a foreign key or many-to-many to a Photo or
    Document) uses media; ``label_field`` names the row in lists. ``public`` narrows
    rows of ``model`` to those the public sees now; without it, this use never makes
    the media public."""
    target = model._meta.get_field(field_name).remote_field.model
    relation = _Relation(
        model=model, field_name=field_name, label_field=label_field, public=public
    )
    registered = _relations.setdefault(target, [])
    if relation not in registered:
        registered.append(relation)
        if public is not None:
            for watcher in _public_use_watchers:
                watcher(relation)


def on_public_use(watcher: Callable[[_Relation], None]) -> None:
    """Call ``watcher`` with every use that can make media public: those registered
    already, now, and each one registered later."""
    _public_use_watchers.append(watcher)
    for relations in _relations.values():
        for relation in relations:
            if relation.public is not None:
                watcher(relation)


def using_models(model: type[models.Model]) -> set[type[models.Model]]:
    """The models registered as using ``model`` (Photo or Document)."""
    return {relation.model for relation in _relations.get(model, [])}


def public_relations(model: type[models.Model]) -> list[_Relation]:
    """The registered uses of ``model`` (Photo or Document) that can make it public."""
    return [r for r in _relations.get(model, []) if r.public is not None]


def public_ids(model: type[models.Model], ids: Iterable[int]) -> set[int]:
    """Which of these photos or documents the public may see now: those at least one
    public row uses (one query per public use)."""
    ids = list(ids)
    found = set()
    for relation in public_relations(model) if ids else []:
        rows = relation.public(relation.rows_using(ids))
        found.update(rows.values_list(relation.field_name, flat=True))
    return found & set(ids)


def is_public(obj: models.Model) -> bool:
    """Whether the public may see this photo or document now: the one rule."""
    return bool(public_ids(type(obj), [obj.pk]))


def _admin_url(model: type[models.Model], pk) -> str:
    if not admin.site.is_registered(model):
        return ""
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    except NoReverseMatch:
        return ""


def usages_of(obj: models.Model) -> list[Usage]:
    """Every registered row that uses ``obj``, grouped by model (alphabetically, whatever
    order the apps loaded in), each in its model's own ordering. One query per relation."""
    found = []
    relations = sorted(
        _relations.get(type(obj), []), key=lambda r: (r.model._meta.verbose_name, r.field_name)
    )
    for relation in relations:
        kind = capfirst(relation.model._meta.verbose_name)
        rows = relation.model._default_manager.filter(**{relation.field_name: obj}).values_list(
            "pk", relation.label_field
        )
        found += [Usage(kind, str(label), _admin_url(relation.model, pk)) for pk, label in rows]
    return found
