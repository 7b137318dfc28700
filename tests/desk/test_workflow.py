"""Review and publication: who may move an article from which state, by every route
(the workflow API, the change form's buttons, the list actions and crafted POSTs), the
two-person setting, the record of every step and the e-mails it sends."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.states import State
from core.models import SiteSettings
from core.roles import EDITORS
from desk import workflow
from desk.models import ArticlePendingChange
from desk.tasks import notify_transition
from desk.workflow import Action, TransitionRefused
from desk.workflow_models import ArticleTransition
from interchange import export_articles
from outbox.models import Message
from tests.desk.test_admin import opened_version
from tests.factories import ArticleFactory, UserFactory
from tests.outbox.helpers import delivered
from tests.smtp import free_port, smtp_mailers

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")
FUTURE = "2099-01-01T08:00"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def author(db):
    """The staff member whose text the articles are, unless a test says otherwise."""
    return UserFactory(is_staff=True, email="author@example.org")


@pytest.fixture
def second_editor(db):
    user = UserFactory(is_staff=True, email="second-editor@example.org")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def make(state, **kwargs):
    """An article in ``state`` (one of the seven staff see)."""
    match state:
        case "live" | "live_pending":
            fields = {"review_state": "approved"}
        case "scheduled":
            fields = {"review_state": "approved", "scheduled": True}
        case "unpublished":
            fields = {"status": Article.Status.UNPUBLISHED}
        case _:
            fields = {"draft": True, "review_state": state if state != "draft" else "draft"}
    article = ArticleFactory(**fields, **kwargs)
    if state == "live_pending":
        ArticlePendingChange.objects.create(
            article=article, snapshot={"title": "Pending title"}, base_version=1
        )
    assert article.state == state
    return article


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
        "substantively_updated_at_0": "",
        "substantively_updated_at_1": "",
        "topics": "",
        "hero_caption": "",
        "reference_number": "",
        "base_version": opened_version(article),
    }
    data.update(overrides)
    return data


def press(client, article, action, **overrides):
    """Press one of the workflow's buttons on ``article``'s change form; the browser sends
    the actions menu's empty choice along, as a real page does."""
    data = form_data(article, _workflow=action, **overrides)
    data.update({"CHANGE_FORM-action": "", "_selected_action": article.pk})
    return client.post(change_url(article), data)


