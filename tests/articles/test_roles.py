"""Who may do what with articles, route by route.

Writers draft and correct but can never change what is public or when; editors publish,
unpublish and delete; the press office reads. Every refusal is checked on the server by
posting what the page would not have offered.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.desk.test_admin import opened_version
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def delete_url(article):
    return reverse("admin:articles_article_delete", args=[article.pk])


def form_data(article=None, **overrides):
    """The change form's fields as they stand for ``article`` (or a new draft)."""
    published_at = timezone.localtime(
        article.published_at if article else timezone.now() - timedelta(days=1)
    )
    data = {
        "kind": article.kind if article else Article.Kind.PRESS_RELEASE,
        "title": article.title if article else "A new draft",
        "slug": article.slug if article else "a-new-draft",
        "summary": article.summary if article else "What happened.",
        "body": article.body if article else "<p>What happened.</p>",
        "status": article.status if article else Article.Status.DRAFT,
        "published_at_0": published_at.strftime("%Y-%m-%d"),
        "published_at_1": published_at.strftime("%H:%M:%S"),
        "substantively_updated_at_0": "",
        "substantively_updated_at_1": "",
        "topics": "",
        "hero_caption": "",
        "reference_number": "",
        "_save": "Save",
    }
    if article is not None:
        data["base_version"] = opened_version(article)
    data.update(overrides)
    return data


def act(client, action, *articles, on_change_form=False):
    pks = [a.pk for a in articles]
    if on_change_form:
        return client.post(
            change_url(articles[0]), {"CHANGE_FORM-action": action, "_selected_action": pks}
        )
    return client.post(CHANGELIST, {"action": action, "_selected_action": pks}, follow=True)


def errors(response):
    return response.context["adminform"].form.errors


@pytest.fixture
def press_client(client, press_officer):
    client.force_login(press_officer)
    return client


