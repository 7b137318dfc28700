"""Topics' names in the page's language.

A topic is a taggit ``Tag``: its ``name`` (and the slug in its URL) is the default
language's. ``TopicName`` rows give it a name in the other languages, edited on the
topic in the admin; a language without one shows the default name.
"""

from django.db.models import OuterRef, Subquery

from articles.models import TopicName
from core.cache import cached
from core.languages import current_language, default_language


def topic_names(language: str) -> dict[int, str]:
    """Every topic's name in ``language``, by topic id (only those that have one): one
    query per content epoch and language, then the shared cache."""
    if language == default_language():
        return {}

    def build():
        return dict(TopicName.objects.filter(language=language).values_list("topic_id", "name"))

    return cached("topic-names", build, language)


def topic_name(topic, language: str | None = None) -> str:
    """``topic``'s name in ``language`` (the page's by default), else its own name."""
    language = language or current_language()
    if language == default_language():
        return topic.name
    return topic_names(language).get(topic.pk) or topic.name


def local_name(tag_ref: str = "tag", language: str | None = None):
    """An annotation of a topic's name in ``language`` for a query that reads topics
    (``tag_ref`` points at the topic's id), so lists pay no query of their own for it;
    None in the default language."""
    language = language or current_language()
    if language == default_language():
        return None
    return Subquery(
        TopicName.objects.filter(topic=OuterRef(tag_ref), language=language).values("name")[:1]
    )