def flash(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


STATES = [state.value for state in State]
ACTIONS = list(workflow.RULES)

# The table the workflow must implement, written out independently of it.
EXPECTED = {
    "writer": {
        "draft": {"submit"},
        "changes_requested": {"submit"},
        "unpublished": {"submit"},
    },
    "editor": {
        "draft": {"submit", "publish", "schedule"},
        "in_review": {"approve_publish", "approve_schedule", "approve", "request_changes"},
        "changes_requested": {"submit"},
        "approved": {"request_changes", "publish", "schedule"},
        "scheduled": {"publish", "schedule", "unpublish"},
        "live": {"unpublish"},
        "live_pending": {"unpublish", "approve_changes", "reject_changes"},
        "unpublished": {"submit", "publish", "schedule", "republish_as_new"},
    },
    "press_officer": {},
}


@pytest.fixture(params=["writer", "editor", "press_officer"])
def role(request):
    return request.param, request.getfixturevalue(request.param)


class TestTable:
    @pytest.mark.parametrize("state", STATES)
    def test_available_actions_per_role_and_state(self, role, state, author):
        name, user = role
        article = make(state, created_by=author, updated_by=author)

        assert set(workflow.available(user=user, article=article)) == EXPECTED[name].get(
            state, set()
        )

    @pytest.mark.parametrize("state", STATES)
    def test_api_refuses_everything_else_and_changes_nothing(self, role, state, author):
        name, user = role
        allowed = EXPECTED[name].get(state, set())
        for action in set(ACTIONS) - allowed:
            article = make(state, created_by=author, updated_by=author)
            before = Article.objects.values().get(pk=article.pk)
            with pytest.raises(TransitionRefused):
                workflow.perform(
                    article=article,
                    user=user,
                    action=action,
                    comment="A comment",
                    at=timezone.now() + timedelta(days=1),
                )
            assert Article.objects.values().get(pk=article.pk) == before
            article.delete()
        assert not ArticleTransition.objects.exists()
        assert not LogEntry.objects.exists()

    def test_an_unknown_action_is_refused(self, editor):
        with pytest.raises(TransitionRefused, match="not something that can be done"):
            workflow.perform(article=make("draft"), user=editor, action="launch")


class TestFormRoute:
    @pytest.mark.parametrize("state", STATES)
    def test_writer_pressing_an_editors_button_is_refused(self, writer_client, state, author):
        for action in set(ACTIONS) - EXPECTED["writer"].get(state, set()):
            article = make(state, created_by=author, updated_by=author)
            before = Article.objects.values().get(pk=article.pk)

            response = press(
                writer_client, article, action, title="Sneaked in", _workflow_comment="x"
            )

            assert response.status_code == 200, action
            [error] = response.context["adminform"].form.non_field_errors()
            assert error, action
            # Nothing saved: neither the state nor what was typed.
            assert Article.objects.values().get(pk=article.pk) == before
        assert not ArticleTransition.objects.exists()

    @pytest.mark.parametrize("state", STATES)
    def test_editor_is_refused_what_the_state_does_not_allow(self, editor_client, state, author):
        for action in set(ACTIONS) - EXPECTED["editor"][state]:
            article = make(state, created_by=author, updated_by=author)

            response = press(editor_client, article, action, _workflow_at=FUTURE)

            assert response.status_code == 200, action
            assert "does not apply" in response.context["adminform"].form.non_field_errors()[0]
        assert not ArticleTransition.objects.exists()

    def test_press_office_cannot_post_the_form_at_all(self, client, press_officer):
        client.force_login(press_officer)
        article = make("in_review")

        assert press(client, article, "approve_publish").status_code == 403
        article.refresh_from_db()
        assert article.state == "in_review"

    def test_only_the_allowed_buttons_are_shown(self, client, writer, editor):
        article = make("in_review")

        client.force_login(writer)
        writer_page = client.get(change_url(article)).content.decode()
        client.force_login(editor)
        editor_page = client.get(change_url(article)).content.decode()

        assert 'name="_workflow"' not in writer_page
        for label in ("Approve and publish", "Approve and schedule", "Request changes"):
            assert label in editor_page
        assert 'value="unpublish"' not in editor_page

    def test_a_new_article_can_be_submitted_as_it_is_created(self, writer_client, writer):
        data = form_data(
            Article(kind="press-release", title="New", slug="new", summary="S", body=""),
            _workflow="submit",
            _workflow_comment="Legal has seen it.",
        )

        response = writer_client.post(ADD, data)

        article = Article.objects.get()
        assert response["Location"] == change_url(article)
        assert article.state == "in_review"
        assert article.transitions.get().comment == "Legal has seen it."


class TestCraftedPosts:
    def test_writer_posting_status_published_is_refused(self, writer_client):
        article = make("draft")

        response = writer_client.post(
            change_url(article), form_data(article, status="published", title="Sneaky")
        )

        assert response.status_code == 200
        assert "change only through the buttons" in response.content.decode()
        article.refresh_from_db()
        assert (article.status, article.title) == ("draft", article.title)
        assert article.title != "Sneaky"

    def test_writer_adding_a_published_article_is_refused(self, writer_client):
        data = form_data(
            Article(kind="press-release", title="New", slug="new", summary="S", body=""),
            status="published",
        )

        response = writer_client.post(ADD, data)

        assert response.status_code == 200
        assert not Article.objects.exists()

    @pytest.mark.parametrize("client_name", ["writer_client", "editor_client"])
    def test_nobody_moves_the_publication_time_through_the_form(self, request, client_name):
        client = request.getfixturevalue(client_name)
        article = make("live")
        published_at = article.published_at

        response = client.post(
            change_url(article),
            form_data(article, published_at_0="2099-12-31", published_at_1="23:00"),
        )

        assert response.status_code == 200
        article.refresh_from_db()
        assert (article.published_at, article.state) == (published_at, "live")

    def test_editor_posting_status_draft_does_not_unpublish(self, editor_client):
        article = make("live")

        response = editor_client.post(change_url(article), form_data(article, status="draft"))

        assert response.status_code == 200
        article.refresh_from_db()
        assert article.state == "live"

    def test_the_same_status_and_time_as_stored_are_accepted(self, editor_client):
        article = make("live")
        local = timezone.localtime(article.published_at)

        response = editor_client.post(
            change_url(article),
            form_data(
                article,
                title="Retitled",
                # A live article's text changed: the corrections question is answered.
                change_kind="silent",
                status="published",
                published_at_0=local.strftime("%Y-%m-%d"),
                published_at_1=local.strftime("%H:%M:%S"),
                _save="Save",
            ),
        )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "Retitled"

    def test_a_crafted_review_state_is_refused(self, writer_client):
        article = make("in_review")

        response = writer_client.post(
            change_url(article), form_data(article, review_state="approved")
        )

        assert response.status_code == 200
        article.refresh_from_db()
        assert article.state == "in_review"


class TestListActions:
    @pytest.mark.parametrize("action", ["publish_now", "unpublish"])
    def test_writer_cannot_run_publishing_actions(self, writer_client, action):
        draft, live = make("draft"), make("live")

        writer_client.post(CHANGELIST, {"action": action, "_selected_action": [draft.pk, live.pk]})

        assert [a.state for a in Article.objects.order_by("pk")] == ["draft", "live"]
        assert not ArticleTransition.objects.exists()

    def test_writer_submits_a_selection(self, writer_client, author):
        drafts = [make("draft"), make("changes_requested")]
        live = make("live")

        response = writer_client.post(
            CHANGELIST,
            {"action": "submit_for_review", "_selected_action": [a.pk for a in [*drafts, live]]},
            follow=True,
        )

        assert {a.state for a in Article.objects.filter(pk__in=[a.pk for a in drafts])} == {
            "in_review"
        }
        html = response.content.decode()
        assert "Submitted 2 articles for review." in html
        assert "1 already in review, approved or public" in html

    def test_publish_now_approves_what_is_in_review(self, editor_client, editor):
        article = make("in_review")

        editor_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [article.pk]})

        assert article.transitions.get().action == Action.APPROVE_PUBLISH

    def test_refusals_are_reported_by_reason(self, editor_client, editor):
        two_people()
        own = make("draft", title="Own words", updated_by=editor)
        other = make("draft", title="Someone else's")

        response = editor_client.post(
            CHANGELIST,
            {"action": "publish_now", "_selected_action": [own.pk, other.pk]},
            follow=True,
        )

        html = response.content.decode()
        assert "Not done for “Own words”: Two people must agree" in html
        assert "“Someone else&#x27;s” is live" in html
        own.refresh_from_db()
        assert own.state == "draft"


