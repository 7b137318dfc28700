"""Revisions of articles: kept on every save, compared field by field and word by word,
restored through the editor, and guarding saves against overwriting someone else's."""

import time
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Region
from articles.sanitize import html_to_text
from articles.states import State
from desk.models import ArticleRevision
from desk.revisions import (
    compare,
    ensure_current,
    record_revision,
    snapshot,
    word_diff,
)
from tests.factories import ArticleFactory as BaseArticleFactory
from tests.factories import (
    DocumentFactory,
    PhotoFactory,
    SpokespersonFactory,
    UserFactory,
)
from tests.smtp import race

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def ArticleFactory(**kwargs):
    """An article whose publication time the form's seconds-precision fields keep as is."""
    kwargs.setdefault("published_at", timezone.now().replace(microsecond=0))
    return BaseArticleFactory(**kwargs)


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def revisions_url(article):
    return reverse("admin:articles_article_revisions", args=[article.pk])


def compare_url(article, a, b):
    return f"{reverse('admin:articles_article_compare', args=[article.pk])}?a={a}&b={b}"


def form_data(article, **overrides):
    """The change form as it stands for ``article``, relations included."""
    published_at = timezone.localtime(article.published_at)
    data = {
        "kind": article.kind,
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "published_at_0": published_at.strftime("%Y-%m-%d"),
        "published_at_1": published_at.strftime("%H:%M:%S"),
        "substantively_updated_at_0": "",
        "substantively_updated_at_1": "",
        "regions": [region.pk for region in article.regions.all()],
        "topics": [tag.pk for tag in article.topics.all()],
        # A live article's changed text must say what kind of change it is.
        "change_kind": "silent",
        "hero_photo": article.hero_photo_id or "",
        "hero_caption": article.hero_caption,
        "attachments": [document.pk for document in article.attachments.all()],
        "related": [other.pk for other in article.related.all()],
        "spokespeople": [person.pk for person in article.spokespeople.all()],
        "reference_number": article.reference_number,
        "_save": "Save",
    }
    data.update(overrides)
    return data


def opened(client, article):
    """Open the change form like a person does; the form data it would post."""
    response = client.get(change_url(article))
    assert response.status_code == 200
    form = response.context["adminform"].form
    return form_data(article, base_version=form.base_version_value)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


class TestRecording:
    def test_an_admin_save_keeps_content_metadata_and_relations(self, editor_client, editor):
        article = ArticleFactory(title="Old title", status=Article.Status.DRAFT)
        photo = PhotoFactory(title="Border fence")
        document = DocumentFactory(title="Full report")
        person = SpokespersonFactory(name="Ana Rivera")
        other = ArticleFactory(title="Earlier release")
        mexico = Region.objects.get(slug="mx")
        data = opened(editor_client, article)
        data.update(
            title="New title",
            regions=[mexico.pk],
            new_topics="Asylum, Refugees and migrants",
            hero_photo=photo.pk,
            hero_caption="At the border",
            attachments=[document.pk],
            related=[other.pk],
            spokespeople=[person.pk],
        )
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302

        latest = article.revisions.order_by("-version").first()
        assert latest.created_by == editor
        assert latest.message.startswith("Changed ")
        saved = latest.snapshot
        assert saved["title"] == "New title"
        assert saved["regions"] == [[mexico.pk, "Mexico"]]
        assert saved["topics"] == ["Asylum", "Refugees and migrants"]
        assert saved["hero_photo"] == [photo.pk, "Border fence"]
        assert saved["hero_caption"] == "At the border"
        assert saved["attachments"] == [[document.pk, str(document)]]
        assert saved["related"] == [[other.pk, "Earlier release"]]
        assert saved["spokespeople"] == [[person.pk, "Ana Rivera"]]
        assert saved["status"] == "draft"
        # Opening the form recorded the article as it was before revisions began.
        first = article.revisions.get(version=1)
        assert first.snapshot["title"] == "Old title"
        assert first.created_by is None

    def test_the_add_form_keeps_version_one(self, editor_client, editor):
        response = editor_client.post(
            ADD,
            {
                "kind": Article.Kind.STATEMENT,
                "title": "A statement",
                "slug": "a-statement",
                "summary": "Short.",
                "body": "<p>Text.</p>",
                "status": Article.Status.DRAFT,
                "published_at_0": "2026-06-15",
                "published_at_1": "09:00:00",
                "new_topics": "Asylum",
                "_save": "Save",
            },
        )
        assert response.status_code == 302
        article = Article.objects.get(slug="a-statement")
        revision = article.revisions.get()
        assert (revision.version, revision.created_by, revision.message) == (1, editor, "Created.")
        assert revision.snapshot["topics"] == ["Asylum"]

    def test_saving_without_changes_keeps_no_new_version(self, editor_client):
        article = ArticleFactory()
        data = opened(editor_client, article)
        assert editor_client.post(change_url(article), data).status_code == 302
        assert article.revisions.count() == 1

    def test_publishing_and_unpublishing_are_versions(self, editor_client, editor):
        article = ArticleFactory(status=Article.Status.DRAFT)
        ensure_current(article)
        for action in ("publish_now", "unpublish"):
            editor_client.post(
                CHANGELIST, {"action": action, "_selected_action": [article.pk]}, follow=True
            )
        versions = list(article.revisions.order_by("version"))
        # Unpublishing a live article leaves it "unpublished" (the review workflow's
        # state for an article that was public), not a draft.
        assert [v.snapshot["status"] for v in versions] == ["draft", "published", "unpublished"]
        assert versions[1].was_live and not versions[2].was_live
        assert versions[1].created_by == editor

    def test_a_change_outside_the_editor_is_recorded_when_the_form_opens(self, editor_client):
        article = ArticleFactory(title="Before")
        ensure_current(article)
        Article.objects.filter(pk=article.pk).update(title="Changed by a script")
        editor_client.get(change_url(article))
        latest = article.revisions.order_by("-version").first()
        assert latest.version == 2
        assert latest.snapshot["title"] == "Changed by a script"
        assert latest.created_by is None
        assert "outside the editor" in latest.message

    def test_numbering_is_per_article(self):
        one, two = ArticleFactory(), ArticleFactory()
        assert record_revision(article=one).version == 1
        assert record_revision(article=two).version == 1
        one.title = "Changed"
        one.save()
        assert record_revision(article=one).version == 2


