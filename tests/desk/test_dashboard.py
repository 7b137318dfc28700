"""The admin index made for the day: what awaits review, what goes out next, what went
out last and, for the press office, the inquiries due soon."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import SiteSettings
from desk.models import ArticlePendingChange
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")


def panel(html, heading):
    """The text of the dashboard panel titled ``heading``."""
    start = html.index(f">{heading}</h2>")
    return html[start : html.index("</section>", start)]


def in_review(**kwargs):
    return ArticleFactory(draft=True, review_state="in_review", **kwargs)


class TestEditor:
    def test_awaiting_scheduled_and_recent(self, editor_client):
        in_review(title="Check my figures")
        ArticleFactory(
            title="Goes out Thursday", published_at=datetime(2099, 1, 1, 14, tzinfo=UTC)
        )
        ArticleFactory(title="Out this morning")
        ArticleFactory(title="Just a draft", draft=True)

        html = editor_client.get(INDEX).content.decode()

        assert "Check my figures" in panel(html, "Awaiting your review")
        scheduled = panel(html, "Scheduled next")
        assert "Goes out Thursday" in scheduled
        assert "goes live Thursday, January 1, 2099, 9:00 a.m. EST" in scheduled
        assert "Out this morning" in panel(html, "Recently published")
        assert "Just a draft" not in html
        assert "Press desk" not in html

    def test_scheduled_next_is_soonest_first(self, editor_client):
        now = timezone.now()
        ArticleFactory(title="Later", published_at=now + timedelta(days=3))
        ArticleFactory(title="Sooner", published_at=now + timedelta(hours=3))

        scheduled = panel(editor_client.get(INDEX).content.decode(), "Scheduled next")

        assert scheduled.index("Sooner") < scheduled.index("Later")

    def test_long_lists_link_to_the_filtered_list(self, editor_client):
        for n in range(9):
            in_review(title=f"Waiting {n}")

        awaiting = panel(editor_client.get(INDEX).content.decode(), "Awaiting your review")

        assert awaiting.count("<li>") == 8
        assert f'href="{reverse("admin:articles_article_changelist")}?state=in_review"' in awaiting

    def test_with_two_people_your_own_text_is_not_yours_to_review(self, editor_client, editor):
        settings = SiteSettings.load()
        settings.require_second_person = True
        settings.save()
        in_review(title="Mine", updated_by=editor)
        in_review(title="A writer's")

        awaiting = panel(editor_client.get(INDEX).content.decode(), "Awaiting your review")

        assert "A writer" in awaiting
        assert "Mine" not in awaiting

    def test_changes_pending_on_live_articles_await_review_too(self, editor_client, editor):
        settings = SiteSettings.load()
        settings.require_second_person = True
        settings.save()
        writers = ArticleFactory(title="Live, a writer changed it")
        ArticlePendingChange.objects.create(
            article=writers, snapshot={}, base_version=1, updated_by=UserFactory()
        )
        mine = ArticleFactory(title="Live, I changed it")
        ArticlePendingChange.objects.create(
            article=mine, snapshot={}, base_version=1, updated_by=editor
        )
        sent_back = ArticleFactory(title="Live, sent back")
        ArticlePendingChange.objects.create(
            article=sent_back,
            snapshot={},
            base_version=1,
            updated_by=UserFactory(),
            rejected_at=timezone.now(),
        )

        pending = panel(editor_client.get(INDEX).content.decode(), "Changes to live articles")

        review = reverse("admin:articles_article_pending", args=[writers.pk])
        assert f'href="{review}"' in pending and "Live, a writer changed it" in pending
        assert "Live, I changed it" not in pending  # not theirs to approve
        assert "Live, sent back" not in pending  # waits on its writer, not on an editor

    def test_queries_do_not_grow_with_the_content(self, editor_client):
        def count():
            editor_client.get(INDEX)  # warm the settings cache and the session
            with CaptureQueriesContext(connection) as queries:
                assert editor_client.get(INDEX).status_code == 200
            return len(queries)

        ArticleFactory()
        few = count()
        for _ in range(12):
            in_review()
            ArticlePendingChange.objects.create(
                article=ArticleFactory(), snapshot={}, base_version=1, updated_by=UserFactory()
            )
            ArticleFactory(scheduled=True)
            ArticleFactory()
        assert count() == few
        assert few <= 12


class TestWriter:
    def test_sees_changes_requested_not_the_review_queue(self, writer_client, writer):
        in_review(title="Someone's in review")
        ArticleFactory(
            title="Back to me", draft=True, review_state="changes_requested", created_by=writer
        )

        html = writer_client.get(INDEX).content.decode()

        assert "Awaiting your review" not in html
        assert "Back to me" in panel(html, "Changes requested on your articles")
        assert "Scheduled next" in html


# The press desk panel is tested in tests/press/test_dashboard.py.
