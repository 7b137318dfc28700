"""Translation groups: a source article and its translations share what is not words.

A story's versions in other languages are articles of their own (their own slug, text,
publication time, workflow, revisions and corrections) whose ``translation_of`` names
the source. The group shares the source's kind, reference number, photo, regions and
topics: ``share_from_source`` follows ``articles.changes.article_changed``, so every
route that writes an article (the admin, the desk's services, the importer, a shell
``save()`` or ``regions.set()``) leaves the translations agreeing with their source.
A translation's own copy is overwritten: the source is where these are edited.
"""

from django.db.models import Q

from articles.models import Article

SHARED_FIELDS = ("kind", "reference_number", "hero_photo")
SHARED_RELATIONS = ("regions", "topics")


def share_from_source(sender, *, article_ids, changed, **kwargs) -> None:
    """``article_changed``: copy the shared fields of every source written (or of the
    source of every translation written) to its translations."""
    if "deleted" in changed or not changed & {"article", *SHARED_RELATIONS}:
        return
    source_ids = set(
        Article.objects.filter(translation_of__isnull=False)
        .filter(Q(pk__in=article_ids) | Q(translation_of_id__in=article_ids))
        .values_list("translation_of_id", flat=True)
    )
    for source in Article.objects.filter(pk__in=source_ids).prefetch_related(*SHARED_RELATIONS):
        share(source)


def share(source: Article) -> None:
    translations = Article.objects.filter(translation_of=source)
    values = {field: getattr(source, field) for field in SHARED_FIELDS}
    differ = Q()
    for field, value in values.items():
        differ |= ~Q(**{field: value}) if value is not None else Q(**{f"{field}__isnull": False})
    # No signal: the write that brought us here already told the caches.
    translations.filter(differ).update(**values)
    region_ids = [region.pk for region in source.regions.all()]
    topic_names = [topic.name for topic in source.topics.all()]
    for translation in translations.prefetch_related(*SHARED_RELATIONS):
        # set() writes (and announces) only what differs: agreeing copies cost nothing.
        if {r.pk for r in translation.regions.all()} != set(region_ids):
            translation.regions.set(region_ids)
        if {t.name for t in translation.topics.all()} != set(topic_names):
            translation.topics.set(topic_names)
