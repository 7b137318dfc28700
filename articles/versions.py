"""A story's live versions: what its pages and the sitemap link between languages.

A translation group (``articles.translations``) may hold drafts and scheduled versions;
only the live ones are ever named to visitors or search engines (the switcher, the
article's "read in" line, ``hreflang`` alternates, JSON-LD, Open Graph, the sitemap).
Everything here is read as (id, language, slug, source) rows: one query for one group,
one query for every group on a sitemap page.
"""

from dataclasses import dataclass

from babel.core import get_global
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from articles.models import Article
from core.languages import default_language, is_multilingual, language_codes


@dataclass(frozen=True)
class Version:
    """One live version of a story: enough to link to it in any language's page."""

    pk: int
    language: str
    path: str
    is_source: bool


def article_path(language: str, slug: str) -> str:
    """An article's address in its own language (``Article.get_absolute_url`` from a row)."""
    with translation.override(language):
        return reverse("articles:detail", kwargs={"slug": slug})


def in_language_order(versions):
    """In ``LANGUAGES`` order; a version in a language no longer configured is left out."""
    by_language = {version.language: version for version in versions}
    return [by_language[code] for code in language_codes() if code in by_language]


def _version(pk, language, slug, translation_of_id) -> Version:
    return Version(pk, language, article_path(language, slug), translation_of_id is None)


ROW = ("pk", "language", "slug", "translation_of_id")


def live_versions(article: Article) -> list[Version]:
    """The live versions of ``article``'s group in ``LANGUAGES`` order, ``article``
    included when it is live. One query; none on a site in one language."""
    if not is_multilingual() or article.pk is None:
        return []
    rows = article.translation_group().live().values_list(*ROW)
    return in_language_order(_version(*row) for row in rows)


def live_versions_of_groups(group_ids) -> dict[int, list[Version]]:
    """``{group id: live versions}`` for many groups at once, in one query."""
    group_ids = set(group_ids)
    if not group_ids or not is_multilingual():
        return {}
    rows = (
        Article.objects.live()
        .filter(Q(pk__in=group_ids) | Q(translation_of_id__in=group_ids))
        .values_list(*ROW)
    )
    groups: dict[int, list[Version]] = {}
    for row in rows:
        version = _version(*row)
        groups.setdefault(row[3] or row[0], []).append(version)
    return {group: in_language_order(versions) for group, versions in groups.items()}


def x_default(versions: list[Version]) -> Version | None:
    """The version for a reader whose language the story is not in: the default
    language's, else the source, else the first live one in ``LANGUAGES`` order."""
    if not versions:
        return None
    for version in versions:
        if version.language == default_language():
            return version
    for version in versions:
        if version.is_source:
            return version
    return versions[0]


def hreflang_alternates(versions: list[Version], absolute) -> list[tuple[str, str]]:
    """``[(hreflang, absolute URL)]`` for a group with more than one live version, its
    ``x-default`` last; ``[]`` otherwise (a story in one language has no alternates).
    ``absolute`` turns a path into an absolute URL."""
    if len(versions) < 2:
        return []
    alternates = [(version.language, absolute(version.path)) for version in versions]
    return [*alternates, ("x-default", absolute(x_default(versions).path))]


def og_locale(code: str) -> str:
    """The Open Graph locale of a language: ``es_ES``, ``ar_EG``, ``pt_BR`` for ``pt-br``."""
    language, _, region = code.replace("_", "-").partition("-")
    if len(region) == 2:
        return f"{language.lower()}_{region.upper()}"
    # The language's most likely territory, from CLDR's likely subtags (es → es_Latn_ES).
    likely = get_global("likely_subtags").get(language.lower(), "")
    territory = next((part for part in likely.split("_")[1:] if part.isupper()), "")
    return f"{language.lower()}_{territory}" if territory else language.lower()
