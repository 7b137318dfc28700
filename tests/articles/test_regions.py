"""The one region API and the stored groupings that make a grouping filter one lookup."""

import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, ArticleGrouping, Region
from articles.regions import region_choices, sync_groupings
from articles.related import related_articles
from desk.services import article_duplicate
from interchange import FORMAT, import_articles
from press.forms import MediaInquiryForm
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def groupings(article):
    return set(
        ArticleGrouping.objects.filter(article=article).values_list("grouping__slug", flat=True)
    )


def slugs(queryset):
    return sorted(queryset.values_list("slug", flat=True))


class TestNamedAndExpand:
    def test_slugs_and_iso_codes_in_any_case(self):
        assert slugs(Region.objects.named(["MX", "fr", " americas ", "Us"])) == [
            "americas",
            "fr",
            "mx",
            "us",
        ]

    def test_bad_values_name_nothing(self):
        assert slugs(Region.objects.named(["atlantis", "", "  ", None, 3])) == []

    def test_a_grouping_includes_its_countries(self):
        expanded = Region.objects.expand(["americas"])
        assert expanded.count() == Region.objects.filter(parent__slug="americas").count() + 1
        assert expanded.filter(slug="mx").exists()
        assert not expanded.filter(slug="fr").exists()

    def test_a_country_is_itself(self):
        assert slugs(Region.objects.expand(["mx", "FR"])) == ["fr", "mx"]


class TestChoices:
    def test_countries_under_their_five_groupings(self):
        choices = region_choices()
        assert [label for label, _ in choices] == sorted(
            Region.objects.groupings().values_list("name", flat=True)
        )
        assert len(choices) == 5
        americas = dict(choices)[Region.objects.get(slug="americas").name]
        assert americas[0] == ("americas", "All of Americas")
        assert ("mx", "Mexico") in americas
        offered = {slug for _, options in choices for slug, _ in options}
        assert offered == set(Region.objects.values_list("slug", flat=True))

    def test_every_form_offers_the_same_regions(self, client, editor_client):
        inquiry = MediaInquiryForm().fields["region"].choices
        assert inquiry[0] == ("", "Not specific to a region")
        assert inquiry[1:] == region_choices()
        admin = editor_client.get(CHANGELIST).content.decode()
        assert '<option value="americas">All of Americas</option>' in admin
        # The public filter offers the same groups, narrowed to regions with live
        # articles and with their counts.
        ArticleFactory(regions=["mx"])
        public = client.get("/news/").content.decode()
        assert '<optgroup label="Americas">' in public
        assert '<option value="americas">All of Americas (1)</option>' in public
        assert '<option value="mx">Mexico (1)</option>' in public


