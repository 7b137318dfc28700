"""The article admin for daily use: topics chosen from the existing ones, the Tags admin
only for those who edit topics, the slug's real address, spellcheck, and change-form
actions that fit the article."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains
from taggit.models import Tag

from articles.models import BODY_EDITOR_EXTENSIONS, Article
from desk import workflow
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:articles_article_add")
AUTOCOMPLETE = reverse("admin:autocomplete")
TAGS = reverse("admin:taggit_tag_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def new_article(**overrides):
    now = timezone.localtime()
    data = {
        "kind": Article.Kind.PRESS_RELEASE,
        "title": "Release the detained journalists",
        "slug": "release-the-detained-journalists",
        "summary": "Three journalists were detained on Monday.",
        "body": "<p>Three journalists were detained.</p>",
        "status": Article.Status.DRAFT,
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        "hero_caption": "",
        "reference_number": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def topic_search(client, term):
    return client.get(
        AUTOCOMPLETE,
        {"term": term, "app_label": "articles", "model_name": "article", "field_name": "topics"},
    )


class TestTopics:
    def test_writers_find_existing_topics_by_autocomplete(self, writer_client):
        Tag.objects.create(name="Refugees and migrants", slug="refugees-and-migrants")
        Tag.objects.create(name="Torture", slug="torture")

        response = topic_search(writer_client, "refug")

        assert response.status_code == 200
        assert [r["text"] for r in json.loads(response.content)["results"]] == [
            "Refugees and migrants"
        ]

    def test_the_form_offers_an_autocomplete(self, writer_client):
        response = writer_client.get(ADD)
        assertContains(response, 'data-field-name="topics"')
        assertNotContains(response, 'name="new_topics"')

    def test_writers_pick_existing_topics(self, writer_client):
        asylum = Tag.objects.create(name="Asylum", slug="asylum")

        response = writer_client.post(ADD, new_article(topics=[asylum.pk]))

        assert response.status_code == 302
        assert list(Article.objects.get().topics.all()) == [asylum]

    def test_writers_cannot_create_topics_even_by_a_crafted_post(self, writer_client):
        response = writer_client.post(ADD, new_article(new_topics="Asylym"))

        assert response.status_code == 302
        assert not Tag.objects.exists()
        assert list(Article.objects.get().topics.all()) == []

    def test_an_unknown_topic_id_is_refused(self, writer_client):
        response = writer_client.post(ADD, new_article(topics=["999", "not-a-number"]))

        assert response.status_code == 200
        assert "topics" in response.context["adminform"].form.errors
        assert not Article.objects.exists()

    def test_editors_create_topics_matching_existing_ones_whatever_their_case(self, editor_client):
        asylum = Tag.objects.create(name="Asylum", slug="asylum")

        response = editor_client.get(ADD)
        assertContains(response, 'name="new_topics"')
        response = editor_client.post(
            ADD, new_article(topics=[asylum.pk], new_topics="asylum, Freedom of expression")
        )

        assert response.status_code == 302
        assert sorted(Article.objects.get().topics.names()) == ["Asylum", "Freedom of expression"]
        assert Tag.objects.count() == 2

    def test_a_topic_name_too_long_is_refused(self, editor_client):
        limit = Tag._meta.get_field("name").max_length

        response = editor_client.post(ADD, new_article(new_topics="x" * (limit + 1)))

        assert response.status_code == 200
        assert "new_topics" in response.context["adminform"].form.errors

    def test_the_form_shows_the_chosen_topics(self, editor_client):
        article = ArticleFactory(topics=["Asylum"])
        assertContains(editor_client.get(change_url(article)), ">Asylum</option>")


class TestTagsAdmin:
    def test_hidden_from_writers(self, writer_client):
        index = writer_client.get(reverse("admin:index"))
        assertNotContains(index, TAGS)
        assert writer_client.get(TAGS).status_code == 403
        tag = Tag.objects.create(name="Asylum", slug="asylum")
        assert writer_client.get(
            reverse("admin:taggit_tag_change", args=[tag.pk])
        ).status_code == (403)
        assert writer_client.get(reverse("admin:taggit_tag_add")).status_code == 403

    def test_editors_edit_topics(self, editor_client):
        assertContains(editor_client.get(reverse("admin:index")), TAGS)
        tag = Tag.objects.create(name="Asylym", slug="asylym")

        response = editor_client.post(
            reverse("admin:taggit_tag_change", args=[tag.pk]), {"name": "Asylum", "slug": "asylum"}
        )

        assert response.status_code == 302
        tag.refresh_from_db()
        assert tag.name == "Asylum"


class TestFormDetails:
    def test_slug_help_text_shows_the_real_address(self, editor_client):
        article = ArticleFactory(slug="facing-walls")

        assertContains(
            editor_client.get(change_url(article)),
            "The article's address: <code>/news/facing-walls/</code>.",
        )
        assertContains(editor_client.get(ADD), "<code>/news/<var>slug</var>/</code>")

    def test_spellcheck_stays_on_in_the_body_editor(self, editor_client):
        assert BODY_EDITOR_EXTENSIONS["NoSpellCheck"] is False
        html = editor_client.get(ADD).content.decode()
        assert "NoSpellCheck" not in html

    def test_substantive_update_time_is_shown_not_typed(self, editor_client):
        article = ArticleFactory()
        response = editor_client.get(change_url(article))
        assert "substantively_updated_at" not in response.context["adminform"].form.fields


class TestActions:
    def action_names(self, client, url):
        response = client.get(url)
        form = response.context.get("action_form")
        if form is None:
            return []
        return [name for name, _ in form.fields["action"].choices if name]

    def test_change_form_offers_only_what_fits_the_state(self, editor_client):
        live = ArticleFactory()
        draft = ArticleFactory(draft=True)

        # Publishing and unpublishing are the workflow's buttons under the form, offered
        # as the state allows; the menu does not repeat them.
        for article, button, absent in [
            (live, "unpublish", "publish"),
            (draft, "publish", "unpublish"),
        ]:
            response = editor_client.get(change_url(article))
            buttons = [b["action"] for b in response.context["workflow"]["buttons"]]
            assert button in buttons
            assert absent not in buttons
            assert self.action_names(editor_client, change_url(article)) == ["duplicate"]

    def test_no_actions_menu_on_the_add_form(self, editor_client):
        assert self.action_names(editor_client, ADD) == []

    def test_the_press_office_gets_no_menu(self, client, press_officer):
        client.force_login(press_officer)
        article = ArticleFactory()
        assert self.action_names(client, change_url(article)) == []
        assert self.action_names(client, reverse("admin:articles_article_changelist")) == []


class TestArticleList:
    def test_four_columns_with_kind_and_regions_under_the_title(self, editor_client):
        ArticleFactory(title="Facing Walls", kind="report", regions=["mx"])

        response = editor_client.get(reverse("admin:articles_article_changelist"))

        assert response.context["cl"].list_display == [
            "action_checkbox",
            "thumbnail",
            "headline",
            "state_badge",
            "publication_time",
        ]
        assertContains(response, '<span class="article-headline">Facing Walls</span>')
        assertContains(response, '<span class="article-meta">Report · Mexico</span>')


def _top(html):
    """The change form from its start to its first field."""
    return html[html.index('id="article_form"') : html.index('name="kind"')]


class TestTheStateAtTheTop:
    """One state, told once, at the top of the change form, with its next steps and who
    is waiting on whom; never a draft's creation time as its publication time."""

    def test_a_draft_is_not_scheduled_and_says_no_other_state(self, editor_client):
        created = timezone.now() - timezone.timedelta(days=3)
        article = ArticleFactory(draft=True, published_at=created)

        html = editor_client.get(change_url(article)).content.decode()

        top = _top(html)
        assert "State: <span" in top and "Draft</span>" in top
        assert "Not submitted for review. Not scheduled." in top
        assert "Submit for review" in top  # the buttons are at the top too
        assert 'href="#workflow-timeline-heading"' in top
        # The Publishing box: no second status, no creation time as publication time.
        assert "Status:" not in html
        assert 'name="status"' not in html
        publication = html[html.index("field-publication") :][:600]
        assert "Not scheduled" in publication
        assert str(timezone.localtime(created).day) + "," not in publication
        assert html.count("state-badge--") == 1

    def test_in_review_says_who_waits_since_when(self, editor_client, writer):
        article = ArticleFactory(draft=True, created_by=writer, updated_by=writer)
        workflow.perform(article=article, user=writer, action="submit")

        top = _top(editor_client.get(change_url(article)).content.decode())

        assert "In review</span>" in top
        assert "Waiting for an editor&#x27;s review since" in top or (
            "Waiting for an editor's review since" in top
        )
        assert f"submitted by {writer.get_username()}" in top
        assert re.search(r"\(UTC[+-]\d\d:\d\d\)", top)
        assert "Approve and publish" in top

    def test_changes_requested_says_by_whom_and_when(self, client, editor, writer):
        article = ArticleFactory(draft=True, created_by=writer, updated_by=writer)
        workflow.perform(article=article, user=writer, action="submit")
        workflow.perform(
            article=article, user=editor, action="request_changes", comment="Cite it."
        )
        client.force_login(writer)

        top = _top(client.get(change_url(article)).content.decode())

        assert f"Changes requested by {editor.get_username()} on" in top
        assert "waiting for the writer to resubmit" in top

    def test_scheduled_says_when_with_its_offset(self, editor_client):
        article = ArticleFactory(scheduled=True)

        top = _top(editor_client.get(change_url(article)).content.decode())

        assert re.search(r"Scheduled for [^<]+ \(UTC[+-]\d\d:\d\d\)\.", top)
        assert "Unpublish" in top

    def test_the_list_says_not_scheduled_for_drafts(self, editor_client):
        ArticleFactory(draft=True, title="A draft")

        response = editor_client.get(reverse("admin:articles_article_changelist"))

        html = response.content.decode()
        row = html[html.index('<span class="article-headline">A draft</span>') :][:800]
        assert "Not scheduled" in row


def test_the_lock_notice_ends_its_sentence_once(editor_client, writer):
    from desk.models import ArticleEditLock

    article = ArticleFactory()
    afternoon = timezone.localtime().replace(hour=15, minute=4)
    ArticleEditLock.objects.create(
        article=article, user=writer, since=afternoon, heartbeat_at=timezone.now()
    )

    html = editor_client.get(change_url(article)).content.decode()

    assert "since 3:04 p.m.</strong>" in html