class TestWriter:
    def test_sees_the_list_and_the_add_form_offering_review_only(self, writer_client):
        assert writer_client.get(CHANGELIST).status_code == 200
        response = writer_client.get(ADD)
        assert response.status_code == 200
        assert "status" not in response.context["adminform"].form.fields
        html = response.content.decode()
        assert 'name="_workflow" value="submit"' in html and "Submit for review</button>" in html
        assert 'value="publish"' not in html

    def test_creates_a_draft(self, writer_client, writer):
        response = writer_client.post(ADD, form_data())

        assert response.status_code == 302
        article = Article.objects.get()
        assert article.status == Article.Status.DRAFT
        assert article.created_by == writer

    def test_crafted_add_with_status_published_is_rejected(self, writer_client):
        response = writer_client.post(ADD, form_data(status="published"))

        assert response.status_code == 200
        assert "change only through the buttons" in errors(response)["__all__"][0]
        assert not Article.objects.exists()

    def test_edits_a_draft(self, writer_client, writer):
        article = ArticleFactory(draft=True)

        response = writer_client.post(change_url(article), form_data(article, title="Better"))

        assert response.status_code == 302
        article.refresh_from_db()
        assert (article.title, article.status, article.updated_by) == (
            "Better",
            "draft",
            writer,
        )

    def test_a_time_posted_for_a_draft_is_not_a_schedule(self, writer_client):
        article = ArticleFactory(draft=True)
        published_at = article.published_at

        response = writer_client.post(
            change_url(article),
            form_data(article, published_at_0="2099-01-01", published_at_1="09:00"),
        )

        # A draft's time is set when it is published; the form leaves it alone.
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.published_at == published_at
        assert article.state == "draft"

    def test_crafted_change_with_status_published_is_rejected(self, writer_client):
        article = ArticleFactory(draft=True)

        response = writer_client.post(
            change_url(article), form_data(article, status="published", title="Sneaky")
        )

        assert response.status_code == 200
        assert "__all__" in errors(response)
        article.refresh_from_db()
        assert (article.status, article.title) != ("published", "Sneaky")
        assert article.status == Article.Status.DRAFT

    # Policy: a writer may correct the text of a live (or scheduled) article, because
    # corrections are urgent and often spotted by the writer, but may not change whether
    # or when it is public. Each correction is in the history with who made it.
    @pytest.mark.parametrize("state", ["live", "scheduled"])
    def test_corrects_the_text_of_a_published_article(self, writer_client, writer, state):
        article = ArticleFactory(scheduled=state == "scheduled", title="Typo in titel")
        published_at = article.published_at

        page = writer_client.get(change_url(article))
        form = page.context["adminform"].form
        assert "status" not in form.fields
        assert "published_at" not in form.fields
        response = writer_client.post(
            change_url(article), form_data(article, title="Typo in title", change_kind="silent")
        )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "Typo in title"
        assert article.state == state
        assert article.published_at == published_at
        assert article.updated_by == writer

    def test_cannot_unpublish_through_the_form(self, writer_client):
        article = ArticleFactory()

        response = writer_client.post(change_url(article), form_data(article, status="draft"))

        assert response.status_code == 200
        assert "__all__" in errors(response)
        article.refresh_from_db()
        assert article.is_live

    @pytest.mark.parametrize("state", ["live", "scheduled"])
    def test_cannot_move_the_publication_time_of_a_published_article(self, writer_client, state):
        article = ArticleFactory(scheduled=state == "scheduled")
        published_at = article.published_at

        writer_client.post(
            change_url(article),
            form_data(
                article,
                published_at_0="2099-12-31",
                published_at_1="23:00",
                title="Moved?",
            ),
        )

        article.refresh_from_db()
        assert article.published_at == published_at
        assert article.state == state

    def test_publish_and_unpublish_are_not_offered(self, writer_client):
        article = ArticleFactory(draft=True)

        listing = writer_client.get(CHANGELIST)
        choices = dict(listing.context["action_form"].fields["action"].choices)
        assert "publish_now" not in choices
        assert "unpublish" not in choices
        assert "delete_selected" not in choices
        assert "duplicate" in choices
        page = writer_client.get(change_url(article)).content.decode()
        assert 'value="publish"' not in page
        assert 'value="unpublish"' not in page

    @pytest.mark.parametrize("on_change_form", [False, True])
    def test_forced_publish_action_is_refused(self, writer_client, on_change_form):
        article = ArticleFactory(draft=True)

        act(writer_client, "publish_now", article, on_change_form=on_change_form)

        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT
        assert not LogEntry.objects.exists()

    @pytest.mark.parametrize("on_change_form", [False, True])
    def test_forced_unpublish_action_is_refused(self, writer_client, on_change_form):
        article = ArticleFactory()

        act(writer_client, "unpublish", article, on_change_form=on_change_form)

        article.refresh_from_db()
        assert article.is_live

    def test_forced_action_says_nothing_happened(self, writer_client):
        article = ArticleFactory(draft=True)

        response = act(writer_client, "publish_now", article)

        assert response.status_code == 200
        assert "No action selected." in response.content.decode()

    def test_duplicates(self, writer_client):
        article = ArticleFactory()

        act(writer_client, "duplicate", article)

        assert Article.objects.drafts().get().title == f"Copy of {article.title}"

    def test_cannot_delete(self, writer_client):
        article = ArticleFactory(draft=True)

        assert writer_client.get(delete_url(article)).status_code == 403
        assert writer_client.post(delete_url(article), {"post": "yes"}).status_code == 403
        act(writer_client, "delete_selected", article)
        writer_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
        )
        assert Article.objects.filter(pk=article.pk).exists()
        assert "deletelink" not in writer_client.get(change_url(article)).content.decode()

    def test_may_preview(self, writer_client):
        article = ArticleFactory(draft=True)
        url = reverse("admin:articles_article_preview", args=[article.pk])
        assert writer_client.get(url).status_code == 200