class TestTransitions:
    def test_submit_with_a_note(self, writer_client, writer):
        article = make("draft")

        response = press(writer_client, article, "submit", _workflow_comment="Ready for legal.")

        assert response["Location"] == change_url(article)
        article.refresh_from_db()
        assert article.state == "in_review"
        step = article.transitions.get()
        assert (step.user, step.from_state, step.to_state, step.comment) == (
            writer,
            "draft",
            "in_review",
            "Ready for legal.",
        )

    def test_request_changes_needs_a_comment(self, editor_client):
        article = make("in_review")

        response = press(editor_client, article, "request_changes", _workflow_comment="  ")

        assert response.status_code == 200
        assert "needs a comment" in response.content.decode()
        article.refresh_from_db()
        assert article.state == "in_review"

    def test_request_changes_records_the_comment(self, editor_client):
        article = make("in_review")

        press(editor_client, article, "request_changes", _workflow_comment="The figure is 63.")

        article.refresh_from_db()
        assert article.state == "changes_requested"
        assert article.transitions.get().comment == "The figure is 63."

    def test_approve_leaves_it_unpublished(self, editor_client):
        article = make("in_review")

        press(editor_client, article, "approve")

        article.refresh_from_db()
        assert article.state == "approved"
        assert not article.is_live

    def test_approve_and_schedule_names_the_moment_in_the_newsroom_zone(self, editor_client):
        article = make("in_review")

        response = editor_client.post(
            change_url(article),
            form_data(article, _workflow="approve_schedule", _workflow_at=FUTURE),
            follow=True,
        )

        article.refresh_from_db()
        assert article.state == "scheduled"
        assert article.published_at == datetime(2099, 1, 1, 13, tzinfo=UTC)
        assert flash(response) == ["Scheduled for Thursday, January 1, 2099, 8:00 a.m. EST."]

    def test_the_moment_is_written_as_staff_read_it(self):
        moment = datetime(2026, 12, 3, 14, tzinfo=UTC)
        assert workflow.describe_moment(moment) == "Thursday, December 3, 2026, 9:00 a.m. EST"
        summer = datetime(2026, 7, 2, 13, 30, tzinfo=UTC)
        assert workflow.describe_moment(summer) == "Thursday, July 2, 2026, 9:30 a.m. EDT"

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("", "Choose the date and time of publication."),
            ("next thursday", "is not a date and time"),
            ("2001-01-01T09:00", "has passed"),
            ("2300-01-01T09:00", "2200"),
        ],
    )
    def test_a_bad_schedule_time_is_refused_with_the_form_kept(
        self, editor_client, value, message
    ):
        article = make("draft")

        response = press(
            editor_client, article, "schedule", _workflow_at=value, title="Typed title"
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert message in html
        assert 'value="Typed title"' in html
        article.refresh_from_db()
        assert article.state == "draft"

    def test_the_schedule_input_says_its_zone(self, editor_client):
        html = editor_client.get(change_url(make("draft"))).content.decode()
        assert 'type="datetime-local"' in html
        assert "in the newsroom's zone: America/New_York" in html

    def test_publish_now_on_a_never_live_draft_dates_it_now(self, editor_client):
        article = make("draft", published_at=timezone.now() - timedelta(days=7))
        before = timezone.now()

        press(editor_client, article, "publish")

        article.refresh_from_db()
        assert article.is_live
        assert article.published_at >= before

    def test_republish_keeps_the_original_time(self, editor_client):
        original = timezone.now() - timedelta(days=30)
        article = make("live", published_at=original)

        press(editor_client, article, "unpublish")
        article.refresh_from_db()
        assert article.state == "unpublished"
        page = editor_client.get(change_url(article)).content.decode()
        assert "Republish (keeps its original time)" in page
        press(editor_client, article, "publish")

        article.refresh_from_db()
        assert (article.state, article.published_at) == ("live", original)

    def test_republish_as_new_dates_it_now(self, editor_client):
        article = make("unpublished", published_at=timezone.now() - timedelta(days=30))
        before = timezone.now()

        press(editor_client, article, "republish_as_new")

        article.refresh_from_db()
        assert article.is_live
        assert article.published_at >= before

    def test_unpublishing_a_scheduled_article_keeps_its_approval(self, editor_client):
        article = make("scheduled")

        press(editor_client, article, "unpublish")

        article.refresh_from_db()
        assert article.state == "approved"

    def test_two_people_pressing_at_once_cannot_both_act(self, editor, second_editor):
        article = make("in_review")
        stale = Article.objects.get(pk=article.pk)

        workflow.perform(article=article, user=editor, action=Action.REQUEST_CHANGES, comment="x")
        with pytest.raises(TransitionRefused, match="changes requested"):
            workflow.perform(article=stale, user=second_editor, action=Action.APPROVE_PUBLISH)

    def test_every_step_is_in_the_timeline(self, writer, editor):
        writer_client, editor_client = Client(), Client()
        writer_client.force_login(writer)
        editor_client.force_login(editor)
        article = make("draft", created_by=writer, updated_by=writer)
        press(writer_client, article, "submit", _workflow_comment="First go.")
        press(editor_client, article, "request_changes", _workflow_comment="Check the figure.")
        press(writer_client, article, "submit")
        press(editor_client, article, "approve_publish")

        response = editor_client.get(change_url(article))

        steps = response.context["workflow"]["timeline"]
        assert [step.action for step in steps] == [
            "approve_publish",
            "submit",
            "request_changes",
            "submit",
        ]
        html = response.content.decode()
        assert "Check the figure." in html
        assert "Approved and published" in html
        assert "times in America/New_York" in html
        assert editor.get_username() in html
        assert [step.user for step in steps] == [editor, writer, editor, writer]


class TestEditsAfterApproval:
    def test_a_writers_edit_sends_it_back_to_review(
        self, writer_client, writer, mailoutbox, django_capture_on_commit_callbacks, editor
    ):
        editor.email = "editor@example.org"
        editor.save()
        article = make("approved")

        with django_capture_on_commit_callbacks(execute=True):
            response = writer_client.post(
                change_url(article), form_data(article, title="Changed", _save="Save")
            )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.state == "in_review"
        assert article.transitions.get().action == Action.REVISE
        [mail] = mailoutbox
        assert mail.to == ["editor@example.org"]
        assert mail.subject == "Awaiting review: Changed"

    def test_saving_without_changes_keeps_the_approval(self, writer_client):
        article = make("approved")

        writer_client.post(change_url(article), form_data(article, _save="Save"))

        article.refresh_from_db()
        assert article.state == "approved"

    def test_an_editors_own_edit_keeps_it_approved(self, editor_client):
        article = make("approved")

        editor_client.post(change_url(article), form_data(article, title="Better", _save="Save"))

        article.refresh_from_db()
        assert (article.title, article.state) == ("Better", "approved")

    def test_with_two_people_an_editors_edit_needs_review_too(self, editor_client):
        two_people()
        article = make("approved")

        editor_client.post(change_url(article), form_data(article, title="Better", _save="Save"))

        article.refresh_from_db()
        assert article.state == "in_review"


class TestTwoPeople:
    def test_off_an_editor_publishes_their_own_draft(self, editor_client, editor):
        article = make("draft", created_by=editor, updated_by=editor)

        press(editor_client, article, "publish")

        article.refresh_from_db()
        assert article.is_live

    @pytest.mark.parametrize("action", ["publish", "schedule"])
    def test_on_the_author_cannot_publish_their_own_text(self, editor_client, editor, action):
        two_people()
        article = make("draft", created_by=editor, updated_by=editor)

        response = press(editor_client, article, action, _workflow_at=FUTURE)

        assert response.status_code == 200
        assert "Two people must agree" in response.content.decode()
        article.refresh_from_db()
        assert article.state == "draft"

    def test_on_the_author_is_not_offered_the_buttons(self, editor_client, editor):
        two_people()
        article = make("in_review", created_by=editor, updated_by=editor)

        page = editor_client.get(change_url(article)).content.decode()

        assert "Approve and publish" not in page
        assert "Request changes" in page

    def test_on_a_second_editor_approves(self, client, editor, second_editor):
        two_people()
        article = make("in_review", created_by=editor, updated_by=editor)
        client.force_login(second_editor)

        press(client, article, "approve_publish")

        article.refresh_from_db()
        assert article.is_live

    def test_on_an_editor_who_changes_the_text_cannot_approve_it_in_the_same_step(
        self, editor_client, writer
    ):
        two_people()
        article = make("in_review", created_by=writer, updated_by=writer)

        response = press(editor_client, article, "approve_publish", title="Edited by me")

        assert response.status_code == 200
        assert "Two people must agree" in response.content.decode()
        article.refresh_from_db()
        assert (article.state, article.title) == ("in_review", article.title)
        assert article.title != "Edited by me"

    def test_on_an_unchanged_approval_leaves_the_author_as_it_was(
        self, editor_client, writer, editor
    ):
        two_people()
        article = make("in_review", created_by=writer, updated_by=writer)

        press(editor_client, article, "approve_publish")

        article.refresh_from_db()
        assert article.is_live
        assert article.updated_by == writer

    def test_on_the_writer_cannot_approve_anything_either(self, writer):
        two_people()
        with pytest.raises(TransitionRefused, match="Only editors"):
            workflow.perform(article=make("in_review"), user=writer, action=Action.APPROVE)

    def test_the_setting_is_the_editors_to_change(self, client, press_officer, editor):
        url = reverse(
            "admin:core_sitesettings_change", args=[SiteSettings.objects.get_or_create(pk=1)[0].pk]
        )
        client.force_login(press_officer)
        form = client.get(url).context["adminform"].form
        assert "require_second_person" not in form.fields
        client.force_login(editor)
        form = client.get(url).context["adminform"].form
        assert "require_second_person" in form.fields


class TestEmails:
    def test_submit_tells_the_editors(
        self, writer, editor, second_editor, mailoutbox, django_capture_on_commit_callbacks
    ):
        editor.email = "editor@example.org"
        editor.save()
        UserFactory(is_staff=True, email="bystander@example.org")
        article = make("draft", title="Facing walls")

        with django_capture_on_commit_callbacks(execute=True):
            workflow.perform(article=article, user=writer, action=Action.SUBMIT, comment="Go")

        [mail] = mailoutbox
        assert sorted(mail.to) == ["editor@example.org", "second-editor@example.org"]
        assert mail.subject == "Awaiting review: Facing walls"
        assert "Go" in mail.body
        assert change_url(article) in mail.body

    def test_request_changes_tells_the_writer_with_the_comment(
        self, writer, editor, mailoutbox, django_capture_on_commit_callbacks
    ):
        writer.email = "writer@example.org"
        writer.save()
        article = make("draft", created_by=writer)
        workflow.perform(article=article, user=writer, action=Action.SUBMIT)

        with django_capture_on_commit_callbacks(execute=True):
            workflow.perform(
                article=article,
                user=editor,
                action=Action.REQUEST_CHANGES,
                comment="The figure is 63, not 36.",
            )

        [mail] = mailoutbox
        assert mail.to == ["writer@example.org"]
        assert mail.subject == f"Changes requested: {article.title}"
        assert "The figure is 63, not 36." in mail.body

    def test_publishing_tells_the_writer(
        self, writer, editor, mailoutbox, django_capture_on_commit_callbacks
    ):
        writer.email = "writer@example.org"
        writer.save()
        article = make("in_review", created_by=writer)

        with django_capture_on_commit_callbacks(execute=True):
            workflow.perform(
                article=article,
                user=editor,
                action=Action.APPROVE_SCHEDULE,
                at=datetime(2099, 1, 1, 13, tzinfo=UTC),
            )

        [mail] = mailoutbox
        assert mail.subject == f"Scheduled: {article.title}"
        assert "Thursday, January 1, 2099, 8:00 a.m. EST" in mail.body

    def test_nobody_is_told_of_their_own_act(
        self, editor, mailoutbox, django_capture_on_commit_callbacks
    ):
        editor.email = "editor@example.org"
        editor.save()
        article = make("draft", created_by=editor)

        with django_capture_on_commit_callbacks(execute=True):
            workflow.perform(article=article, user=editor, action=Action.PUBLISH)

        assert mailoutbox == []
        assert article.transitions.get().notified_at is not None

    def test_not_sent_inside_the_request(self, writer_client, editor, mailoutbox):
        editor.email = "editor@example.org"
        editor.save()
        article = make("draft")

        press(writer_client, article, "submit")

        # The test's transaction never commits, so the task was never enqueued.
        assert mailoutbox == []

    def test_a_task_sends_once(self, writer, editor, mailoutbox):
        editor.email = "editor@example.org"
        editor.save()
        article = make("draft")
        transition = workflow.perform(article=article, user=writer, action=Action.SUBMIT)

        assert notify_transition.call(transition.pk) == "queued for 1"
        assert notify_transition.call(transition.pk) == "nothing due"

        assert len(delivered()) == 1

    def test_a_dead_mail_server_is_recorded_and_retried(self, writer, editor, settings):
        editor.email = "editor@example.org"
        editor.save()
        working = settings.MAILERS
        settings.MAILERS = smtp_mailers(free_port())
        transition = workflow.perform(article=make("draft"), user=writer, action=Action.SUBMIT)

        assert notify_transition.call(transition.pk) == "queued for 1"
        assert delivered() == []
        message = Message.objects.get(kind="articles.transition")
        assert message.state == Message.State.RETRYING and message.attempts == 1
        assert message.about == transition
        settings.MAILERS = working
        Message.objects.update(next_attempt_at=timezone.now())
        assert [m.to for m in delivered()] == [["editor@example.org"]]


class TestStates:
    @pytest.mark.parametrize("state", STATES)
    def test_the_list_filters_and_badges_every_state(self, editor_client, state):
        for other in STATES:
            make(other, title=f"The {other} one")

        response = editor_client.get(CHANGELIST, {"state": state})

        assert [a.title for a in response.context["cl"].result_list] == [f"The {state} one"]
        label = State(state).label
        assert f'state-badge--{state}">{label}</span>' in response.content.decode()

    def test_an_unknown_state_lists_nothing(self, editor_client):
        make("draft")
        response = editor_client.get(CHANGELIST, {"state": "lost"})
        assert response.status_code == 200

    def test_the_queryset_and_the_property_agree(self):
        for state in STATES:
            make(state)
        for state in STATES:
            assert {a.state for a in Article.objects.in_state(state)} == {state}

    def test_live_is_unchanged_by_review(self):
        live = make("live")
        for state in STATES:
            if state != "live":
                make(state)
        # Changes waiting for review do not take the live text off the site.
        [pending] = Article.objects.in_state("live_pending")
        assert set(Article.objects.live()) == {live, pending}

    def test_an_unpublished_article_exports_as_a_draft(self, tmp_path):
        make("unpublished", slug="withdrawn")
        path = tmp_path / "out.json"
        export_articles(path=path)

        assert '"status": "draft"' in path.read_text()


class TestZones:
    def test_every_time_field_in_the_article_admin_names_the_zone(self, editor_client):
        article = make("live")

        response = editor_client.get(change_url(article))

        adminform = response.context["adminform"]
        # Set by the "Tell readers" answer, so read-only: its fieldset names the zone.
        assert "substantively_updated_at" not in adminform.form.fields
        assert "substantively_updated_at" in adminform.readonly_fields
        html = response.content.decode()
        # Read-only: the publishing times (their fieldset) and the audit times; the
        # publication time says its offset.
        assert html.count("Times in the newsroom's time zone (America/New_York).") == 2
        assert re.search(r"Live since [^<]+ \(UTC[+-]\d\d:\d\d\)", html)

    def test_the_preview_names_the_review_state(self, editor_client):
        article = make("in_review")

        response = editor_client.get(reverse("admin:articles_article_preview", args=[article.pk]))

        assert "is in review; visitors cannot see it" in response.content.decode()
