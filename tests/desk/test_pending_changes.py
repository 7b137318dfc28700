"""Changes to a live article wait for a second person when "two people for every
publication" is on: the public keeps the live text (page, feed, search) until an editor
other than the changes' author approves them; they can be sent back or withdrawn."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from articles.notes import ArticleNote
from articles.signals import article_corrected
from core.models import SiteSettings
from core.roles import EDITORS
from desk.models import ArticlePendingChange
from desk.workflow_models import ArticleTransition
from tests.desk.test_admin import opened_version
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
Action = ArticleTransition.Action


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def pending_url(article):
    return reverse("admin:articles_article_pending", args=[article.pk])


def two_people(on=True):
    settings = SiteSettings.load()
    settings.require_second_person = on
    settings.save()


def form_data(article, **overrides):
    """What the change form posts for ``article`` unchanged, plus ``overrides``."""
    data = {
        "kind": article.kind,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "topics": "",
        "hero_caption": article.hero_caption,
        "reference_number": "",
        "base_version": opened_version(article),
        "_save": "Save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def second_editor(db):
    user = UserFactory(is_staff=True, email="second@example.org", first_name="Ana")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def live(writer):
    two_people()
    return ArticleFactory(
        title="36 people detained",
        slug="people-detained",
        summary="Thirty-six people were detained in the capital.",
        body="<p>Police detained 36 people at the protest.</p>",
        created_by=writer,
        updated_by=writer,
    )


def propose(client, article, **changes):
    changes.setdefault("change_kind", "correction")
    changes.setdefault("change_note", "An earlier version said 36; it is 63.")
    return client.post(change_url(article), form_data(article, **changes))


class TestAWriterChangesALiveArticle:
    def test_the_change_waits_and_the_live_text_stays(self, writer_client, live, writer):
        response = propose(writer_client, live, title="63 people detained")

        assert response.status_code == 302
        assert response["Location"] == change_url(live)
        live.refresh_from_db()
        assert live.title == "36 people detained"
        assert live.state == "live_pending"
        pending = ArticlePendingChange.objects.get(article=live)
        assert pending.snapshot["title"] == "63 people detained"
        assert pending.updated_by == writer
        assert (pending.change_kind, pending.change_note) == (
            "correction",
            "An earlier version said 36; it is 63.",
        )
        # Nothing public: no note, no revision, no "updated" date.
        assert not ArticleNote.objects.exists()
        assert live.substantively_updated_at is None
        assert list(live.revisions.values_list("version", flat=True)) in ([], [1])
        step = live.transitions.get()
        assert step.action == Action.PROPOSE_CHANGES
        assert step.to_state == "live_pending"

    def test_the_public_page_feed_and_search_keep_the_live_text(self, writer_client, live):
        client = Client()  # a reader, not the writer's session
        propose(
            writer_client,
            live,
            title="Sixty-three people detained",
            body="<p>Police detained 63 people at the protest.</p>",
        )

        page = client.get(live.get_absolute_url())
        assertContains(page, "36 people detained")
        assertNotContains(page, "Sixty-three")
        assertNotContains(page, "detained 63 people")
        feed = client.get("/news/feed/")
        assertContains(feed, "36 people detained")
        assertNotContains(feed, "Sixty-three")
        assertNotContains(client.get("/news/", {"q": "Sixty-three"}), "people detained")
        assertContains(client.get("/news/", {"q": "detained"}), "36 people detained")

    def test_reopening_edits_the_pending_version(self, writer_client, live):
        propose(writer_client, live, title="63 people detained")

        response = writer_client.get(change_url(live))

        assertContains(response, 'value="63 people detained"')
        assertContains(response, "The form below holds this pending version, not the live text.")
        assertContains(response, "Live, changes pending")
        assertContains(response, "See what changed against the live text")
        assert response.context["adminform"].form.pending_version_value == 1

    def test_a_second_save_updates_the_one_pending_version(self, writer_client, live):
        propose(writer_client, live, title="63 people detained")
        response = writer_client.post(
            change_url(live),
            form_data(live, title="63 people were detained", pending_version="1"),
        )

        assert response.status_code == 302
        pending = ArticlePendingChange.objects.get(article=live)
        assert pending.snapshot["title"] == "63 people were detained"
        assert pending.version == 2
        # The writer's earlier answer to the corrections question still holds.
        assert pending.change_kind == "correction"
        assert live.transitions.filter(action=Action.PROPOSE_CHANGES).count() == 1

    def test_a_save_over_someone_elses_newer_pending_version_is_refused(
        self, client, writer_client, live
    ):
        propose(writer_client, live, title="63 people detained")
        other = UserFactory(is_staff=True)
        other.groups.add(*live.created_by.groups.all())
        client.force_login(other)

        # Opened before the first save: no pending version then.
        response = client.post(
            change_url(live),
            form_data(
                live,
                summary="Sixty-three people were detained.",
                pending_version="",
                change_kind="correction",
                change_note="The figure was wrong.",
            ),
        )

        assert response.status_code == 200
        assertContains(response, "saved other pending changes to this article")
        assertContains(response, "Sixty-three people were detained.")
        pending = ArticlePendingChange.objects.get(article=live)
        assert pending.snapshot["title"] == "63 people detained"
        assert pending.version == 1

    def test_an_editors_own_change_waits_too(self, editor_client, live, editor):
        response = propose(editor_client, live, title="63 people detained")

        assert response.status_code == 302
        live.refresh_from_db()
        assert live.title == "36 people detained"
        page = editor_client.get(pending_url(live))
        assertContains(page, "these changes are yours, so another editor must approve them")
        assertNotContains(page, "Approve and publish these changes")

        refused = editor_client.post(pending_url(live), {"_decision": "approve"})
        assert refused.status_code == 400
        live.refresh_from_db()
        assert live.title == "36 people detained"

    def test_with_the_setting_off_a_change_is_public_at_once(self, editor_client, live):
        two_people(on=False)

        response = propose(editor_client, live, title="63 people detained")

        assert response.status_code == 302
        live.refresh_from_db()
        assert live.title == "63 people detained"
        assert not ArticlePendingChange.objects.exists()
        assert ArticleNote.objects.get().kind == "correction"

    def test_going_back_to_the_live_text_withdraws_the_pending_version(self, writer_client, live):
        propose(writer_client, live, title="63 people detained")

        response = writer_client.post(
            change_url(live), form_data(live, title="36 people detained", pending_version="1")
        )

        assert response.status_code == 302
        assert not ArticlePendingChange.objects.exists()
        live.refresh_from_db()
        assert live.state == "live"


class TestTheEditorDecides:
    def test_the_diff_of_live_and_pending_is_shown(
        self, client, writer_client, live, second_editor
    ):
        propose(writer_client, live, body="<p>Police detained 63 people at the protest.</p>")
        client.force_login(second_editor)

        response = client.get(pending_url(live))

        assert response.status_code == 200
        html = response.content.decode()
        assert '<del><span class="revision-sr">removed: </span>36</del>' in html
        assert '<ins><span class="revision-sr">added: </span>63</ins>' in html
        assert "Approve and publish these changes" in html
        # The writer's answer is offered, and can be changed.
        assertContains(response, 'value="correction" id="id_change_kind_0" checked')
        assertContains(response, "An earlier version said 36; it is 63.")

    def test_approving_publishes_the_changes_with_their_note(
        self,
        client,
        writer_client,
        live,
        second_editor,
        writer,
        django_capture_on_commit_callbacks,
    ):
        sent = []

        def receiver(sender, article, note, notify_subscribers, **kwargs):
            sent.append((article.pk, note.kind if note else None, notify_subscribers))

        article_corrected.connect(receiver, dispatch_uid="test-pending")
        propose(
            writer_client,
            live,
            title="63 people detained",
            body="<p>Police detained 63 people at the protest.</p>",
        )
        client.force_login(second_editor)
        before = client.get(live.get_absolute_url())
        assertContains(before, "36 people detained")

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                pending_url(live),
                {
                    "_decision": "approve",
                    "change_kind": "correction",
                    "change_note": "An earlier version said 36; it is 63.",
                    "notify_subscribers": "on",
                },
            )
        article_corrected.disconnect(dispatch_uid="test-pending")

        assert response.status_code == 302
        live.refresh_from_db()
        assert live.title == "63 people detained"
        assert "63 people" in live.body
        assert live.state == "live"
        # The editor who published the correction is its last editor.
        assert live.updated_by == second_editor
        assert live.substantively_updated_at is not None
        assert not ArticlePendingChange.objects.exists()
        assert ArticleNote.objects.get().text == "An earlier version said 36; it is 63."
        assert sent == [(live.pk, "correction", True)]
        latest = live.revisions.order_by("-version").first()
        assert latest.snapshot["title"] == "63 people detained"
        assert latest.was_live
        assert live.transitions.first().action == Action.APPROVE_CHANGES
        page = client.get(live.get_absolute_url())
        assertContains(page, "63 people detained")
        assertContains(page, "An earlier version said 36; it is 63.")
        assertContains(client.get("/news/feed/"), "63 people detained")
        assertContains(client.get("/news/", {"q": "detained"}), "63 people detained")

    def test_approving_asks_the_corrections_question(
        self, client, writer_client, live, second_editor
    ):
        propose(
            writer_client, live, title="63 people detained", change_kind="silent", change_note=""
        )
        ArticlePendingChange.objects.update(change_kind="")
        client.force_login(second_editor)

        response = client.post(pending_url(live), {"_decision": "approve"})

        assert response.status_code == 400
        assertContains(response, "say what kind of change this is", status_code=400)
        live.refresh_from_db()
        assert live.title == "36 people detained"

    def test_sending_back_needs_a_note_and_keeps_the_writers_text(
        self, client, writer_client, live, second_editor
    ):
        propose(writer_client, live, title="63 people detained")
        client.force_login(second_editor)

        refused = client.post(pending_url(live), {"_decision": "reject"})
        assert refused.status_code == 400
        assertContains(refused, "sending changes back needs a note", status_code=400)

        response = client.post(
            pending_url(live), {"_decision": "reject", "comment": "Cite the source."}
        )

        assert response.status_code == 302
        live.refresh_from_db()
        assert live.title == "36 people detained"
        assert live.state == "live"
        pending = ArticlePendingChange.objects.get()
        assert pending.rejection_note == "Cite the source."
        step = live.transitions.first()
        assert (step.action, step.comment) == (Action.REJECT_CHANGES, "Cite the source.")
        # The writer finds the editor's note and their own text.
        form = writer_client.get(change_url(live))
        assertContains(form, "Cite the source.")
        assertContains(form, 'value="63 people detained"')
        assertContains(form, "Your changes were sent back by Ana")
        # Saving again sends them for review again.
        propose(writer_client, live, title="63 people were detained", pending_version="1")
        live.refresh_from_db()
        assert live.state == "live_pending"

    def test_the_writer_may_withdraw_them(self, writer_client, live):
        propose(writer_client, live, title="63 people detained")

        response = writer_client.post(pending_url(live), {"_decision": "withdraw"})

        assert response.status_code == 302
        assert not ArticlePendingChange.objects.exists()
        live.refresh_from_db()
        assert live.title == "36 people detained"
        assert live.transitions.first().action == Action.WITHDRAW_CHANGES

    def test_a_writer_cannot_approve(self, writer_client, live):
        propose(writer_client, live, title="63 people detained")

        response = writer_client.post(pending_url(live), {"_decision": "approve"})

        assert response.status_code == 400
        assertContains(response, "Only editors can", status_code=400)
        live.refresh_from_db()
        assert live.title == "36 people detained"

    def test_approval_is_not_a_button_of_the_change_form(
        self, client, writer_client, live, second_editor
    ):
        propose(writer_client, live, title="63 people detained")
        client.force_login(second_editor)

        response = client.post(
            change_url(live), form_data(live, _workflow="approve_changes", pending_version="1")
        )

        assert response.status_code == 200
        assertContains(response, "approved or sent back on their own page")
        live.refresh_from_db()
        assert live.title == "36 people detained"

    def test_unpublishing_keeps_the_pending_version_out_of_the_way(
        self, client, writer_client, live, second_editor
    ):
        propose(writer_client, live, title="63 people detained")
        client.force_login(second_editor)

        response = client.post(
            change_url(live),
            {**form_data(live, _workflow="unpublish"), "CHANGE_FORM-action": ""},
        )

        assert response.status_code == 302
        live.refresh_from_db()
        assert live.state == "unpublished"
        assert live.title == "36 people detained"


class TestTheList:
    def test_a_badge_and_a_filter_say_live_changes_pending(
        self, editor_client, writer_client, live, django_assert_max_num_queries
    ):
        other = ArticleFactory(title="Still only live")
        propose(writer_client, live, title="63 people detained")

        response = editor_client.get(CHANGELIST)
        assertContains(response, '<span class="state-badge state-badge--live_pending">')
        assertContains(response, "Live, changes pending")

        pending_only = editor_client.get(CHANGELIST, {"state": "live_pending"})
        assertContains(pending_only, "36 people detained")
        assertNotContains(pending_only, other.title)
        live_only = editor_client.get(CHANGELIST, {"state": "live"})
        assertContains(live_only, other.title)
        assertNotContains(live_only, "36 people detained")

    def test_the_badge_costs_no_query_per_row(self, editor_client, writer_client, live):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        articles = ArticleFactory.create_batch(5)
        editor_client.get(CHANGELIST)  # the session and permissions, loaded once
        with CaptureQueriesContext(connection) as without:
            editor_client.get(CHANGELIST)
        for article in articles:
            ArticlePendingChange.objects.create(article=article, snapshot={}, base_version=1)
        with CaptureQueriesContext(connection) as with_pending:
            response = editor_client.get(CHANGELIST)
        assert response.content.decode().count("state-badge--live_pending") == 5
        assert len(with_pending) == len(without)

    def test_articles_still_count_as_live_for_the_public(self, live, writer_client):
        propose(writer_client, live, title="63 people detained")

        assert list(Article.objects.live()) == [live]


class TestWhoHears:
    def test_editors_hear_of_changes_and_the_writer_of_the_decision(
        self,
        client,
        writer_client,
        live,
        writer,
        second_editor,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        writer.email = "writer@example.org"
        writer.save()
        with django_capture_on_commit_callbacks(execute=True):
            propose(writer_client, live, title="63 people detained")
        [asked] = mailoutbox
        assert "second@example.org" in asked.to
        assert "The changes wait for review" in asked.body
        client.force_login(second_editor)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(pending_url(live), {"_decision": "reject", "comment": "Cite it."})

        told = mailoutbox[-1]
        assert told.to == ["writer@example.org"]
        assert "sent back your changes" in told.body
        assert "Cite it." in told.body
