"""Topics in the admin are called topics: the sidebar, the app list, the list and the
form say "Topics", never taggit's "Taggit" and "Tags", while the permissions the roles
are built on keep taggit's codenames."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from taggit.models import Tag

pytestmark = pytest.mark.django_db


ROW = r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)</a>'


def sidebar_sections(html):
    """Each app's caption in the admin sidebar, with the names of its models."""
    sections = {}
    for caption, body in re.findall(
        r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>\s*</caption>(.*?)</table>',
        html,
        re.S,
    ):
        sections[caption.strip()] = re.findall(ROW, body)
    return sections


def test_the_sidebar_says_topics(editor_client):
    response = editor_client.get("/admin/articles/article/")
    sections = sidebar_sections(response.content.decode())
    assert sections["Topics"] == ["Topics"]
    assert "Taggit" not in sections
    assert not any("Tags" in models for models in sections.values())


def test_the_topics_pages_say_topics(editor_client):
    Tag.objects.create(name="Asylum", slug="asylum")
    app_page = editor_client.get("/admin/taggit/")
    assert app_page.status_code == 200
    assert app_page.context["app_list"][0]["name"] == "Topics"
    assert [m["name"] for m in app_page.context["app_list"][0]["models"]] == ["Topics"]

    changelist = editor_client.get("/admin/taggit/tag/").content.decode()
    assert "<title>Select topic to change" in changelist
    assert "Add topic" in changelist
    assert "Taggit" not in changelist and "Add tag" not in changelist


def test_the_roles_keep_taggits_permissions(editor, writer):
    # Renamed on screen only: the app label, model and codenames are taggit's.
    assert apps.get_app_config("taggit").label == "taggit"
    assert Permission.objects.filter(content_type__app_label="taggit", codename="add_tag").exists()
    assert editor.has_perm("taggit.add_tag") and editor.has_perm("taggit.change_tag")
    assert writer.has_perm("taggit.view_tag") and not writer.has_perm("taggit.add_tag")
