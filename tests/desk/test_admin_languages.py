"""The article admin in several languages: the language on the add form, the versions
panel, "Translate into …", the shared fields of a translation, and the list's column and
filter (desk.admin_languages, desk.services.article_translate)."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, SlugRedirect
from desk.models import ArticleRevision
from desk.services import TranslationRefused, article_duplicate, article_translate
from desk.workflow import Action, perform
from tests.desk.test_admin import ADD, CHANGELIST, change_url, form_data, listed, opened_version
from tests.factories import ArticleFactory, PhotoFactory, UserFactory

pytestmark = pytest.mark.django_db


def translate_url(article):
    return reverse("admin:articles_article_translate", args=[article.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def source():
    return ArticleFactory(
        title="Release the detained journalists",
        slug="release-the-journalists",
        summary="Three journalists were detained.",
        body="<p>Three journalists were detained on Monday.</p>",
        hero_caption="The court in Lagos.",
        kind=Article.Kind.REPORT,
        reference_number="AFR 44/1234/2026",
        hero_photo=PhotoFactory(),
        regions=["africa", "ng"],
        topics=["Torture"],
    )


class TestEnglishOnly:
    """One language: the admin as it always was."""

    def test_add_form_has_no_language(self, editor_client):
        html = editor_client.get(ADD).content.decode()
        assert 'name="language"' not in html
        assert "Language" not in html

    def test_change_form_has_no_versions_panel(self, editor_client):
        article = ArticleFactory()
        html = editor_client.get(change_url(article)).content.decode()
        assert "Versions" not in html
        assert "Translate into" not in html

    def test_list_has_no_language_column_or_filter(self, editor_client):
        ArticleFactory()
        response = editor_client.get(CHANGELIST)
        html = response.content.decode()
        assert "column-language_column" not in html
        assert "By language" not in html and "language=" not in html

    def test_translate_is_not_found(self, editor_client):
        article = ArticleFactory()
        response = editor_client.post(translate_url(article), {"language": "es"})
        assert response.status_code == 404
        assert Article.objects.count() == 1

    def test_creating_still_makes_an_english_article(self, editor_client):
        response = editor_client.post(ADD, form_data())
        assert response.status_code == 302
        assert Article.objects.get().language == "en"


@pytest.mark.usefixtures("multilingual")
class TestLanguageOnTheForm:
    def test_add_form_offers_the_languages_by_their_own_names(self, writer_client):
        html = writer_client.get(ADD).content.decode()
        assert '<select name="language"' in html
        for value, name in [("en", "English"), ("es", "Español"), ("ar", "العربية")]:
            assert f'value="{value}"' in html and name in html
        assert '<option value="en" selected>' in html

    def test_a_new_article_in_spanish(self, writer_client):
        response = writer_client.post(ADD, form_data(language="es"))
        assert response.status_code == 302
        article = Article.objects.get()
        assert article.language == "es"
        assert article.translation_of is None

    def test_an_unknown_language_is_refused_on_the_form(self, writer_client):
        response = writer_client.post(ADD, form_data(language="xx"))
        assert response.status_code == 200
        assert "language" in response.context["adminform"].form.errors
        assert not Article.objects.exists()

    def test_language_is_read_only_after_creation(self, writer_client):
        article = ArticleFactory(draft=True, language="es")
        response = writer_client.get(change_url(article))
        html = response.content.decode()
        assert '<select name="language"' not in html
        assert "Español" in html
        # A crafted POST does not move it.
        data = form_data(
            title=article.title,
            slug=article.slug,
            language="fr",
            base_version=opened_version(article),
        )
        response = writer_client.post(change_url(article), data)
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.language == "es"


@pytest.mark.usefixtures("multilingual")
class TestVersionsPanel:
    def test_source_lists_its_versions_and_offers_the_others(self, writer_client, source):
        spanish = ArticleFactory(
            language="es", translation_of=source, title="Liberen a los periodistas", draft=True
        )
        html = writer_client.get(change_url(source)).content.decode()
        assert 'id="versions-heading"' in html
        assert f'<a href="{change_url(spanish)}">Liberen a los periodistas</a>' in html
        assert 'state-badge--draft">Draft<' in html
        assert 'state-badge--live">Live<' in html
        assert f'action="{translate_url(source)}"' in html
        assert 'value="fr" class="button">Translate into Français<' in html
        assert 'value="ar" class="button">Translate into العربية<' in html
        assert "Translate into Español" not in html
        assert "Translate into English" not in html

    def test_translation_shows_its_source_and_siblings(self, writer_client, source):
        spanish = ArticleFactory(language="es", translation_of=source, title="Liberen", draft=True)
        french = ArticleFactory(language="fr", translation_of=source, title="Libérez", draft=True)
        html = writer_client.get(change_url(spanish)).content.decode()
        assert f'<a href="{change_url(source)}">Release the detained journalists</a>' in html
        assert f'<a href="{change_url(french)}">Libérez</a>' in html
        assert "(source)" in html
        # Translating is done from the source, for the languages still missing.
        assert f'action="{translate_url(source)}"' in html
        assert 'value="ar"' in html and 'value="fr" class="button"' not in html

    def test_shared_fields_are_read_only_on_a_translation(self, writer_client, source):
        spanish = ArticleFactory(language="es", translation_of=source, draft=True)
        response = writer_client.get(change_url(spanish))
        html = response.content.decode()
        form = response.context["adminform"].form
        for field in ["kind", "regions", "topics", "reference_number", "hero_photo"]:
            assert field not in form.fields
        assert "title" in form.fields and "hero_caption" in form.fields
        assert "Shared with the source: edit them on" in html
        assert f'<a href="{change_url(source)}">Release the detained journalists</a>.' in html
        assert "AFR 44/1234/2026" in html

    def test_a_posted_shared_field_does_not_change_the_translation(self, writer_client, source):
        spanish = ArticleFactory(language="es", translation_of=source, draft=True)
        data = form_data(
            title="Liberen",
            slug=spanish.slug,
            kind="press-release",
            reference_number="",
            base_version=opened_version(spanish),
        )
        response = writer_client.post(change_url(spanish), data)
        assert response.status_code == 302
        spanish.refresh_from_db()
        assert spanish.title == "Liberen"
        assert spanish.kind == Article.Kind.REPORT
        assert spanish.reference_number == "AFR 44/1234/2026"

    def test_no_new_topics_on_a_translation(self, editor_client, source):
        spanish = ArticleFactory(language="es", translation_of=source, draft=True)
        assert 'name="new_topics"' not in editor_client.get(change_url(spanish)).content.decode()
        assert 'name="new_topics"' in editor_client.get(change_url(source)).content.decode()

    def test_the_source_keeps_its_shared_fields_editable(self, writer_client, source):
        form = writer_client.get(change_url(source)).context["adminform"].form
        assert {"kind", "regions", "topics", "hero_photo"} <= set(form.fields)

    def test_press_office_sees_versions_but_no_buttons(self, client, press_officer, source):
        client.force_login(press_officer)
        response = client.get(change_url(source))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="versions-heading"' in html
        assert "Translate into" not in html
        response = client.post(translate_url(source), {"language": "es"})
        assert response.status_code == 403
        assert Article.objects.count() == 1


@pytest.mark.usefixtures("multilingual")
class TestTranslateInto:
    def test_makes_a_linked_prefilled_draft(self, writer_client, writer, source):
        response = writer_client.post(translate_url(source), {"language": "es"}, follow=True)

        translation = Article.objects.get(language="es")
        assert response.redirect_chain[-1][0] == change_url(translation)
        assert any("Made a draft in Español" in message for message in messages_of(response))
        assert translation.translation_of == source
        assert translation.state == "draft"
        assert translation.slug == "release-the-journalists-es"
        for field in ["title", "summary", "body", "hero_caption", "kind", "reference_number"]:
            assert getattr(translation, field) == getattr(source, field)
        assert translation.hero_photo == source.hero_photo
        assert {r.slug for r in translation.regions.all()} == {"africa", "ng"}
        assert list(translation.topics.names()) == ["Torture"]
        assert translation.created_by == writer and translation.updated_by == writer
        revision = ArticleRevision.objects.get(article=translation)
        assert revision.version == 1 and revision.created_by == writer
        entry = LogEntry.objects.get(object_id=str(translation.pk))
        assert entry.action_flag == ADDITION and entry.user == writer
        # Unpublished stays private: the draft has no public page.
        assert writer_client.get(f"/es/news/{translation.slug}/").status_code == 404

    def test_the_draft_follows_the_ordinary_workflow(self, writer, editor, source):
        translation = article_translate(source=source, language="fr", user=writer)
        perform(article=translation, user=writer, action=Action.SUBMIT)
        assert translation.state == "in_review"
        # The writer cannot publish it; an editor approves and publishes it.
        with pytest.raises(PermissionDenied):
            perform(article=translation, user=writer, action=Action.APPROVE_PUBLISH)
        perform(article=translation, user=editor, action=Action.APPROVE_PUBLISH)
        translation.refresh_from_db()
        assert translation.is_live

    def test_slug_is_unique(self, writer, source):
        ArticleFactory(slug="release-the-journalists-es")
        SlugRedirect.objects.create(article=source, old_slug="release-the-journalists-es-2")
        translation = article_translate(source=source, language="es", user=writer)
        assert translation.slug == "release-the-journalists-es-3"

    def test_needs_the_permission_to_add(self, press_officer, source):
        with pytest.raises(PermissionDenied):
            article_translate(source=source, language="es", user=press_officer)

    @pytest.mark.parametrize(
        ("language", "message"),
        [
            ("es", "already has a version in Español"),
            ("en", "already has a version in English"),
            ("xx", "“xx” is not one of the newsroom's languages"),
            ("", "is not one of the newsroom's languages"),
        ],
    )
    def test_refused_languages(self, writer_client, source, language, message):
        ArticleFactory(language="es", translation_of=source, draft=True)

        response = writer_client.post(translate_url(source), {"language": language}, follow=True)

        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == change_url(source)
        assert any(message in text for text in messages_of(response))
        assert Article.objects.count() == 2

    def test_a_translation_of_a_translation_is_refused(self, writer_client, source):
        spanish = ArticleFactory(language="es", translation_of=source, title="Liberen")

        response = writer_client.post(translate_url(spanish), {"language": "fr"}, follow=True)

        assert response.status_code == 200
        assert any("“Liberen” is itself a translation" in text for text in messages_of(response))
        assert not Article.objects.filter(language="fr").exists()
        with pytest.raises(TranslationRefused):
            article_translate(source=spanish, language="fr", user=UserFactory(is_superuser=True))

    @pytest.mark.parametrize("object_id", ["999999", "abc"])
    def test_unknown_article(self, writer_client, object_id):
        url = reverse("admin:articles_article_translate", args=[object_id])
        assert writer_client.post(url, {"language": "es"}).status_code == 404

    def test_get_is_not_allowed(self, writer_client, source):
        assert writer_client.get(translate_url(source)).status_code == 405

    def test_needs_csrf(self, writer, source):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(writer)
        assert client.post(translate_url(source), {"language": "es"}).status_code == 403
        assert Article.objects.count() == 1

    def test_anonymous_is_sent_to_login(self, client, source):
        response = client.post(translate_url(source), {"language": "es"})
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert Article.objects.count() == 1


@pytest.mark.usefixtures("multilingual")
class TestChangelist:
    def test_language_column_and_filter(self, editor_client, source):
        ArticleFactory(language="es", translation_of=source, title="Liberen")
        ArticleFactory(language="ar", title="Arabic story")

        response = editor_client.get(CHANGELIST)
        html = response.content.decode()
        assert "column-language_column" in html
        assert '<span lang="es">Español</span>' in html
        assert "?language=ar" in html

        response = editor_client.get(CHANGELIST, {"language": "es"})
        assert listed(response) == {"Liberen"}
        response = editor_client.get(CHANGELIST, {"language": "xx"})
        assert response.status_code == 200 and listed(response) == set()

    def test_the_column_adds_no_query_per_row(self, editor_client):
        def count():
            editor_client.get(CHANGELIST)
            with CaptureQueriesContext(connection) as ctx:
                editor_client.get(CHANGELIST)
            return len(ctx.captured_queries)

        for language in ["es", "fr"]:
            ArticleFactory(language=language)
        few = count()
        for language in ["es", "fr", "ar"] * 5:
            ArticleFactory(language=language)
        assert count() == few


def test_a_duplicate_keeps_its_language(multilingual, writer):
    article = ArticleFactory(language="fr")
    assert article_duplicate(article=article, user=writer).language == "fr"


@pytest.mark.usefixtures("multilingual")
def test_a_live_translation_waits_for_a_second_person_like_any_article(
    writer_client, writer, editor, source
):
    from core.models import SiteSettings
    from desk.pending import pending_approve

    settings = SiteSettings.load()
    settings.require_second_person = True
    settings.save()
    spanish = ArticleFactory(
        language="es", translation_of=source, title="Liberen", slug="liberen", created_by=writer
    )
    data = form_data(
        title="Liberen ya",
        slug="liberen",
        summary=spanish.summary,
        body=spanish.body,
        new_topics=None,
        status=None,
        published_at_0=None,
        published_at_1=None,
        change_kind="silent",
        base_version=opened_version(spanish),
    )

    response = writer_client.post(change_url(spanish), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    spanish.refresh_from_db()
    assert spanish.title == "Liberen" and spanish.state == "live_pending"
    pending_approve(article=spanish, user=editor, kind="correction", note="Título.")
    spanish.refresh_from_db()
    assert spanish.title == "Liberen ya"
    assert spanish.kind == Article.Kind.REPORT
    assert {r.slug for r in spanish.regions.all()} == {"africa", "ng"}


@pytest.mark.usefixtures("multilingual")
class TestTheOtherPagesOfATranslation:
    def test_preview_revisions_and_history(self, writer_client, writer, source):
        translation = article_translate(source=source, language="ar", user=writer)
        preview = reverse("admin:articles_article_preview", args=[translation.pk])
        response = writer_client.post(
            preview,
            {
                "title": "أطلقوا سراح الصحفيين",
                "slug": translation.slug,
                "summary": "ملخص",
                "body": "<p>نص</p>",
                "hero_caption": "",
                "change_kind": "silent",
            },
        )
        assert response.status_code == 200
        assert "أطلقوا سراح الصحفيين" in response.content.decode()
        revisions = reverse("admin:articles_article_revisions", args=[translation.pk])
        assert writer_client.get(revisions).status_code == 200
        history = reverse("admin:articles_article_history", args=[translation.pk])
        assert "Translation into العربية" in writer_client.get(history).content.decode()

    def test_preview_of_a_new_article_in_spanish(self, writer_client):
        response = writer_client.post(
            reverse("admin:articles_article_preview_new"),
            {
                "language": "es",
                "kind": Article.Kind.PRESS_RELEASE,
                "title": "Liberen a los periodistas",
                "slug": "liberen",
                "summary": "Tres periodistas.",
                "body": "<p>Detenidos.</p>",
                "hero_caption": "",
                "reference_number": "",
            },
        )
        assert response.status_code == 200
        assert "Liberen a los periodistas" in response.content.decode()
        assert not Article.objects.exists()
