"""media_library is used by other apps and names none of them."""

import ast
from pathlib import Path

import pytest

from media_library import usage
from media_library.models import Document, Photo
from tests.factories import ArticleFactory, DocumentFactory, PhotoFactory, SpokespersonFactory

APP = Path(__file__).resolve().parents[2] / "media_library"
OTHER_APPS = {"articles", "press"}


def _imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_media_library_imports_no_other_app():
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for module in _imported_modules(path):
            assert module.split(".")[0] not in OTHER_APPS, (path, module)
        text = path.read_text()
        assert "admin:articles_" not in text and "admin:press_" not in text, path


def test_the_using_apps_registered_their_relations():
    photo_users = {(r.model._meta.label, r.field_name) for r in usage._relations[Photo]}
    assert photo_users == {("articles.Article", "hero_photo"), ("press.Spokesperson", "photo")}
    document_users = {(r.model._meta.label, r.field_name) for r in usage._relations[Document]}
    assert document_users == {("articles.Article", "attachments")}


@pytest.mark.django_db
def test_usages_come_from_the_registry_with_admin_links(django_assert_num_queries):
    photo, document = PhotoFactory(), DocumentFactory()
    article = ArticleFactory(title="Facing Walls", hero_photo=photo)
    article.attachments.add(document)
    person = SpokespersonFactory(name="Ana Ruiz", photo=photo)
    with django_assert_num_queries(2):
        found = usage.usages_of(photo)
    assert [(u.kind, u.label) for u in found] == [
        ("Article", "Facing Walls"),
        ("Spokesperson", "Ana Ruiz"),
    ]
    assert found[0].admin_url == f"/admin/articles/article/{article.pk}/change/"
    assert found[1].admin_url == f"/admin/press/spokesperson/{person.pk}/change/"
    assert [(u.kind, u.label) for u in usage.usages_of(document)] == [("Article", "Facing Walls")]
    assert usage.usages_of(PhotoFactory()) == []