class TestStoredGroupings:
    def test_a_country_stores_its_grouping_and_a_grouping_itself(self):
        article = ArticleFactory(regions=["mx", "us", "fr", "asia-pacific"])
        assert groupings(article) == {"americas", "europe-central-asia", "asia-pacific"}
        assert ArticleGrouping.objects.filter(article=article).count() == 3

    def test_sync_removes_what_no_longer_applies_and_is_idempotent(self):
        article = ArticleFactory(regions=["mx"])
        article.regions.set(Region.objects.filter(slug="fr"))
        sync_groupings([article.pk])
        sync_groupings([article.pk])
        assert groupings(article) == {"europe-central-asia"}
        article.regions.clear()
        sync_groupings([article.pk])
        assert groupings(article) == set()

    def test_the_grouping_filter_reads_the_stored_groupings(self, client):
        """Proves the public filter is the indexed lookup: without the stored row the
        article is not found under its grouping (but still under its country)."""
        article = ArticleFactory(regions=["mx"])
        ArticleGrouping.objects.filter(article=article).delete()
        assert list(client.get("/news/?region=americas").context["page_obj"].object_list) == []
        listed = client.get("/news/?region=mx").context["page_obj"].object_list
        assert [a.pk for a in listed] == [article.pk]

    def test_admin_form_keeps_them(self, editor_client):
        article = ArticleFactory(regions=["mx"], draft=True)
        change = reverse("admin:articles_article_change", args=[article.pk])
        form = editor_client.get(change).context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if value is not None and name not in ("regions", "topics", "related")
        }
        data.update(
            {
                "regions": [Region.objects.get(slug="fr").pk],
                "new_topics": "Asylum",
                "published_at_0": article.published_at.strftime("%Y-%m-%d"),
                "published_at_1": article.published_at.strftime("%H:%M:%S"),
                "base_version": form.base_version_value,
                "_save": "Save",
            }
        )
        data.pop("published_at", None)
        data.pop("substantively_updated_at", None)
        response = editor_client.post(change, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert groupings(article) == {"europe-central-asia"}

    def test_duplicating_keeps_them(self, editor):
        article = ArticleFactory(regions=["ng"])
        copy = article_duplicate(article=article, user=editor)
        assert groupings(copy) == {"africa"}

    def test_import_keeps_them(self, tmp_path):
        def bundle(regions):
            record = {
                "slug": "walls",
                "kind": "statement",
                "title": "Walls do not stop people",
                "summary": "Walls will not deter people from seeking safety.",
                "published_at": "2017-06-16",
                "regions": regions,
            }
            path = tmp_path / "articles.json"
            path.write_text(json.dumps({"format": FORMAT, "articles": [record]}))
            return path

        import_articles(path=bundle(["MX", "americas"]))
        article = Article.objects.get(slug="walls")
        assert groupings(article) == {"americas"}
        import_articles(path=bundle(["ng"]))
        assert groupings(article) == {"africa"}

    def test_a_country_moved_in_the_admin_moves_its_articles(self, admin_client):
        article = ArticleFactory(regions=["mx"])
        mexico = Region.objects.get(slug="mx")
        europe = Region.objects.get(slug="europe-central-asia")
        response = admin_client.post(
            reverse("admin:articles_region_change", args=[mexico.pk]),
            {
                "name": mexico.name,
                "slug": mexico.slug,
                "iso_code": mexico.iso_code,
                "report_code": "",
                "parent": europe.pk,
                "_save": "Save",
            },
        )
        assert response.status_code == 302
        assert groupings(article) == {"europe-central-asia"}

    def test_a_country_deleted_in_the_admin_leaves_no_grouping(self, admin_client):
        article = ArticleFactory(regions=["mx"])
        mexico = Region.objects.get(slug="mx")
        response = admin_client.post(
            reverse("admin:articles_region_delete", args=[mexico.pk]), {"post": "yes"}
        )
        assert response.status_code == 302
        assert groupings(article) == set()

    def test_the_data_migration_fills_them(self):
        article = ArticleFactory(regions=["mx", "us", "africa"])
        ArticleGrouping.objects.all().delete()
        migration = importlib.import_module("articles.migrations.0008_region_groupings")
        migration.fill_groupings(apps, None)
        assert groupings(article) == {"americas", "africa"}


class TestRelated:
    def test_an_article_on_a_grouping_is_related_to_its_countries(self):
        article = ArticleFactory(regions=["americas"])
        in_mexico = ArticleFactory(regions=["mx"])
        ArticleFactory(regions=["fr"])
        assert related_articles(article=article) == [in_mexico]

    def test_an_article_on_a_country_is_not_related_to_the_whole_grouping(self):
        article = ArticleFactory(regions=["mx"])
        ArticleFactory(regions=["us"])
        same = ArticleFactory(regions=["mx"])
        assert related_articles(article=article) == [same]


def test_the_command_repairs_groupings_changed_outside_the_write_paths():
    article = ArticleFactory(regions=["mx"])
    other = ArticleFactory(regions=["ng"])
    article.regions.add(Region.objects.get(slug="fr"))  # a shell edit: no sync
    ArticleGrouping.objects.filter(article=other).delete()
    out = io.StringIO()

    call_command("sync_groupings", stdout=out)

    assert groupings(article) == {"americas", "europe-central-asia"}
    assert groupings(other) == {"africa"}
    assert "2 articles" in out.getvalue()