class TestWordDiff:
    def test_marks_inserted_and_deleted_words(self):
        html = word_diff("36 people were detained", "63 people were detained")
        assert '<del><span class="revision-sr">removed: </span>36</del>' in html
        assert '<ins><span class="revision-sr">added: </span>63</ins>' in html
        assert "people were detained" in html

    def test_body_is_compared_as_text_never_as_markup(self):
        old = "<p>The <strong>figure</strong> was 36.</p><p>Second paragraph.</p>"
        new = '<p>The figure was 63.</p><p>Second <a href="https://x.example">paragraph</a>.</p>'
        assert html_to_text(old, paragraphs=True) == "The figure was 36.\n\nSecond paragraph."
        changes = compare({"body": old}, {"body": new})
        assert [change.key for change in changes] == ["body"]
        diff = str(changes[0].diff)
        assert "<strong>" not in diff and "<a " not in diff
        assert diff.count("<p>") == 2
        assert "36.</del>" in diff and "63.</ins>" in diff

    def test_each_list_item_is_compared_on_its_own(self):
        old = "<ul><li>First finding</li><li>Second finding</li></ul><p>Then<br>more.</p>"
        new = "<ul><li>First finding</li><li>Second result</li></ul><p>Then<br>more.</p>"
        diff = str(compare({"body": old}, {"body": new})[0].diff)
        assert diff.count("<p>") == 4
        assert "<p>- First finding</p>" in diff and "<p>more.</p>" in diff
        assert "finding</del>" in diff and "result</ins>" in diff

    def test_typed_markup_is_escaped(self):
        diff = str(word_diff("a", "a <script>alert(1)</script> &amp;"))
        assert "<script>" not in diff
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in diff

    def test_a_split_paragraph_reads_as_two(self):
        diff = str(word_diff("one two", "one\n\ntwo"))
        assert diff == (
            '<p>one <del><span class="revision-sr">removed: </span>two</del></p>'
            '<p><ins><span class="revision-sr">added: </span>two</ins></p>'
        )

    def test_a_long_report_with_a_few_edits_is_compared_quickly(self):
        """5,000 words of a small vocabulary (the worst case for matching words), with
        an edit every 50 words: paragraphs first keeps it well under a second."""
        vocabulary = ["people", "detained", "the", "report", "said", "63", "police"]
        words = [vocabulary[(n * 7 + n // 3) % len(vocabulary)] for n in range(5000)]
        edited = ["CHANGED" if n % 50 == 0 else word for n, word in enumerate(words)]

        def text(tokens):
            return "\n\n".join(" ".join(tokens[i : i + 100]) for i in range(0, 5000, 100))

        started = time.perf_counter()
        diff = str(word_diff(text(words), text(edited)))
        assert time.perf_counter() - started < 2
        assert diff.count("<p>") == 50
        assert diff.count("CHANGED</ins>") == 100

    def test_relations_list_what_was_added_and_removed(self):
        changes = compare(
            {"regions": [[1, "Mexico"], [2, "Chile"]]}, {"regions": [[2, "Chile"], [3, "Peru"]]}
        )
        assert changes[0].added == ["Peru"] and changes[0].removed == ["Mexico"]


class TestCompareView:
    def make_versions(self, editor_client):
        article = ArticleFactory(title="First title", body="<p>36 people were detained.</p>")
        data = opened(editor_client, article)
        editor_client.post(
            change_url(article),
            data | {"title": "Second title", "body": "<p>63 people were detained.</p>"},
        )
        return article

    def test_lists_versions_with_two_radio_columns(self, editor_client):
        article = self.make_versions(editor_client)
        response = editor_client.get(revisions_url(article))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('name="a"') == 2 and html.count('name="b"') == 2
        assert 'value="1" id="a-1" aria-label="Compare from version 1" checked' in html
        assert 'value="2" id="b-2" aria-label="Compare to version 2" checked' in html
        assert "Compare with previous" in html
        assert f"{change_url(article)}?restore=1" in html

    def test_compares_field_by_field(self, editor_client):
        article = self.make_versions(editor_client)
        # Either order: the older version is always "before".
        response = editor_client.get(compare_url(article, 2, 1))
        assert response.status_code == 200
        assert [change.key for change in response.context["changes"]] == ["title", "body"]
        html = response.content.decode()
        assert '<del><span class="revision-sr">removed: </span>36</del>' in html
        assert '<ins><span class="revision-sr">added: </span>63</ins>' in html

    def test_current_against_the_last_live_version(self, editor_client):
        article = ArticleFactory(
            status=Article.Status.PUBLISHED,
            published_at=timezone.now().replace(microsecond=0) - timedelta(days=1),
        )
        ensure_current(article)  # version 1, live
        # Taken off the site through the workflow (version 2), then edited (version 3).
        editor_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]})
        article.refresh_from_db()
        data = opened(editor_client, article) | {"summary": "Corrected summary."}
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 302
        response = editor_client.get(revisions_url(article))
        link = compare_url(article, 1, 3).replace("&", "&amp;")
        assert link in response.content.decode()
        assert "(last live)" in editor_client.get(compare_url(article, 1, 3)).content.decode()

    @pytest.mark.parametrize("query", ["", "?a=1", "?a=x&b=1", "?a=1&b=99"])
    def test_bad_choices_go_back_to_the_list_with_a_message(self, editor_client, query):
        article = self.make_versions(editor_client)
        url = reverse("admin:articles_article_compare", args=[article.pk]) + query
        response = editor_client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == revisions_url(article)
        text = " ".join(str(message) for message in response.context["messages"])
        assert "Choose two versions" in text or "no version 99" in text

    def test_many_versions_are_paginated(self, editor_client):
        article = ArticleFactory()
        for n in range(55):
            Article.objects.filter(pk=article.pk).update(title=f"Title {n}")
            record_revision(article=Article.objects.get(pk=article.pk))
        response = editor_client.get(revisions_url(article))
        assert len(response.context["page_obj"]) == 50
        assert editor_client.get(revisions_url(article) + "?page=2").status_code == 200