class TestEditor:
    def test_add_form_offers_the_publishing_buttons(self, editor_client):
        response = editor_client.get(ADD)
        assert "status" not in response.context["adminform"].form.fields
        html = response.content.decode()
        for action in ("submit", "publish", "schedule"):
            assert f'name="_workflow" value="{action}"' in html

    def test_publishes_with_the_button_not_the_status_field(self, editor_client):
        article = ArticleFactory(draft=True)

        refused = editor_client.post(change_url(article), form_data(article, status="published"))
        article.refresh_from_db()
        assert (refused.status_code, article.state) == (200, "draft")

        response = editor_client.post(change_url(article), form_data(article, _workflow="publish"))
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.is_live

    def test_reschedules_a_scheduled_article(self, editor_client):
        article = ArticleFactory(scheduled=True)

        editor_client.post(
            change_url(article),
            form_data(article, _workflow="schedule", _workflow_at="2099-01-01T09:00"),
        )

        article.refresh_from_db()
        assert (article.state, article.published_at.year) == ("scheduled", 2099)

    def test_unpublishes_with_the_button(self, editor_client):
        article = ArticleFactory()

        editor_client.post(change_url(article), form_data(article, _workflow="unpublish"))

        article.refresh_from_db()
        assert article.status == Article.Status.UNPUBLISHED

    def test_actions(self, editor_client, editor):
        article = ArticleFactory(draft=True)

        act(editor_client, "publish_now", article)
        article.refresh_from_db()
        assert article.is_live
        act(editor_client, "unpublish", article)
        article.refresh_from_db()
        assert article.status == Article.Status.UNPUBLISHED
        assert LogEntry.objects.filter(user=editor, object_id=str(article.pk)).count() == 2

    def test_deletes(self, editor_client):
        article = ArticleFactory()

        assert editor_client.get(delete_url(article)).status_code == 200
        response = editor_client.post(delete_url(article), {"post": "yes"})

        assert response.status_code == 302
        assert not Article.objects.exists()

    def test_deletes_a_selection(self, editor_client):
        articles = ArticleFactory.create_batch(2)

        editor_client.post(
            CHANGELIST,
            {
                "action": "delete_selected",
                "_selected_action": [a.pk for a in articles],
                "post": "yes",
            },
        )

        assert not Article.objects.exists()


class TestPressOffice:
    def test_sees_articles_read_only(self, press_client):
        article = ArticleFactory()

        assert press_client.get(CHANGELIST).status_code == 200
        page = press_client.get(change_url(article))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'name="_save"' not in html
        assert "deletelink" not in html
        assert 'name="title"' not in html
        assert 'name="status"' not in html
        assert 'name="topics"' not in html
        assert article.title in html

    def test_cannot_add(self, press_client):
        assert press_client.get(ADD).status_code == 403
        assert press_client.post(ADD, form_data()).status_code == 403
        assert not Article.objects.exists()

    def test_crafted_change_is_refused(self, press_client):
        article = ArticleFactory(draft=True)

        response = press_client.post(
            change_url(article), form_data(article, status="published", title="Changed")
        )

        assert response.status_code == 403
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT

    def test_no_actions_offered(self, press_client):
        ArticleFactory()
        response = press_client.get(CHANGELIST)
        assert response.context["action_form"] is None

    @pytest.mark.parametrize("action", ["publish_now", "unpublish", "duplicate"])
    def test_forced_actions_are_refused(self, press_client, action):
        draft, live = ArticleFactory(draft=True), ArticleFactory()

        act(press_client, action, draft, live)

        assert Article.objects.count() == 2
        draft.refresh_from_db()
        live.refresh_from_db()
        assert (draft.state, live.state) == ("draft", "live")
        assert not LogEntry.objects.exists()

    def test_cannot_delete(self, press_client):
        article = ArticleFactory()

        assert press_client.post(delete_url(article), {"post": "yes"}).status_code == 403
        assert Article.objects.exists()

    def test_may_preview(self, press_client):
        article = ArticleFactory(draft=True)
        url = reverse("admin:articles_article_preview", args=[article.pk])
        assert press_client.get(url).status_code == 200
