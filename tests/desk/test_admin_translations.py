"""Stale translations in the article admin: the list's column and filter, the change
form's diff and "Mark as up to date", and the translation-status view."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from desk.models import TranslationBase
from desk.revisions import record_revision
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
STATUS = reverse("admin:articles_article_translations")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def mark_url(article):
    return reverse("admin:articles_article_mark_up_to_date", args=[article.pk])


def edit(article, **fields):
    for name, value in fields.items():
        setattr(article, name, value)
    article.save()
    return record_revision(article=article, message="Saved.")


def group(title="Release the detained activists", languages=("es", "fr")):
    source = ArticleFactory(
        title=title,
        summary="The authorities must release them.",
        body="<p>The activists were detained after a peaceful protest.</p>",
    )
    record_revision(article=source, message="Created.")
    translations = {
        code: ArticleFactory(language=code, translation_of=source, title=f"{title} ({code})")
        for code in languages
    }
    return source, translations


def listed(response):
    return {article.title for article in response.context["cl"].result_list}


class TestChangeList:
    def test_a_stale_translation_is_badged(self, multilingual, editor_client):
        source, _translations = group()
        edit(source, title="Free the detained activists")
        response = editor_client.get(CHANGELIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "column-state_and_freshness" in html
        assert html.count("state-badge translation-badge--stale") == 2  # es and fr
        assert "column-state_badge" not in html  # the state's column, with the badge
        assert "desk/translations.css" in html
        assert reverse("admin:articles_article_translations") in html

    @pytest.mark.parametrize(("stale", "expected"), [("1", {"es"}), ("0", {"fr"})])
    def test_filter(self, multilingual, editor_client, stale, expected):
        source, translations = group()
        edit(source, summary="A different summary.")
        TranslationBase.objects.filter(translation=translations["fr"]).update(
            source_revision=source.revisions.order_by("-version").first()
        )
        response = editor_client.get(CHANGELIST, {"stale": stale})
        assert listed(response) == {translations[code].title for code in expected}

    def test_an_odd_filter_value_lists_everything(self, multilingual, editor_client):
        group()
        response = editor_client.get(CHANGELIST, {"stale": "x" * 500})
        assert response.status_code == 200

    def test_no_query_per_row(self, multilingual, editor_client):
        def count():
            editor_client.get(CHANGELIST)
            with CaptureQueriesContext(connection) as ctx:
                response = editor_client.get(CHANGELIST)
            return len(ctx.captured_queries), len(response.context["cl"].result_list)

        source, _ = group(title="One")
        edit(source, title="One, edited")
        few, shown = count()
        for n in range(4):
            other, _ = group(title=f"Other {n}")
            edit(other, title=f"Other {n}, edited")
        many, more = count()
        assert (shown, more) == (3, 15)
        assert many == few

    def test_english_only_admin_is_unchanged(self, editor_client):
        source = ArticleFactory(title="Only English")
        edit(source, title="Only English, edited")
        response = editor_client.get(CHANGELIST)
        html = response.content.decode()
        assert "column-state_and_freshness" not in html
        assert "translation-badge" not in html
        assert "desk/translations.css" not in html
        assert "?stale=" not in html
        assert reverse("admin:articles_article_translations") not in html
        response = editor_client.get(change_url(source))
        assert "translation-stale" not in response.content.decode()


class TestChangeForm:
    def test_a_stale_translation_shows_the_source_diff(self, multilingual, editor_client):
        source, translations = group()
        edit(
            source,
            title="Release the <b>detained</b> activists now",
            body="<p>The activists were detained after a peaceful march.</p>",
        )
        response = editor_client.get(change_url(translations["es"]))
        html = response.content.decode()
        assert "The source changed since this translation was made or last updated" in html
        assert "&lt;b&gt;detained&lt;/b&gt;" in html
        assert "<b>detained</b>" not in html
        assert '<ins><span class="revision-sr">added: </span>march.</ins>' in html
        assert '<del><span class="revision-sr">removed: </span>protest.</del>' in html
        assert 'name="source_version" value="2"' in html
        assert mark_url(translations["es"]) in html

    def test_an_up_to_date_translation_and_a_source_show_no_panel(
        self, multilingual, editor_client
    ):
        source, translations = group()
        edit(source, slug="a-new-slug", status=Article.Status.UNPUBLISHED)
        for article in (source, translations["es"]):
            response = editor_client.get(change_url(article))
            assert response.status_code == 200
            assert "translation-stale" not in response.content.decode()

    def test_mark_as_up_to_date(self, multilingual, editor_client, editor):
        source, translations = group()
        edit(source, title="New title")
        response = editor_client.post(mark_url(translations["es"]), {"source_version": "2"})
        assert response.status_code == 302
        assert response.url == change_url(translations["es"])
        base = TranslationBase.objects.get(translation=translations["es"])
        assert (base.source_revision.version, base.marked_by) == (2, editor)
        assert LogEntry.objects.filter(object_id=str(translations["es"].pk)).exists()
        response = editor_client.get(response.url)
        html = response.content.decode()
        assert "Marked up to date with version 2 of the source." in html
        assert "translation-stale" not in html

    def test_marking_an_older_version_keeps_later_changes_shown(self, multilingual, editor_client):
        source, translations = group()
        edit(source, title="New title")
        edit(source, summary="New summary")
        editor_client.post(mark_url(translations["es"]), {"source_version": "2"})
        html = editor_client.get(change_url(translations["es"])).content.decode()
        panel = html[html.index('class="desk-notice desk-notice--warning translation-stale"') :]
        panel = panel[: panel.index("</section>")]
        assert "between version 2, which this translation follows, and" in panel
        assert '<th scope="row">Summary</th>' in panel
        assert "New summary" in panel
        assert '<th scope="row">Title</th>' not in panel

    @pytest.mark.parametrize("version", ["", "99", "x" * 5000, "²", "-1"])
    def test_an_odd_version_marks_nothing(self, multilingual, editor_client, version):
        source, translations = group()
        edit(source, title="New title")
        response = editor_client.post(mark_url(translations["es"]), {"source_version": version})
        assert response.status_code == 302
        assert (
            TranslationBase.objects.get(translation=translations["es"]).source_revision.version
            == 1
        )
        html = editor_client.get(response.url).content.decode()
        assert "nothing was marked" in html

    def test_a_version_of_another_article_marks_nothing(self, multilingual, editor_client):
        source, translations = group()
        other, _ = group(title="Other")
        edit(other, title="Other, edited")
        editor_client.post(mark_url(translations["es"]), {"source_version": "2"})
        assert (
            TranslationBase.objects.get(translation=translations["es"]).source_revision.article
            == source
        )

    def test_a_source_cannot_be_marked(self, multilingual, editor_client):
        source, _ = group()
        response = editor_client.post(mark_url(source), {"source_version": "1"})
        assert response.status_code == 302
        assert "no translation" in editor_client.get(response.url).content.decode()

    def test_marking_needs_post_csrf_and_change_permission(
        self, multilingual, client, editor, press_officer
    ):
        source, translations = group()
        edit(source, title="New title")
        url = mark_url(translations["es"])
        client.force_login(editor)
        assert client.get(url).status_code == 405
        csrf_client = type(client)(enforce_csrf_checks=True)
        csrf_client.force_login(editor)
        assert csrf_client.post(url, {"source_version": "2"}).status_code == 403
        client.force_login(press_officer)
        assert client.post(url, {"source_version": "2"}).status_code == 403
        html = client.get(change_url(translations["es"])).content.decode()
        assert "translation-stale" in html  # a reader sees the changes
        assert url not in html  # but no button
        client.logout()
        response = client.post(url, {"source_version": "2"})
        assert response.status_code == 302 and "/login/" in response.url
        assert (
            TranslationBase.objects.get(translation=translations["es"]).source_revision.version
            == 1
        )
        assert (
            client.post(mark_url(Article(pk=999999)), {"source_version": "1"}).status_code == 302
        )

    def test_an_unknown_article_is_404(self, multilingual, editor_client):
        response = editor_client.post(
            reverse("admin:articles_article_mark_up_to_date", args=[999999]),
            {"source_version": "1"},
        )
        assert response.status_code == 404


class TestStatusView:
    def rows(self, response):
        return [
            (
                row["source"].title,
                [cell["version"] and cell["version"].language for cell in row["cells"]],
            )
            for row in response.context["rows"]
        ]

    def test_one_row_per_source_with_a_column_per_language(self, multilingual, editor_client):
        source, translations = group(languages=("es", "ar"))
        ArticleFactory(title="English only")
        edit(source, title="Edited")
        response = editor_client.get(STATUS)
        assert response.status_code == 200
        rows = dict(self.rows(response))
        assert rows == {
            "Edited": ["en", "es", None, "ar"],
            "English only": ["en", None, None, None],
        }
        html = response.content.decode()
        assert html.count('class="state-badge translation-badge--stale"') == 2
        assert change_url(translations["ar"]) in html
        assert "Español" in html and "العربية" in html

    def test_filters(self, multilingual, editor_client):
        stale_es, translations = group(title="Stale in Spanish", languages=("es", "fr"))
        edit(stale_es, title="Stale in Spanish, edited")
        TranslationBase.objects.filter(translation=translations["fr"]).update(
            source_revision=stale_es.revisions.get(version=2)
        )
        group(title="Fresh in French", languages=("fr",))
        ArticleFactory(title="English only")
        spanish = ArticleFactory(title="Spanish source", language="es")

        def titles(**params):
            return {title for title, _ in self.rows(editor_client.get(STATUS, params))}

        assert titles() == {
            "Stale in Spanish, edited",
            "Fresh in French",
            "English only",
            "Spanish source",
        }
        assert titles(language="es") == {"Stale in Spanish, edited", "Spanish source"}
        assert titles(language="fr") == {"Stale in Spanish, edited", "Fresh in French"}
        assert titles(stale="1") == {"Stale in Spanish, edited"}
        assert titles(stale="1", language="fr") == set()
        assert titles(stale="1", language="es") == {"Stale in Spanish, edited"}
        assert spanish.pk  # a source in another language is a row of its own

    @pytest.mark.parametrize(
        "params",
        [{"language": "xx"}, {"language": "x" * 5000}, {"stale": "yes"}, {"p": "999"}, {"p": "x"}],
    )
    def test_odd_parameters(self, multilingual, editor_client, params):
        group()
        response = editor_client.get(STATUS, params)
        assert response.status_code == 200
        assert len(response.context["rows"]) == 1

    def test_paginated_with_bounded_queries(self, multilingual, editor_client, settings):
        def count(**params):
            editor_client.get(STATUS, params)
            with CaptureQueriesContext(connection) as ctx:
                response = editor_client.get(STATUS, params)
            assert response.status_code == 200
            return len(ctx.captured_queries), len(response.context["rows"])

        source, _ = group(title="First")
        edit(source, title="First, edited")
        few, shown = count()
        for n in range(54):
            ArticleFactory(title=f"More {n}")
        other, _ = group(title="Last")
        edit(other, title="Last, edited")
        many, more = count()
        assert (shown, more) == (1, 50)
        assert many == few
        assert count(stale="1", language="es")[0] == few
        assert len(editor_client.get(STATUS, {"p": "2"}).context["rows"]) == 6
        html = editor_client.get(STATUS, {"stale": "1", "p": "1"}).content.decode()
        assert "Older articles" not in html

    def test_query_count_is_small(
        self, multilingual, editor_client, django_assert_max_num_queries
    ):
        for n in range(5):
            source, _ = group(title=f"Story {n}", languages=("es", "fr", "ar"))
            edit(source, title=f"Story {n}, edited")
        editor_client.get(STATUS)
        with django_assert_max_num_queries(8):
            editor_client.get(STATUS, {"stale": "1"})

    def test_permissions(self, multilingual, client, writer, press_officer):
        group()
        assert client.get(STATUS).status_code == 302  # to the login page
        client.force_login(UserFactory(is_staff=True))  # staff without permissions
        assert client.get(STATUS).status_code == 403
        for user in (writer, press_officer):
            client.force_login(user)
            assert client.get(STATUS).status_code == 200
        assert client.post(STATUS).status_code == 405
