"""Corrections, clarifications and updates: the change form's question, the notes on the
article, its JSON-LD and feeds, and /news/corrections/ with its RSS feed."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.correction_views import CorrectionListView
from articles.models import Article, ArticleNote
from articles.signals import article_corrected
from core.cache import is_public_path
from core.models import SiteSettings
from desk.corrections import ChangeKind, article_record_change
from tests.articles.list_helpers import parse_xml
from tests.desk.test_admin import opened_version
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
ATOM = "{http://www.w3.org/2005/Atom}"
CORRECTIONS = "/news/corrections/"
CORRECTIONS_FEED = "/news/corrections/feed/"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def form_data(article, **overrides):
    """What the change form posts for ``article`` as it is, plus ``overrides``."""
    published = timezone.localtime(article.published_at)
    data = {
        "kind": article.kind,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "hero_caption": "",
        "reference_number": "",
        "base_version": opened_version(article),
        "_save": "Save",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def note(article, kind=ArticleNote.Kind.CORRECTION, text="An earlier version said 36.", **kw):
    return ArticleNote.objects.create(article=article, kind=kind, text=text, **kw)


@pytest.fixture
def press_client(client, press_officer):
    client.force_login(press_officer)
    return client


@pytest.fixture
def corrected():
    """The article_corrected signals sent, as (article, note, notify_subscribers)."""
    sent = []

    def receiver(sender, article, note, notify_subscribers, **kwargs):
        sent.append((article, note, notify_subscribers))

    article_corrected.connect(receiver, dispatch_uid="test-corrected")
    yield sent
    article_corrected.disconnect(dispatch_uid="test-corrected")


def json_ld_of(response):
    match = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    return json.loads(match.group(1))


class TestTheQuestion:
    def test_asked_as_a_step_of_saving_a_live_article_only(self, editor_client):
        """Not a fieldset of the form: it appears, at the top, once a save changed what
        readers have read."""
        live = ArticleFactory()
        draft = ArticleFactory(draft=True)
        scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=1))

        for article in (live, draft, scheduled):
            assertNotContains(editor_client.get(change_url(article)), 'name="change_kind"')
        assertNotContains(
            editor_client.get(reverse("admin:articles_article_add")), 'name="change_kind"'
        )
        response = editor_client.post(change_url(live), form_data(live, title="New title"))
        assertContains(response, 'name="change_kind"')
        for article in (draft, scheduled):
            response = editor_client.post(
                change_url(article), form_data(article, title="New title", status=None)
            )
            assert response.status_code == 302

    def test_the_step_speaks_plainly_at_the_top(self, editor_client):
        article = ArticleFactory(title="36 people detained")

        response = editor_client.post(
            change_url(article), form_data(article, title="63 people detained")
        )

        html = response.content.decode()
        assert "Please correct the error" not in html
        step = html.index("One more step before saving: tell readers about this change?")
        assert "you changed its title" in html
        # Above the state, the buttons and every field of the form.
        assert step < html.index('id="workflow-heading"') < html.index('name="title"')
        assert 'value="63 people detained"' in html

    @pytest.mark.parametrize("field", ["title", "summary", "body"])
    def test_required_when_the_content_of_a_live_article_changes(self, editor_client, field):
        article = ArticleFactory(title="36 people detained")
        value = "<p>Sixty-three people.</p>" if field == "body" else "63 people detained"

        response = editor_client.post(change_url(article), form_data(article, **{field: value}))

        assert response.status_code == 200
        form = response.context["adminform"].form
        assert "say what kind of change this is" in form.errors["change_kind"][0]
        # Everything typed is still there.
        assertContains(response, "63 people detained" if field != "body" else "Sixty-three")
        article.refresh_from_db()
        assert article.title == "36 people detained"
        assert not ArticleNote.objects.exists()

    def test_not_required_for_other_changes(self, editor_client):
        article = ArticleFactory()

        response = editor_client.post(
            change_url(article), form_data(article, hero_caption="A new caption")
        )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.hero_caption == "A new caption"
        assert article.substantively_updated_at is None

    def test_not_required_when_the_article_is_taken_off_the_site(self, editor_client):
        article = ArticleFactory()

        # Taking it off the site is the workflow's Unpublish button, pressed with the edit.
        response = editor_client.post(
            change_url(article),
            form_data(article, title="Withdrawn", _save=None, _workflow="unpublish"),
        )

        assert response.status_code == 302
        article.refresh_from_db()
        assert (article.status, article.title) == ("unpublished", "Withdrawn")
        assert not article.notes.exists()

    def test_the_same_text_reformatted_is_no_change(self, editor_client):
        article = ArticleFactory(body="<p>The activists were detained.</p>")

        response = editor_client.post(
            change_url(article), form_data(article, body="<p>The activists were detained.</p>\n")
        )

        assert response.status_code == 302

    @pytest.mark.parametrize("kind", ["correction", "clarification"])
    def test_a_correction_needs_its_note(self, editor_client, kind):
        article = ArticleFactory(title="36 people detained")

        response = editor_client.post(
            change_url(article),
            form_data(article, title="63 people detained", change_kind=kind, change_note="  "),
        )

        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert f"A {kind} needs a note" in errors["change_note"][0]
        assert not ArticleNote.objects.exists()

    def test_a_correction_is_published_with_its_note(
        self, editor_client, editor, corrected, django_capture_on_commit_callbacks
    ):
        article = ArticleFactory(title="36 people detained")
        before = timezone.now()

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = editor_client.post(
                change_url(article),
                form_data(
                    article,
                    title="63 people detained",
                    change_kind="correction",
                    change_note="An earlier version said 36 people; the figure is 63.",
                ),
            )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "63 people detained"
        [published] = article.notes.all()
        assert published.kind == "correction"
        assert published.text == "An earlier version said 36 people; the figure is 63."
        assert published.created_by == editor
        assert published.published_at >= before
        assert article.substantively_updated_at == published.published_at
        assert callbacks
        assert corrected == [(article, published, False)]

    def test_tell_subscribers_goes_with_the_signal(
        self, editor_client, corrected, django_capture_on_commit_callbacks
    ):
        article = ArticleFactory(title="36 people detained")

        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                change_url(article),
                form_data(
                    article,
                    title="63 people detained",
                    change_kind="correction",
                    change_note="The figure is 63.",
                    notify_subscribers="on",
                ),
            )

        [(_, sent_note, notify)] = corrected
        assert sent_note.text == "The figure is 63."
        assert notify is True

    def test_an_update_may_have_no_note(
        self, editor_client, corrected, django_capture_on_commit_callbacks
    ):
        article = ArticleFactory()

        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(
                change_url(article),
                form_data(
                    article, body="<p>Two were released on Friday.</p>", change_kind="update"
                ),
            )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.substantively_updated_at is not None
        assert not article.notes.exists()
        assert corrected == [(article, None, False)]

    def test_a_silent_fix_tells_nobody(
        self, editor_client, corrected, django_capture_on_commit_callbacks
    ):
        article = ArticleFactory(title="Activists detianed")

        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(
                change_url(article),
                form_data(article, title="Activists detained", change_kind="silent"),
            )

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "Activists detained"
        assert article.substantively_updated_at is None
        assert not article.notes.exists()
        assert corrected == []

    def test_a_silent_fix_with_a_note_is_refused(self, editor_client):
        article = ArticleFactory(title="Activists detianed")

        response = editor_client.post(
            change_url(article),
            form_data(
                article, title="Activists detained", change_kind="silent", change_note="Typo."
            ),
        )

        assert response.status_code == 200
        assert (
            "A silent fix publishes no note"
            in (response.context["adminform"].form.errors["change_note"][0])
        )

    def test_a_writer_may_publish_a_correction_too(self, writer_client, writer):
        article = ArticleFactory(title="36 people detained")

        response = writer_client.post(
            change_url(article),
            form_data(
                article,
                title="63 people detained",
                change_kind="clarification",
                change_note="The 63 include 12 who were later released.",
            ),
        )

        assert response.status_code == 302
        assert article.notes.get().created_by == writer

    def test_the_press_office_cannot(self, press_client):
        article = ArticleFactory(title="36 people detained")

        response = press_client.post(
            change_url(article),
            form_data(article, change_kind="correction", change_note="Sneaky."),
        )

        assert response.status_code == 403
        assert not ArticleNote.objects.exists()

    def test_a_note_without_a_content_change_is_published(self, editor_client):
        # An editor may clarify without touching the text.
        article = ArticleFactory()

        response = editor_client.post(
            change_url(article),
            form_data(article, change_kind="clarification", change_note="“They” are the police."),
        )

        assert response.status_code == 302
        assert article.notes.get().kind == "clarification"

    def test_a_note_longer_than_the_model_allows_is_refused(self, editor_client):
        article = ArticleFactory(title="36 people detained")
        limit = ArticleNote._meta.get_field("text").max_length

        response = editor_client.post(
            change_url(article),
            form_data(
                article,
                title="63",
                change_kind="correction",
                change_note="x" * (limit + 1),
            ),
        )

        assert response.status_code == 200
        assert "change_note" in response.context["adminform"].form.errors

    def test_notes_are_shown_on_the_form_and_editable_by_editors(self, editor_client):
        article = ArticleFactory()
        note(article)

        response = editor_client.get(change_url(article))

        assertContains(response, "An earlier version said 36.")
        assertContains(response, 'name="notes-0-text"')


class TestService:
    def test_needs_the_change_permission(self, press_officer):
        article = ArticleFactory()
        with pytest.raises(Exception, match="may not change"):
            article_record_change(article=article, user=press_officer, kind="correction", text="x")

    def test_a_correction_without_text_is_refused(self, editor):
        with pytest.raises(ValidationError):
            article_record_change(article=ArticleFactory(), user=editor, kind="correction")

    def test_unknown_kinds_are_refused(self, editor):
        with pytest.raises(ValueError):
            article_record_change(article=ArticleFactory(), user=editor, kind="retraction")

    def test_every_kind_is_a_choice_of_the_form(self):
        assert set(ChangeKind.values) == {*ArticleNote.Kind.values, "silent"}


class TestArticlePage:
    def test_corrections_at_the_top_updates_at_the_foot(self, client):
        article = ArticleFactory(body="<p>The body.</p>")
        december = datetime(2026, 12, 3, 10, tzinfo=NEW_YORK)
        correction = note(
            article,
            text="An earlier version said 36 people; the figure is 63.",
            published_at=december,
        )
        note(article, kind="update", text="Two were released on Friday.", published_at=december)
        article.substantively_updated_at = december
        article.save()

        html = client.get(article.get_absolute_url()).content.decode()

        assert (
            'Correction, <time datetime="2026-12-03T10:00:00-05:00">December 3, 2026</time>:'
            "</strong> An earlier version said 36 people; the figure is 63." in html
        )
        assert f'id="note-{correction.pk}"' in html
        top = html.index("An earlier version said 36")
        body = html.index("The body.")
        foot = html.index("Two were released on Friday.")
        assert top < body < foot
        assert "Updated <time" in html

    def test_notes_are_escaped(self, client):
        article = ArticleFactory()
        note(article, text="<script>alert(1)</script>")

        response = client.get(article.get_absolute_url())

        assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_query_count_does_not_grow_with_notes(self, client, django_assert_max_num_queries):
        SiteSettings.load()
        article = ArticleFactory()
        for i in range(5):
            note(article, text=f"Correction {i}")
            note(article, kind="update", text=f"Update {i}")
        with django_assert_max_num_queries(10):
            response = client.get(article.get_absolute_url())
        assertContains(response, "Correction 4")

    def test_a_new_note_shows_at_once(self, client):
        article = ArticleFactory()
        client.get(article.get_absolute_url())

        note(article, text="Fresh correction")

        assertContains(client.get(article.get_absolute_url()), "Fresh correction")

    def test_json_ld_carries_corrections_and_date_modified(self, client):
        article = ArticleFactory()
        moment = datetime(2026, 12, 3, 10, tzinfo=NEW_YORK)
        note(article, text="The figure is 63.", published_at=moment)
        note(article, kind="clarification", text="They are the police.", published_at=moment)
        note(article, kind="update", text="Two were released.", published_at=moment)
        article_record_change(
            article=article,
            user=_staff(),
            kind="update",
            at=moment,
        )

        data = json_ld_of(client.get(article.get_absolute_url()))

        assert data["dateModified"] == "2026-12-03T10:00:00-05:00"
        assert data["correction"] == [
            {
                "@type": "CorrectionComment",
                "text": "The figure is 63.",
                "datePublished": "2026-12-03T10:00:00-05:00",
            },
            {
                "@type": "CorrectionComment",
                "text": "They are the police.",
                "datePublished": "2026-12-03T10:00:00-05:00",
            },
        ]

    def test_json_ld_without_corrections_has_no_correction(self, client):
        article = ArticleFactory()
        assert "correction" not in json_ld_of(client.get(article.get_absolute_url()))

    def test_preview_shows_notes_too(self, editor_client):
        article = ArticleFactory(draft=True)
        note(article, text="Preview correction")

        response = editor_client.get(reverse("admin:articles_article_preview", args=[article.pk]))

        assertContains(response, "Preview correction")


def _staff():
    return UserFactory(is_superuser=True, is_staff=True)


class TestArticleFeeds:
    def test_a_correction_re_announces_the_article(self, client):
        article = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
        rss = parse_xml(client.get("/news/feed/").content)
        assert rss.find("./channel/item").find(f"{ATOM}updated") is None

        article_record_change(article=article, user=_staff(), kind="correction", text="63.")

        item = parse_xml(client.get("/news/feed/").content).find("./channel/item")
        assert item.find(f"{ATOM}updated") is not None
        entry = parse_xml(client.get("/news/feed/atom/").content).find(f"{ATOM}entry")
        updated = datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        published = datetime.fromisoformat(entry.find(f"{ATOM}published").text)
        assert updated > published
        article.refresh_from_db()
        assert updated == article.substantively_updated_at


class TestCorrectionsPage:
    def test_lists_corrections_and_clarifications_of_live_articles_newest_first(self, client):
        now = timezone.now()
        live = ArticleFactory(title="Live article")
        old = note(live, text="Old correction", published_at=now - timedelta(days=2))
        new = note(
            live, kind="clarification", text="New clarification", published_at=now - timedelta(1)
        )
        note(live, kind="update", text="An update is not a correction")
        note(ArticleFactory(draft=True), text="Draft's correction")
        note(ArticleFactory(published_at=now + timedelta(days=1)), text="Scheduled's correction")

        response = client.get(CORRECTIONS)

        assert response.status_code == 200
        assert list(response.context["notes"]) == [new, old]
        html = response.content.decode()
        assert html.index("New clarification") < html.index("Old correction")
        assert "An update is not a correction" not in html
        assert "Draft's correction" not in html
        assert "Scheduled's correction" not in html
        assertContains(response, f'href="{live.get_absolute_url()}#note-{new.pk}"')

    def test_says_the_policy_and_where_to_report_an_error(self, client):
        settings_row = SiteSettings.objects.create(
            pk=1, corrections_policy="We fix errors within a day.", press_email="desk@example.org"
        )

        response = client.get(CORRECTIONS)

        assertContains(response, settings_row.corrections_policy)
        assertContains(response, 'href="mailto:desk@example.org"')
        assertContains(response, f'href="{CORRECTIONS_FEED}"')

    def test_empty(self, client):
        assertContains(client.get(CORRECTIONS), "No corrections or clarifications")

    def test_paginated(self, client):
        article = ArticleFactory()
        start = timezone.now() - timedelta(days=30)
        ArticleNote.objects.bulk_create(
            [
                ArticleNote(
                    article=article,
                    kind="correction",
                    text=f"Correction {i:02}",
                    published_at=start + timedelta(hours=i),
                )
                for i in range(25)
            ]
        )

        first = client.get(CORRECTIONS)
        second = client.get(CORRECTIONS, {"page": 2})

        assert len(first.context["notes"]) == CorrectionListView.paginate_by == 20
        assert [n.text for n in second.context["notes"]][-1] == "Correction 00"
        assertContains(first, 'rel="next"')
        assertContains(second, 'rel="prev"')
        assert client.get(CORRECTIONS, {"page": 99}).status_code == 404
        assert client.get(CORRECTIONS, {"page": "abc"}).status_code == 404

    @pytest.mark.parametrize("count", [1, 40])
    def test_query_count_is_fixed(self, client, django_assert_max_num_queries, count):
        SiteSettings.load()
        articles = ArticleFactory.create_batch(3)
        for i in range(count):
            note(articles[i % 3], text=f"Correction {i}")
        # The content epoch, the settings (both cached until the next edit), the count
        # and the page: whatever the number of notes.
        with django_assert_max_num_queries(4):
            assert client.get(CORRECTIONS).status_code == 200

    def test_only_get(self, client):
        assert client.post(CORRECTIONS).status_code == 405

    def test_page_is_cacheable_and_follows_new_notes(self, client):
        assert is_public_path(CORRECTIONS)
        assert is_public_path(CORRECTIONS_FEED)
        article = ArticleFactory()
        client.get(CORRECTIONS)
        note(article, text="Added later")

        assertContains(client.get(CORRECTIONS), "Added later")

    def test_no_article_can_take_its_address(self):
        with pytest.raises(ValidationError) as error:
            ArticleFactory.build(slug="corrections").full_clean()
        assert "slug" in error.value.message_dict

    def test_the_route_wins_over_an_article_slug(self, client):
        Article.objects.bulk_create(
            [
                Article(
                    title="Sneaky",
                    slug="corrections",
                    summary="x",
                    status=Article.Status.PUBLISHED,
                )
            ]
        )
        assert resolve(CORRECTIONS).url_name == "corrections"
        assertNotContains(client.get(CORRECTIONS), "Sneaky")


class TestCorrectionsFeed:
    def test_items_link_to_the_article_notes(self, client):
        article = ArticleFactory(title="Detentions in the capital")
        correction = note(article, text="The figure is 63.")
        note(article, kind="update", text="Not in the feed")
        note(ArticleFactory(draft=True), text="Nor this")

        response = client.get(CORRECTIONS_FEED)

        assert response["Content-Type"].startswith("application/rss+xml")
        channel = parse_xml(response.content).find("./channel")
        assert "corrections" in channel.findtext("title")
        [item] = channel.findall("item")
        assert item.findtext("title") == "Correction: Detentions in the capital"
        assert item.findtext("description") == "The figure is 63."
        assert item.findtext("link") == (
            f"http://testserver{article.get_absolute_url()}#note-{correction.pk}"
        )
        assert item.findtext("pubDate")

    def test_query_count_is_fixed(self, client, django_assert_max_num_queries):
        SiteSettings.load()
        for article in ArticleFactory.create_batch(5):
            note(article)
        with django_assert_max_num_queries(3):
            assert client.get(CORRECTIONS_FEED).status_code == 200


class TestNoteAdmin:
    def test_writers_only_read_notes(self, writer_client):
        published = note(ArticleFactory(), text="Typo in teh note")
        url = reverse("admin:articles_articlenote_change", args=[published.pk])

        assert writer_client.get(url).status_code == 200
        assert writer_client.post(url, {"kind": "correction", "text": "x"}).status_code == 403
        published.refresh_from_db()
        assert published.text == "Typo in teh note"

    def test_editors_may_correct_a_note(self, editor_client):
        published = note(ArticleFactory(), text="Typo in teh note")
        url = reverse("admin:articles_articlenote_change", args=[published.pk])
        moment = timezone.localtime(published.published_at)

        response = editor_client.post(
            url,
            {
                "kind": "correction",
                "text": "Typo in the note",
                "published_at_0": moment.strftime("%Y-%m-%d"),
                "published_at_1": moment.strftime("%H:%M:%S"),
            },
        )

        assert response.status_code == 302
        published.refresh_from_db()
        assert published.text == "Typo in the note"

    def test_notes_are_not_added_from_their_own_admin(self, editor_client):
        assert editor_client.get(reverse("admin:articles_articlenote_add")).status_code == 403

    def test_a_note_needs_text(self):
        with pytest.raises(ValidationError):
            ArticleNote(article=ArticleFactory(), kind="correction", text="").full_clean()
