from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Article, Region
from desk.services import article_duplicate, article_publish, article_unpublish
from tests.factories import (
    ArticleFactory,
    DocumentFactory,
    PhotoFactory,
    SpokespersonFactory,
)

pytestmark = pytest.mark.django_db


def entries_for(article):
    return LogEntry.objects.filter(object_id=str(article.pk)).order_by("action_time", "pk")


class TestPublish:
    def test_draft_with_future_time_goes_live_now(self, editor):
        article = ArticleFactory(draft=True, published_at=timezone.now() + timedelta(days=3))
        before = timezone.now()

        article_publish(article=article, user=editor)

        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert before <= article.published_at <= timezone.now()
        assert article.is_live
        assert article.transitions.get().user == editor

    def test_a_week_old_draft_goes_out_dated_now_not_backdated(self, editor):
        article = ArticleFactory(draft=True, published_at=timezone.now() - timedelta(days=7))
        before = timezone.now()

        article_publish(article=article, user=editor)

        article.refresh_from_db()
        assert before <= article.published_at <= timezone.now()
        assert article.state == "live"

    def test_at_schedules(self, editor):
        at = timezone.now() + timedelta(days=2)
        article = ArticleFactory(draft=True)

        article_publish(article=article, user=editor, at=at)

        article.refresh_from_db()
        assert article.published_at == at
        assert article.state == "scheduled"
        assert "Scheduled" in entries_for(article).get().change_message

    def test_records_who_published_in_the_admin_history(self, editor):
        article = ArticleFactory(draft=True)

        article_publish(article=article, user=editor)

        entry = entries_for(article).get()
        assert entry.user == editor
        assert entry.action_flag == CHANGE
        assert entry.get_change_message().startswith("Published: publication time")

    def test_writer_is_refused_and_nothing_changes(self, writer):
        article = ArticleFactory(draft=True)

        with pytest.raises(PermissionDenied):
            article_publish(article=article, user=writer)

        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        assert not LogEntry.objects.exists()

    def test_press_office_is_refused(self, press_officer):
        with pytest.raises(PermissionDenied):
            article_publish(article=ArticleFactory(draft=True), user=press_officer)


class TestUnpublish:
    def test_withdrawn_keeping_the_time(self, editor):
        article = ArticleFactory()
        published_at = article.published_at

        article_unpublish(article=article, user=editor)

        article.refresh_from_db()
        assert article.status == Article.Status.UNPUBLISHED
        assert article.state == "unpublished"
        assert article.published_at == published_at
        assert not Article.objects.live().exists()
        entry = entries_for(article).get()
        assert (entry.user, entry.change_message) == (editor, "Unpublished (was live).")

    def test_writer_is_refused(self, writer):
        article = ArticleFactory()

        with pytest.raises(PermissionDenied):
            article_unpublish(article=article, user=writer)

        article.refresh_from_db()
        assert article.is_live

    def test_republish_after_unpublish_keeps_the_original_date(self, editor):
        article = ArticleFactory(published_at=timezone.now() - timedelta(days=10))
        original = article.published_at

        article_unpublish(article=article, user=editor)
        article_publish(article=article, user=editor)

        article.refresh_from_db()
        assert article.published_at == original
        assert [e.change_message.split(":")[0] for e in entries_for(article)] == [
            "Unpublished (was live).",
            "Published",
        ]


class TestDuplicate:
    def test_copies_content_and_relations_as_a_draft(self, writer):
        other = ArticleFactory()
        photo = PhotoFactory()
        document = DocumentFactory()
        spokesperson = SpokespersonFactory()
        article = ArticleFactory(
            kind=Article.Kind.REPORT,
            reference_number="AMR 41/6514/2017",
            hero_photo=photo,
            hero_caption="A caption for this article",
            regions=["americas", "mx"],
            topics=["Refugees and migrants", "Asylum"],
        )
        article.attachments.add(document)
        article.related.add(other)
        article.spokespeople.add(spokesperson)

        copy = article_duplicate(article=article, user=writer)

        copy.refresh_from_db()
        assert copy.pk != article.pk
        assert copy.title == f"Copy of {article.title}"
        assert copy.slug == f"copy-of-{article.slug}"
        assert copy.status == Article.Status.DRAFT
        assert (copy.kind, copy.summary, copy.body) == (
            article.kind,
            article.summary,
            article.body,
        )
        assert copy.reference_number == ""
        assert copy.hero_photo == photo
        assert copy.hero_caption == "A caption for this article"
        assert set(copy.regions.all()) == set(Region.objects.filter(slug__in=["americas", "mx"]))
        assert set(copy.topics.names()) == {"Refugees and migrants", "Asylum"}
        assert list(copy.attachments.all()) == [document]
        assert list(copy.related.all()) == [other]
        assert list(copy.spokespeople.all()) == [spokesperson]
        assert (copy.created_by, copy.updated_by) == (writer, writer)
        entry = LogEntry.objects.get(object_id=str(copy.pk))
        assert entry.action_flag == ADDITION
        assert entry.user == writer
        # The original is untouched.
        article.refresh_from_db()
        assert article.is_live

    def test_slugs_stay_unique_when_copied_again(self, editor):
        article = ArticleFactory(slug="facing-walls")

        first = article_duplicate(article=article, user=editor)
        second = article_duplicate(article=article, user=editor)
        third = article_duplicate(article=article, user=editor)

        assert [first.slug, second.slug, third.slug] == [
            "copy-of-facing-walls",
            "copy-of-facing-walls-2",
            "copy-of-facing-walls-3",
        ]

    def test_long_title_and_slug_are_cut_to_fit(self, editor):
        article = ArticleFactory(title="T" * 255, slug="s" * 255)

        first = article_duplicate(article=article, user=editor)
        second = article_duplicate(article=article, user=editor)

        assert len(first.title) == 255
        assert first.title.startswith("Copy of T")
        assert len(first.slug) <= 255
        assert len(second.slug) <= 255
        assert first.slug != second.slug

    def test_press_office_cannot_duplicate(self, press_officer):
        article = ArticleFactory()

        with pytest.raises(PermissionDenied):
            article_duplicate(article=article, user=press_officer)

        assert Article.objects.count() == 1
