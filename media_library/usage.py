"""Where photos and documents are used: a registry the using apps fill.

The media library names no other app. An app whose model points at a photo or a
document registers that relation from its own ``AppConfig.ready()``::

    from media_library.usage import register_usage
    register_usage(Article, "hero_photo", label_field="title")

"Used in" lists in the admin and the refusal to delete something in use then cover it,
with a link to the user's admin page when it has one.
"""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Relation:
    model: type[models.Model]
    field_name: str
    label_field: str


_relations: dict[type[models.Model], list[_Relation]] = {}


def register_usage(model: type[models.Model], field_name: str, *, label_field: str) -> None:
    """Record that ``model.field_name`` (a foreign key or many-to-many to a Photo or
    Document) uses media; ``label_field`` names the row in lists."""
    field = model._meta.get_field(field_name)
    target = field.remote_field.model
    relation = _Relation(model=model, field_name=field_name, label_field=label_field)
    registered = _relations.setdefault(target, [])
    if relation not in registered:
        registered.append(relation)


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
