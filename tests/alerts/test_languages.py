"""Alerts in several languages: a subscription has the language of the page it was made
on, is sent the articles written in it, in mails written in it, and a translation going
live later alerts its own language's subscribers then, once."""

import re

import pytest
from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains

from alerts import tasks
from alerts.models import Delivery, Subscription
from articles.search import uses_full_text_search
from desk.services import article_publish
from tests.alerts.helpers import link, path_of, sent_to, subscriber
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("multilingual")]


def form(**fields):
    return {"email": "reporter@example.com", "frequency": "instant", "digest_hour": "8"} | fields


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return send


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return ArticleFactory(**fields)

    return make


class TestSubscribing:
    def test_the_page_language_is_the_subscription_language(self, post):
        response = post("/es/press/alerts/", form(email="es@example.com"))
        assert response.status_code == 302
        assert response["Location"] == "/es/press/alerts/check-your-inbox/"
        post("/press/alerts/", form(email="en@example.com"))

        assert Subscription.objects.get(email="es@example.com").language == "es"
        assert Subscription.objects.get(email="en@example.com").language == "en"

    def test_the_confirmation_is_in_the_subscription_language(self, post):
        post("/es/press/alerts/", form(region="mx"))

        [message] = mail.outbox
        assert message.body.startswith("Hola:")
        confirm = re.search(r"https?://\S+/press/alerts/confirm/\S+/", message.body).group()
        assert path_of(confirm).startswith("/es/press/alerts/confirm/")
        # The consent kept is the one shown, in the page's language.
        subscription = Subscription.objects.get()
        assert not subscription.consent_text.startswith("We will e-mail you")

    def test_the_same_filter_in_two_languages_is_two_subscriptions(self, post):
        post("/press/alerts/", form(region="mx"))
        post("/es/press/alerts/", form(region="mx"))

        assert sorted(Subscription.objects.values_list("language", flat=True)) == ["en", "es"]

    def test_the_confirmation_page_of_a_spanish_mail_is_in_spanish(self, client):
        pending = subscriber(status=Subscription.Status.PENDING, language="es")
        response = client.get("/es" + link(pending, "confirm"))
        assert response.status_code == 200
        assert response["Content-Language"] == "es"


class TestMatching:
    def test_each_language_is_sent_its_own_version(self, publish):
        english = subscriber("en@example.com", query="region=mx")
        spanish = subscriber("es@example.com", query="region=mx", language="es")
        french = subscriber("fr@example.com", language="fr")

        source = publish(title="Mexico must protect asylum seekers", regions=["mx"])
        assert [m.subject for m in sent_to(english.email)] == [
            "Press Release: Mexico must protect asylum seekers"
        ]
        assert sent_to(spanish.email) == [] and sent_to(french.email) == []

        version = publish(
            title="México debe proteger a quienes piden asilo",
            language="es",
            translation_of=source,
        )
        [message] = sent_to(spanish.email)
        assert "México debe proteger" in message.subject
        assert version.get_absolute_url() in message.body
        assert version.get_absolute_url().startswith("/es/news/")
        assert len(sent_to(english.email)) == 1
        assert sent_to(french.email) == []

    def test_a_translation_going_live_later_alerts_its_subscribers_once(
        self, publish, editor, django_capture_on_commit_callbacks
    ):
        english = subscriber("en@example.com")
        spanish = subscriber("es@example.com", language="es")
        source = publish(title="Release the activists")
        draft = publish(
            title="Liberen a los activistas", language="es", translation_of=source, draft=True
        )
        assert sent_to(spanish.email) == []

        with django_capture_on_commit_callbacks(execute=True):
            article_publish(article=draft, user=editor)
        with django_capture_on_commit_callbacks(execute=True):
            # Caught up again, and the source edited: nobody is sent anything twice.
            tasks.catch_up()
            source.title = "Release the activists now"
            source.save()

        [message] = sent_to(spanish.email)
        assert "Liberen a los activistas" in message.subject
        [first] = sent_to(english.email)
        assert "Release the activists" in first.subject
        assert Delivery.objects.filter(subscription=spanish).count() == 1
        assert Delivery.objects.filter(subscription=english).count() == 1

    def test_an_article_in_a_language_nobody_follows_is_sent_to_nobody(self, publish):
        subscriber("en@example.com")
        publish(title="Libérez les militants", language="fr")
        assert mail.outbox == []


