"""The site settings: one row staff edit in the admin, in every template through a
context processor, and the one source of the site's name."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template.loader import render_to_string
from django.urls import reverse

from core.context_processors import site_settings
from core.models import SiteSettings
from tests.articles.list_helpers import parse_xml
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:core_sitesettings_changelist")


def rename_site(name):
    row = SiteSettings.load()
    row.name = name
    row.save()
    return row


class TestAdmin:
    def test_changelist_goes_to_the_single_row(self, editor_client):
        response = editor_client.get(CHANGELIST)

        row = SiteSettings.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:core_sitesettings_change", args=[row.pk])

    def test_press_office_may_edit_writers_may_not(self, press_officer, writer, client):
        client.force_login(press_officer)
        assert client.get(CHANGELIST, follow=True).status_code == 200
        client.force_login(writer)
        assert client.get(CHANGELIST).status_code == 403

    def test_no_second_row_and_no_delete(self, admin_client):
        row = SiteSettings.objects.get_or_create(pk=1)[0]

        assert admin_client.get(reverse("admin:core_sitesettings_add")).status_code == 403
        delete = reverse("admin:core_sitesettings_delete", args=[row.pk])
        assert admin_client.get(delete).status_code == 403

    def test_superuser_may_add_when_none_exists(self, admin_client):
        assert admin_client.get(reverse("admin:core_sitesettings_add")).status_code == 200

    def test_edit(self, editor_client):
        row = SiteSettings.objects.get_or_create(pk=1)[0]

        response = editor_client.post(
            reverse("admin:core_sitesettings_change", args=[row.pk]),
            {
                "name": "Press room",
                "mission": "We stand up for human rights.",
                "intro": "News and reports.",
                "press_email": "press@example.org",
                "press_phone": "",
                "inquiry_recipients": "",
                "corrections_policy": "We correct our errors in public.",
            },
        )

        assert response.status_code == 302
        row.refresh_from_db()
        assert (row.name, row.mission) == ("Press room", "We stand up for human rights.")
        assert row.corrections_policy == "We correct our errors in public."

    def test_bad_email_rerenders(self, editor_client):
        row = SiteSettings.objects.get_or_create(pk=1)[0]

        response = editor_client.post(
            reverse("admin:core_sitesettings_change", args=[row.pk]),
            {"name": "Newsroom", "mission": "x", "intro": "y", "press_email": "nope"},
        )

        assert response.status_code == 200
        assert "press_email" in response.context["adminform"].form.errors

    def test_the_admin_is_named_after_the_site(self, editor_client):
        response = editor_client.get(reverse("admin:index"))
        assert response.context["site_header"] == "Newsroom"
        assert "| Newsroom admin</title>" in response.content.decode()

        rename_site("Press room")

        response = editor_client.get(reverse("admin:index"))
        assert response.context["site_header"] == "Press room"
        assert "| Press room admin</title>" in response.content.decode()


class TestOneSiteName:
    """Renamed once in the admin, the site is renamed everywhere a visitor sees it."""

    def test_every_public_page_names_the_site_from_the_settings(self, client):
        article = ArticleFactory()
        rename_site("Press room")

        for url in ["/", "/news/", article.get_absolute_url(), "/press/", "/press/inquiry/"]:
            html = client.get(url).content.decode()
            assert "Newsroom" not in html, url
            assert re.search(r"<title>[^<]*Press room</title>", html), url
            assert "<span>Press room</span>" in html, url  # the header
            assert "Press room. Photos remain" in html, url  # the footer

    def test_not_found_page_names_the_site(self, client):
        rename_site("Press room")
        html = client.get("/no-such-page/").content.decode()
        assert "<title>Page not found | Press room</title>" in html

    def test_share_previews_and_structured_data(self, client):
        article = ArticleFactory()
        rename_site("Press room")

        html = client.get(article.get_absolute_url()).content.decode()

        assert '<meta property="og:site_name" content="Press room">' in html
        match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
        assert json.loads(match.group(1))["publisher"]["name"] == "Press room"

    def test_feeds(self, client):
        ArticleFactory()
        rename_site("Press room")

        rss = parse_xml(client.get("/news/feed/").content)
        assert rss.find("channel").findtext("title") == "Press room"

    def test_the_error_page_names_no_site_it_cannot_read(self):
        assert "Newsroom" not in render_to_string("500.html")


class TestContextProcessor:
    def test_templates_get_the_row_without_the_view_loading_it(self, client):
        row = rename_site("Press room")

        response = client.get("/press/")

        assert response.context["site_settings"].pk == row.pk
        assert response.context["site_settings"].name == "Press room"

    def test_loaded_once_from_the_cache(self, client, django_assert_num_queries):
        SiteSettings.load()
        with django_assert_num_queries(0):
            assert SiteSettings.load().name == "Newsroom"

    def test_a_page_that_does_not_show_it_does_not_read_it(self, rf):
        cache.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(SiteSettings, "load", classmethod(lambda cls: pytest.fail("read")))
            site_settings(rf.get("/"))  # lazy: nothing read until a template uses it


# serialized_rollback: the flush after it then emits no post_migrate, whose roles would
# collide with the groups that a later serialized test restores.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_carries_the_existing_row_over():
    """An existing site keeps its texts: the articles app's old row becomes the new one."""
    before = [("articles", "0005_search"), ("core", "0001_site_settings")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("core", "SiteSettings").objects.all().delete()
    old_apps.get_model("articles", "NewsroomSettings").objects.create(
        pk=1,
        heading="Our newsroom",
        mission="Mission",
        intro="Intro",
        press_email="media@example.org",
        press_phone="+1 212 555 0100",
        inquiry_recipients="desk@example.org",
    )

    # As Django left them on the site: the old model's permission, given to a group.
    content_type = old_apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="articles", model="newsroomsettings"
    )[0]
    permission = old_apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="change_newsroomsettings", name="Can change"
    )[0]
    old_apps.get_model("auth", "Group").objects.create(name="Old").permissions.add(permission)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    assert not Permission.objects.filter(content_type__model="newsroomsettings").exists()
    row = SiteSettings.objects.get()
    assert (row.pk, row.name, row.press_email, row.press_phone, row.inquiry_recipients) == (
        1,
        "Our newsroom",
        "media@example.org",
        "+1 212 555 0100",
        "desk@example.org",
    )