class TestStaleSave:
    def test_a_save_based_on_an_old_version_is_refused_and_loses_nothing(self, writer, editor):
        article = ArticleFactory(title="Original", summary="Original summary.")
        ana, ben = logged_in(editor), logged_in(writer)
        ana_form, ben_form = opened(ana, article), opened(ben, article)
        assert ana_form["base_version"] == ben_form["base_version"] == 1

        assert (
            ana.post(change_url(article), ana_form | {"title": "Ana's title"}).status_code == 302
        )

        response = ben.post(change_url(article), ben_form | {"summary": "Ben's summary."})
        assert response.status_code == 200
        form = response.context["adminform"].form
        html = response.content.decode()
        assert "while you were editing it" in str(form.non_field_errors())
        # Ben's typed text is still in the form, and what Ana changed is shown.
        assert "Ben&#x27;s summary." in html
        assert [change.key for change in form.revision_conflict.changes] == ["title"]
        assert "Ana&#x27;s" in html and 'class="desk-notice desk-notice--conflict"' in html
        article.refresh_from_db()
        assert (article.title, article.summary) == ("Ana's title", "Original summary.")
        # The re-rendered form is based on Ana's version: saving again is deliberate.
        assert form.base_version_value == 2
        again = ben.post(
            change_url(article),
            ben_form | {"summary": "Ben's summary.", "base_version": form.base_version_value},
        )
        assert again.status_code == 302
        article.refresh_from_db()
        assert article.summary == "Ben's summary."
        # Ben's whole form won, as the message told him; Ana's text is version 2.
        assert article.title == "Original"
        saved = [r.snapshot for r in article.revisions.order_by("version")]
        assert [(v["title"], v["summary"]) for v in saved] == [
            ("Original", "Original summary."),
            ("Ana's title", "Original summary."),
            ("Original", "Ben's summary."),
        ]

    def test_an_out_of_editor_change_also_makes_the_form_stale(self, editor_client):
        article = ArticleFactory(title="Original")
        data = opened(editor_client, article)
        Article.objects.filter(pk=article.pk).update(title="Imported again")
        response = editor_client.post(change_url(article), data | {"summary": "Mine."})
        assert response.status_code == 200
        assert "Someone (an import or a script)" in response.content.decode()

    def test_a_damaged_version_marker_is_refused(self, editor_client):
        article = ArticleFactory()
        data = opened(editor_client, article) | {"base_version": "1; drop"}
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "did not say which version" in response.content.decode()

    def test_a_post_without_a_version_is_refused(self, editor_client):
        """It cannot show it is not stale (tests/desk/test_admin_odd_input.py)."""
        article = ArticleFactory(title="Original")
        data = form_data(article, title="From an old page")
        response = editor_client.post(change_url(article), data)
        assert response.status_code == 200
        assert "did not say which version" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "Original"