@pytest.mark.skipif(
    not uses_full_text_search(), reason="stemming is PostgreSQL's; SQLite matches words as typed"
)
def test_a_search_filter_matches_as_its_language_list_does(publish):
    # "detenido" finds "detenidas" with the Spanish stemmer, as /es/news/?q=detenido does.
    spanish = subscriber("es@example.com", query="q=detenido", language="es")
    publish(title="Activistas detenidas en Oaxaca", language="es", summary="…")

    assert len(sent_to(spanish.email)) == 1


class TestMails:
    def test_alerts_and_their_links_are_in_the_subscription_language(self, publish):
        spanish = subscriber("es@example.com", language="es")
        publish(title="Liberen a los activistas", language="es")

        [message] = sent_to(spanish.email)
        assert "Léalo aquí:" in message.body
        assert "Detener estas alertas:" in message.body
        unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert path_of(unsubscribe).startswith("/es/press/alerts/unsubscribe/")

    def test_one_batch_renders_each_language_in_its_own(self, publish):
        # Two subscribers, same filter, different languages, in one worker process.
        spanish = subscriber("es@example.com", language="es")
        french = subscriber("fr@example.com", language="fr")
        publish(title="Liberen a los activistas", language="es")
        publish(title="Libérez les militants", language="fr")

        [es] = sent_to(spanish.email)
        [fr] = sent_to(french.email)
        assert "Detener estas alertas:" in es.body
        assert "/fr/press/alerts/" in fr.body and "/es/" not in fr.body
        assert "Detener estas alertas:" not in fr.body

    def test_the_digest_is_in_the_subscription_language(self, publish):
        spanish = subscriber(
            "es@example.com", language="es", frequency=Subscription.Frequency.DAILY
        )
        version = publish(title="Liberen a los activistas", language="es")
        tasks.send_digest_now.call(spanish.pk)

        [message] = sent_to(spanish.email)
        assert "Liberen a los activistas" in message.body
        assert version.get_absolute_url() in message.body
        assert "Detener estas alertas:" in message.body
        assert "/es/press/alerts/preferences/" in message.body


class TestPreferences:
    def test_the_page_shows_the_language_and_changes_it(self, client):
        spanish = subscriber("es@example.com", language="es")
        url = "/es" + link(spanish, "preferences")

        page = client.get(url)
        assertContains(page, "Español")
        assertContains(page, '<option value="es" selected>')

        response = client.post(url, {"language": "fr", "frequency": "instant", "digest_hour": "8"})
        assert response.status_code == 200
        spanish.refresh_from_db()
        assert spanish.language == "fr"

    def test_an_unknown_language_is_refused_not_saved(self, client):
        spanish = subscriber("es@example.com", language="es")
        response = client.post(
            link(spanish, "preferences"),
            {"language": "xx", "frequency": "instant", "digest_hour": "8"},
        )
        assert response.status_code == 200
        spanish.refresh_from_db()
        assert spanish.language == "es"


def test_one_language_newsroom_offers_no_language_choice(client, settings):
    settings.LANGUAGES = [("en", "English")]
    reader = subscriber()
    page = client.get(link(reader, "preferences"))
    assert page.status_code == 200
    assert 'name="language"' not in page.content.decode()


def test_the_admin_shows_and_filters_subscribers_by_language(admin_client):
    subscriber("en@example.com")
    subscriber("es@example.com", language="es")

    page = admin_client.get("/admin/alerts/subscription/?language=es")
    assertContains(page, "es@example.com")
    assertNotContains(page, "en@example.com")
    for odd in ("%00xx", "xx"):
        assert admin_client.get(f"/admin/alerts/subscription/?language={odd}").status_code in (
            200,
            302,
        )
