"""One declared list of an article's content (``articles.content``): revisions, the
stale-save guard, the importer and the exporter all read it, and every editable field
of ``Article`` is either in it or declared not to be content."""

import json

import pytest

from articles.content import CONTENT_FIELDS, NOT_CONTENT
from articles.models import Article
from desk import revisions
from interchange.exporting import articles_export
from interchange.importing.parse import ARTICLE_KEYS
from interchange.importing.write import ARTICLE_FIELDS, RELATIONS
from tests.factories import ArticleFactory
from tests.interchange.test_export import content  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

NAMES = [field.name for field in CONTENT_FIELDS]


def editable_fields(model):
    """What an editor can set: editable, neither made by Django (the id, reverse
    relations) nor kept by it (``auto_now``)."""
    return {
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "editable", False)
        and not field.auto_created
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    }


def test_every_editable_field_of_an_article_is_content_or_declared_not_to_be():
    unclassified = editable_fields(Article) - set(NAMES) - set(NOT_CONTENT)
    assert not unclassified, (
        f"Add {sorted(unclassified)} to articles.content: to CONTENT_FIELDS (kept in "
        "revisions, imported and exported) or to NOT_CONTENT with the reason."
    )


def test_the_declared_lists_name_real_fields_once():
    assert len(NAMES) == len(set(NAMES))
    assert not set(NAMES) & set(NOT_CONTENT)
    assert set(NAMES) | set(NOT_CONTENT) <= editable_fields(Article)


def test_a_revision_keeps_and_compares_every_content_field():
    article = ArticleFactory(regions=["mx"], topics=["Asylum"])
    assert list(revisions.snapshot(article)) == NAMES
    assert [key for key, _label, _kind in revisions.FIELDS] == NAMES


def test_the_stale_save_guard_sees_a_change_outside_the_editor():
    # The guard compares the stored article with its latest revision: a field the
    # snapshot left out would let a stale save through unnoticed.
    article = ArticleFactory(reference_number="", kind="report")
    first = revisions.ensure_current(article)
    Article.objects.filter(pk=article.pk).update(reference_number="AMR 41/6514/2017")
    assert revisions.ensure_current(Article.objects.get(pk=article.pk)) != first


def test_the_import_format_carries_the_content_fields_with_keys():
    # The format itself (DESIGN.md "import format"): these keys, notes, and the two
    # optional keys placing a record among the languages.
    assert {
        *("slug", "kind", "title", "summary", "body", "published_at", "status"),
        *("regions", "topics", "photo", "hero_caption", "related", "attachments"),
        *("reference_number", "substantively_updated_at", "notes"),
        *("language", "translation_of"),
    } == ARTICLE_KEYS
    assert {field.key for field in CONTENT_FIELDS if field.key} | {
        "notes",
        "language",
        "translation_of",
    } == ARTICLE_KEYS
    # Every content field the format carries is written: the slug matches records,
    # columns are compared and set, relations replaced.
    for field in CONTENT_FIELDS:
        if field.key is None or field.name == "slug":
            continue
        column = Article._meta.get_field(field.name).attname
        assert column in ARTICLE_FIELDS or field.name in RELATIONS, field.name


def test_an_export_writes_every_content_field_the_format_carries(content, tmp_path):  # noqa: F811
    path = tmp_path / "export" / "articles.json"
    path.parent.mkdir()
    articles_export(path=path)
    records = json.loads(path.read_text())["articles"]
    report = next(record for record in records if record["slug"] == "facing-walls")
    assert {field.key for field in CONTENT_FIELDS if field.key} <= set(report)