class TestRestore:
    def test_loads_a_version_into_the_form_without_changing_anything(self, editor_client):
        article = ArticleFactory(title="First", status=Article.Status.DRAFT)
        editor_client.post(change_url(article), opened(editor_client, article) | {"title": "2nd"})
        response = editor_client.get(f"{change_url(article)}?restore=1")
        form = response.context["adminform"].form
        assert form.initial["title"] == "First"
        assert form.restored_from_value == 1
        assert "Version 1 is loaded into the form" in response.content.decode()
        article.refresh_from_db()
        assert article.title == "2nd"
        assert article.revisions.count() == 2

    def test_saving_the_restored_version_is_a_new_version(self, editor_client):
        article = ArticleFactory(title="First")
        editor_client.post(change_url(article), opened(editor_client, article) | {"title": "2nd"})
        data = opened(editor_client, article) | {"title": "First", "restored_from": "1"}
        assert editor_client.post(change_url(article), data).status_code == 302
        latest = article.revisions.order_by("-version").first()
        assert latest.version == 3
        assert latest.message.startswith("Restored version 1.")
        assert latest.snapshot["title"] == "First"

    def test_restoring_never_publishes_or_unpublishes(self, writer_client):
        """A live article restored to a version saved while it was a draft stays live;
        a draft restored to a live version stays a draft."""
        draft = ArticleFactory(status=Article.Status.DRAFT, title="Draft text")
        ensure_current(draft)
        draft.status = Article.Status.PUBLISHED
        draft.published_at = timezone.now() - timedelta(hours=1)
        draft.title = "Live text"
        draft.save()
        ensure_current(draft)
        draft.status = Article.Status.DRAFT
        draft.save()  # unpublished again
        response = writer_client.get(f"{change_url(draft)}?restore=2")
        form = response.context["adminform"].form
        assert form.initial["title"] == "Live text"
        # The status is not the form's to set (the workflow's buttons are): the loaded
        # version carries none, and the article is shown as it stands.
        assert "status" not in form.fields and "status" not in form.initial
        assert response.context["workflow"]["state"] == State.DRAFT

    def test_relations_deleted_since_are_named_and_left_out(self, editor_client):
        article = ArticleFactory()
        document = DocumentFactory(title="Withdrawn annex")
        article.attachments.set([document])
        ensure_current(article)
        article.attachments.clear()
        document.delete()
        response = editor_client.get(f"{change_url(article)}?restore=1")
        assert response.context["adminform"].form.initial["attachments"] == []
        assert "Withdrawn annex" in response.content.decode()

    def test_an_unknown_version_says_so(self, editor_client):
        article = ArticleFactory()
        response = editor_client.get(f"{change_url(article)}?restore=42")
        assert response.status_code == 200
        assert "There is no version 42" in response.content.decode()


