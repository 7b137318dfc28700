from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, Region, SlugRedirect, validate_reference_number
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


class TestLive:
    def test_published_in_the_past_is_live(self):
        article = ArticleFactory()
        assert list(Article.objects.live()) == [article]

    def test_draft_is_not_live(self):
        ArticleFactory(draft=True)
        assert not Article.objects.live().exists()

    def test_scheduled_is_not_live_until_its_time(self):
        article = ArticleFactory(scheduled=True)
        assert not Article.objects.live().exists()
        later = article.published_at + timedelta(seconds=1)
        assert list(Article.objects.live(at=later)) == [article]
        assert article.state == "scheduled"

    def test_draft_with_past_time_stays_hidden(self):
        ArticleFactory(draft=True, published_at=timezone.now() - timedelta(days=30))
        assert not Article.objects.live().exists()

    def test_states(self):
        assert ArticleFactory().state == "live"
        assert ArticleFactory(draft=True).state == "draft"


class TestRegions:
    def test_groupings_and_countries_installed(self):
        assert set(Region.objects.groupings().values_list("slug", flat=True)) == {
            "africa",
            "americas",
            "asia-pacific",
            "europe-central-asia",
            "middle-east-north-africa",
        }
        assert Region.objects.countries().count() == 249
        mexico = Region.objects.get(slug="mx")
        assert mexico.iso_code == "MX"
        assert mexico.parent.slug == "americas"

    def test_grouping_includes_its_countries_once(self):
        in_mexico = ArticleFactory(regions=["mx", "us"])
        in_americas = ArticleFactory(regions=["americas"])
        ArticleFactory(regions=["fr"])
        americas = Region.objects.get(slug="americas")
        found = list(Article.objects.in_region(americas))
        assert sorted(a.pk for a in found) == sorted([in_mexico.pk, in_americas.pk])


class TestReferenceNumber:
    @pytest.mark.parametrize("value", ["AMR 41/6514/2017", "MDE 24/001/2020", "ACT 30/1234/2023"])
    def test_valid(self, value):
        validate_reference_number(value)

    @pytest.mark.parametrize(
        "value",
        ["AMR41/6514/2017", "amr 41/6514/2017", "XYZ 41/6514/2017", "AMR 41/6514/1850", "", "AMR"],
    )
    def test_invalid(self, value):
        with pytest.raises(ValidationError):
            validate_reference_number(value)

    def test_only_reports_carry_one(self):
        article = ArticleFactory.build(kind="statement", reference_number="AMR 41/6514/2017")
        with pytest.raises(ValidationError):
            article.full_clean(exclude=["slug"])


class TestSlugRedirects:
    def test_renaming_a_live_article_keeps_the_old_url(self, client):
        article = ArticleFactory(slug="old-name")
        article = Article.objects.get(pk=article.pk)
        article.slug = "new-name"
        article.save()
        assert SlugRedirect.objects.get(old_slug="old-name").article == article
        response = client.get("/news/old-name/")
        assert response.status_code == 301
        assert response["Location"] == "/news/new-name/"

    def test_renaming_a_draft_leaves_no_redirect(self):
        article = Article.objects.get(pk=ArticleFactory(draft=True, slug="draft-name").pk)
        article.slug = "other-name"
        article.save()
        assert not SlugRedirect.objects.exists()

    def test_renaming_back_removes_the_loop(self):
        article = Article.objects.get(pk=ArticleFactory(slug="a").pk)
        article.slug = "b"
        article.save()
        article.slug = "a"
        article.save()
        assert list(SlugRedirect.objects.values_list("old_slug", flat=True)) == ["b"]


class TestVisibility:
    def test_draft_and_scheduled_are_404_for_visitors(self, client):
        draft = ArticleFactory(draft=True)
        scheduled = ArticleFactory(scheduled=True)
        live = ArticleFactory()
        assert client.get(draft.get_absolute_url()).status_code == 404
        assert client.get(scheduled.get_absolute_url()).status_code == 404
        assert client.get(live.get_absolute_url()).status_code == 200
