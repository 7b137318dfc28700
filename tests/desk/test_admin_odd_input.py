"""Odd input to the article admin: a clear message or a 4xx, never a 500, and never a
save that overwrites someone else's work.

``²`` is a digit to ``str.isdigit`` but not to ``int``; 5,000 digits are past what
Python reads as a number; 25 digits are past what a database column holds.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles.models import Article
from tests.desk.test_revisions import (
    ArticleFactory,
    change_url,
    compare_url,
    form_data,
    logged_in,
    opened,
    revisions_url,
)

pytestmark = pytest.mark.django_db

ODD_NUMBERS = ["²", "\u0661", "9" * 5000, "9" * 25, "-1", "1.0", " ", "0x1"]
CHANGELIST = reverse("admin:articles_article_changelist")


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestVersionMarker:
    @pytest.mark.parametrize("marker", ODD_NUMBERS)
    def test_an_odd_marker_is_refused_and_keeps_what_was_typed(self, editor_client, marker):
        article = ArticleFactory(title="Original")
        data = opened(editor_client, article) | {
            "title": "My new title",
            "base_version": marker,
        }
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert "Nothing was saved" in str(form.non_field_errors())
        assert "My new title" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Original"

    def test_a_post_without_a_marker_does_not_overwrite_another_writers_change(
        self, editor, writer
    ):
        article = ArticleFactory(title="Original", summary="Original summary.")
        ana, ben = logged_in(editor), logged_in(writer)
        ana.post(change_url(article), opened(ana, article) | {"title": "Ana's title"})
        # Ben's page (an old tab, a script) carries no version marker.
        data = form_data(article, summary="Ben's summary.")
        data.pop("base_version", None)

        response = ben.post(change_url(article), data)

        assert response.status_code == 200
        form = response.context["adminform"].form
        errors = str(form.non_field_errors())
        assert "did not say which version" in errors and "Nothing was saved" in errors
        html = response.content.decode()
        assert "Ben&#x27;s summary." in html
        article.refresh_from_db()
        assert (article.title, article.summary) == ("Ana's title", "Original summary.")
        # The form now carries the version Ben has been shown: saving again is deliberate.
        assert form.base_version_value == 2
        again = ben.post(change_url(article), data | {"base_version": form.base_version_value})
        assert again.status_code == 302
        article.refresh_from_db()
        assert article.summary == "Ben's summary."

    @pytest.mark.parametrize("marker", ["²", "9" * 5000, "abc"])
    def test_an_odd_restored_from_marker_is_ignored(self, editor_client, marker):
        article = ArticleFactory(title="First")
        data = opened(editor_client, article) | {"title": "Second", "restored_from": marker}
        assert editor_client.post(change_url(article), data).status_code == 302
        latest = article.revisions.order_by("-version").first()
        assert latest.snapshot["title"] == "Second"
        assert not latest.message.startswith("Restored")


class TestOddVersionsInLinks:
    @pytest.mark.parametrize("value", ODD_NUMBERS)
    @pytest.mark.parametrize("side", ["a", "b"])
    def test_compare_goes_back_to_the_list_with_a_message(self, editor_client, value, side):
        article = ArticleFactory()
        query = {"a": "1", "b": "1"} | {side: value}
        response = editor_client.get(compare_url(article, query["a"], query["b"]))
        assert response.status_code == 302
        assert response["Location"] == revisions_url(article)
        assert message_texts(response) == ["Choose two versions to compare."]

    @pytest.mark.parametrize("value", ODD_NUMBERS)
    def test_restore_says_there_is_no_such_version(self, editor_client, value):
        article = ArticleFactory(title="Current")
        response = editor_client.get(f"{change_url(article)}?restore={value}")
        assert response.status_code == 200
        assert response.context["adminform"].form.initial["title"] == "Current"
        [text] = message_texts(response)
        assert text.startswith("There is no version")
        assert len(text) < 200

    def test_revisions_page_takes_any_page_number(self, editor_client):
        article = ArticleFactory()
        for value in ODD_NUMBERS:
            assert editor_client.get(f"{revisions_url(article)}?page={value}").status_code == 200


class TestChangelist:
    @pytest.mark.parametrize("selected", ["", "²", "9" * 5000, "9" * 25, "abc"])
    @pytest.mark.parametrize(
        "action", ["submit_for_review", "publish_now", "unpublish", "duplicate"]
    )
    def test_an_action_on_a_selection_it_cannot_read_changes_nothing(
        self, editor_client, action, selected
    ):
        article = ArticleFactory(status=Article.Status.DRAFT)
        response = editor_client.post(
            CHANGELIST, {"action": action, "index": "0", "_selected_action": selected}
        )
        assert response.status_code == 302
        assert any("No items have been changed" in text for text in message_texts(response))
        assert Article.objects.get() == article
        assert Article.objects.get().status == Article.Status.DRAFT

    @pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 25, "-1", "0", "99999"])
    @pytest.mark.parametrize("part", ["year", "month", "day"])
    def test_an_odd_date_drill_down_is_answered_like_a_bad_filter(
        self, editor_client, part, value
    ):
        ArticleFactory()
        response = editor_client.get(f"{CHANGELIST}?published_at__{part}={value}")
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")


class TestChoicesByKey:
    @pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 25, "abc"])
    @pytest.mark.parametrize(
        "field", ["topics", "regions", "related", "attachments", "spokespeople", "hero_photo"]
    )
    def test_an_odd_key_is_a_field_error(self, editor_client, field, value):
        article = ArticleFactory(title="Original")
        data = opened(editor_client, article) | {"title": "Mine", field: [value]}
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert field in response.context["adminform"].form.errors
        assert "Mine" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Original"