class TestPermissions:
    """Every new route: staff only, reading needs view permission, acting needs change."""

    def routes(self, article):
        pk = article.pk
        return {
            "revisions": (reverse("admin:articles_article_revisions", args=[pk]), "GET"),
            "compare": (compare_url(article, 1, 1), "GET"),
            "heartbeat": (reverse("admin:articles_article_lock_heartbeat", args=[pk]), "POST"),
            "take-over": (reverse("admin:articles_article_lock_take_over", args=[pk]), "POST"),
            "release": (reverse("admin:articles_article_lock_release", args=[pk]), "POST"),
            "preview-form": (reverse("admin:articles_article_preview", args=[pk]), "POST"),
            "preview-new": (reverse("admin:articles_article_preview_new"), "POST"),
        }

    def call(self, client, url, method, article):
        if method == "GET":
            return client.get(url)
        return client.post(url, form_data(article, slug="a-new-one", status="draft"))

    def test_anonymous_and_non_staff_are_sent_to_the_login(self, client):
        article = ArticleFactory()
        ensure_current(article)
        for user in (None, UserFactory(is_staff=False)):
            if user:
                client.force_login(user)
            for name, (url, method) in self.routes(article).items():
                response = self.call(client, url, method, article)
                assert response.status_code == 302, name
                assert "/login/" in response["Location"], name

    def test_staff_without_article_permissions_are_refused(self, client):
        article = ArticleFactory()
        ensure_current(article)
        client.force_login(UserFactory(is_staff=True))
        for name, (url, method) in self.routes(article).items():
            assert self.call(client, url, method, article).status_code == 403, name

    def test_the_press_office_reads_revisions_but_cannot_act(self, client, press_officer):
        article = ArticleFactory()
        ensure_current(article)
        client.force_login(press_officer)
        expected = {"revisions": 200, "compare": 200}
        for name, (url, method) in self.routes(article).items():
            response = self.call(client, url, method, article)
            assert response.status_code == expected.get(name, 403), name
        # Reading offers no "Load into editor".
        assert "?restore=" not in client.get(revisions_url(article)).content.decode()

    def test_writers_use_every_route(self, writer_client):
        article = ArticleFactory(status=Article.Status.DRAFT)
        ensure_current(article)
        for name, (url, method) in self.routes(article).items():
            response = self.call(writer_client, url, method, article)
            assert response.status_code in (200, 204, 302), name

    @pytest.mark.parametrize("name", ["heartbeat", "take-over", "release", "preview-new"])
    def test_post_only_routes_refuse_get(self, editor_client, name):
        article = ArticleFactory()
        url, _ = self.routes(article)[name]
        response = editor_client.get(url)
        assert response.status_code == 405
        assert "POST" in response["Allow"]

    def test_unknown_article_is_404(self, editor_client):
        url = reverse("admin:articles_article_revisions", args=[999999])
        assert editor_client.get(url).status_code == 404


def test_revisions_link_on_the_change_form(editor_client):
    article = ArticleFactory()
    assert (
        f'href="{revisions_url(article)}"'
        in editor_client.get(change_url(article)).content.decode()
    )


def test_deleting_an_article_deletes_its_revisions(editor_client):
    article = ArticleFactory()
    ensure_current(article)
    article.delete()
    assert not ArticleRevision.objects.exists()


def test_snapshot_reads_the_database_not_a_stale_prefetch():
    article = ArticleFactory()
    article = Article.objects.prefetch_related("regions").get(pk=article.pk)
    list(article.regions.all())
    Article.regions.through.objects.create(article=article, region=Region.objects.get(slug="cl"))
    assert snapshot(article)["regions"] == [[Region.objects.get(slug="cl").pk, "Chile"]]


def test_no_log_entry_is_needed_to_record(editor):
    """Revisions are their own record; the admin history (LogEntry) is unchanged."""
    article = ArticleFactory()
    record_revision(article=article, user=editor, message="Saved.")
    assert not LogEntry.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_of_one_version_at_the_same_moment_cannot_both_pass(editor, writer):
    """The version check locks the article's row until the save commits, so of two saves
    of the same version arriving together the second sees the first and is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent requests need PostgreSQL (SQLite serialises writes itself)")
    article = ArticleFactory(title="Original")
    clients = iter([logged_in(editor), logged_in(writer)])
    forms = [(client, opened(client, article)) for client in clients]
    pending = iter(
        [
            (forms[0][0], forms[0][1] | {"title": "Editor's title"}),
            (forms[1][0], forms[1][1] | {"summary": "Writer's summary."}),
        ]
    )

    def save():
        client, data = next(pending)
        return client.post(change_url(article), data).status_code

    assert sorted(race(save)) == [200, 302]
    assert article.revisions.count() == 2
