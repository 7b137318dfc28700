"""An embargoed story in several languages: the scheduled translations shared with it,
a switch between the versions a recipient was given, each lifting at its own time, and
nothing of a version not given to them."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from embargo.models import EmbargoLink
from embargo.services import embargo_share, shared_versions
from tests.embargo.conftest import SECRET_TITLE, share
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("multilingual")]

SPANISH_TITLE = "Conclusiones del tribunal quokka de Zanzíbar"
FRENCH_TITLE = "Conclusions secrètes du tribunal quokka"
ARABIC_DRAFT_TITLE = "مسودة سرية لنتائج المحكمة"


@pytest.fixture
def versions(embargoed, django_capture_on_commit_callbacks):
    """The embargoed story with a Spanish and a French version scheduled (the French
    a day later) and an Arabic draft."""
    later = embargoed.published_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        spanish = ArticleFactory(
            language="es",
            translation_of=embargoed,
            title=SPANISH_TITLE,
            slug="tribunal-quokka",
            published_at=embargoed.published_at,
        )
        french = ArticleFactory(
            language="fr",
            translation_of=embargoed,
            title=FRENCH_TITLE,
            slug="tribunal-quokka-fr",
            published_at=later,
        )
        arabic = ArticleFactory(
            language="ar", translation_of=embargoed, title=ARABIC_DRAFT_TITLE, draft=True
        )
    return {"en": embargoed, "es": spanish, "fr": french, "ar": arabic}


def embargo_url(article):
    return f"/admin/articles/article/{article.pk}/embargo/"


class TestSharing:
    def test_the_share_form_offers_each_scheduled_translation_ticked(
        self, editor_client, versions
    ):
        page = editor_client.get(embargo_url(versions["en"]))
        html = page.content.decode()
        assertContains(page, 'name="translations"')
        for code in ("es", "fr"):
            checkbox = re.search(rf'<input[^>]*value="{versions[code].pk}"[^>]*>', html).group()
            assert 'name="translations"' in checkbox and "checked" in checkbox
        # A draft is not offered: it cannot be shared.
        assert f'value="{versions["ar"].pk}"' not in html

    def test_sharing_with_translations_gives_a_link_per_version(self, editor_client, versions):
        response = editor_client.post(
            embargo_url(versions["en"]),
            {
                "action": "share",
                "recipients": "reporter@example.com",
                "translations": [versions["es"].pk],
            },
        )
        assert response.status_code == 302
        shared = EmbargoLink.objects.filter(email="reporter@example.com")
        assert sorted(shared.values_list("article__language", flat=True)) == ["en", "es"]

    def test_without_the_translations_only_the_article_is_shared(self, editor_client, versions):
        editor_client.post(
            embargo_url(versions["en"]),
            {"action": "share", "recipients": "reporter@example.com"},
        )
        assert list(EmbargoLink.objects.values_list("article__language", flat=True)) == ["en"]

    def test_a_draft_or_another_story_cannot_be_shared_as_a_translation(self, versions):
        with pytest.raises(ValidationError):
            embargo_share(
                article=versions["en"], emails=["a@example.com"], translations=[versions["ar"]]
            )
        other = ArticleFactory(scheduled=True)
        with pytest.raises(ValidationError):
            embargo_share(article=versions["en"], emails=["a@example.com"], translations=[other])
        assert not EmbargoLink.objects.exists()


class TestThePage:
    @pytest.fixture
    def tokens(self, versions, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            english, spanish = share(
                versions["en"], "reporter@example.com", translations=[versions["es"]]
            )
        return {"en": english, "es": spanish}

    def test_each_version_given_is_offered_with_its_banner(self, client, versions, tokens):
        english = client.get(f"/embargo/{tokens['en']}/")
        assertContains(english, SECRET_TITLE)
        assertContains(english, f'href="/embargo/{tokens["es"]}/"')
        assertContains(english, "Español")

        spanish = client.get(f"/embargo/{tokens['es']}/")
        assert spanish.status_code == 200
        assertContains(spanish, SPANISH_TITLE)
        assertContains(spanish, 'class="embargo-banner"')
        assertContains(spanish, f'href="/embargo/{tokens["en"]}/"')
        assertContains(spanish, "embargo/embargo.css")
        assert spanish["Content-Language"] == "es"
        assert spanish["Cache-Control"] == "private, no-store"

    def test_a_version_not_given_is_never_shown(self, client, versions, tokens):
        for token in tokens.values():
            page = client.get(f"/embargo/{token}/")
            assertNotContains(page, FRENCH_TITLE)
            assertNotContains(page, ARABIC_DRAFT_TITLE)
            assertNotContains(page, "Français")
            assertNotContains(page, versions["fr"].slug)

    def test_another_recipient_sees_only_their_own_versions(self, client, versions, tokens):
        [other] = share(versions["en"], "other@example.com")
        page = client.get(f"/embargo/{other}/")
        assertNotContains(page, "Español")
        assertNotContains(page, tokens["es"])
        assertNotContains(page, SPANISH_TITLE)

    def test_a_revoked_version_leaves_the_switch(self, client, versions, tokens):
        EmbargoLink.objects.filter(article=versions["es"]).update(revoked_at=timezone.now())
        page = client.get(f"/embargo/{tokens['en']}/")
        assertNotContains(page, tokens["es"])
        assert client.get(f"/embargo/{tokens['es']}/").status_code == 404

    def test_each_version_lifts_at_its_own_time(self, client, versions, tokens):
        Article.objects.filter(pk=versions["es"].pk).update(
            published_at=timezone.now() - timedelta(minutes=1)
        )
        spanish = client.get(f"/embargo/{tokens['es']}/")
        assert spanish.status_code == 302
        assert spanish["Location"] == "/es/news/tribunal-quokka/"
        # The English version is still under embargo, behind its banner.
        english = client.get(f"/embargo/{tokens['en']}/")
        assert english.status_code == 200
        assertContains(english, 'class="embargo-banner"')

    def test_an_unpublished_version_disappears(self, client, versions, tokens):
        Article.objects.filter(pk=versions["es"].pk).update(status="draft")
        page = client.get(f"/embargo/{tokens['en']}/")
        assertNotContains(page, tokens["es"])
        assert client.get(f"/embargo/{tokens['es']}/").status_code == 404
        [only] = shared_versions(EmbargoLink.objects.get(article=versions["en"]))
        assert only.article_id == versions["en"].pk
