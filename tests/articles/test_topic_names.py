"""Topics' names per language: edited on the topic, shown in the page's language with
the default name as fallback, at no extra query on the list."""

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from articles.models import TopicName
from articles.topic_names import topic_name
from core.models import SiteSettings
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _topic():
    return Tag.objects.create(name="Refugees and migrants", slug="refugees-and-migrants")


@pytest.mark.usefixtures("multilingual")
def test_a_language_without_a_name_shows_the_topics_own():
    topic = _topic()
    TopicName.objects.create(topic=topic, language="es", name="Personas refugiadas")

    assert topic_name(topic, "es") == "Personas refugiadas"
    assert topic_name(topic, "fr") == "Refugees and migrants"
    assert topic_name(topic, "en") == "Refugees and migrants"
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicName.objects.create(topic=topic, language="es", name="Otra")


@pytest.mark.usefixtures("multilingual")
def test_pages_in_a_language_show_its_names(client):
    topic = _topic()
    TopicName.objects.create(topic=topic, language="es", name="Personas refugiadas")
    english = ArticleFactory(topics=[topic])
    spanish = ArticleFactory(language="es", translation_of=english)

    spanish_list = client.get("/es/news/").content.decode()
    assert "Personas refugiadas" in spanish_list
    assert "Personas refugiadas" not in client.get("/news/").content.decode()
    assert "Refugees and migrants" in client.get("/news/").content.decode()

    page = client.get(spanish.get_absolute_url()).content.decode()
    assert '<meta property="article:tag" content="Personas refugiadas">' in page
    assert ">Personas refugiadas</a>" in page
    assert "Personas refugiadas" in client.get("/es/news/feed/").content.decode()
    # A topic chosen from the URL is named in the language too.
    chosen = client.get("/es/news/", {"topic": "refugees-and-migrants"}).content.decode()
    assert "Personas refugiadas" in chosen


@pytest.mark.usefixtures("multilingual")
def test_a_renamed_topic_shows_at_once(client):
    topic = _topic()
    ArticleFactory(language="es", topics=[topic])
    assert "Refugees and migrants" in client.get("/es/news/").content.decode()
    TopicName.objects.create(topic=topic, language="es", name="Personas refugiadas")
    assert "Personas refugiadas" in client.get("/es/news/").content.decode()


@pytest.mark.usefixtures("multilingual")
def test_names_cost_the_list_no_query(client):
    topics = [Tag.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(5)]
    for topic in topics:
        TopicName.objects.create(topic=topic, language="es", name=f"Tema {topic.pk}")
    for language in ("en", "es"):
        for n in range(5):
            ArticleFactory(language=language, topics=topics[: n + 1])
    SiteSettings.load()
    counts = {}
    for url in ("/news/", "/es/news/"):
        cache.clear()
        runs = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            runs.append(len(queries))
        counts[url] = runs
    assert counts["/es/news/"] == counts["/news/"]


@pytest.mark.usefixtures("multilingual")
def test_editors_name_a_topic_in_other_languages(editor_client):
    topic = _topic()
    url = reverse("admin:taggit_tag_change", args=[topic.pk])
    assert "Names in other languages" in editor_client.get(url).content.decode()
    data = {
        "name": topic.name,
        "slug": topic.slug,
        "names-TOTAL_FORMS": "2",
        "names-INITIAL_FORMS": "0",
        "names-MIN_NUM_FORMS": "0",
        "names-MAX_NUM_FORMS": "3",
        "names-0-language": "es",
        "names-0-name": "Personas refugiadas",
        "names-1-language": "ar",
        "names-1-name": "اللاجئون والمهاجرون",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 302
    assert topic_name(topic, "ar") == "اللاجئون والمهاجرون"
    assert topic_name(topic, "es") == "Personas refugiadas"

    refused = editor_client.post(url, data | {"names-0-language": "en", "names-1-language": "de"})
    assert refused.status_code == 200
    assert TopicName.objects.count() == 2


def test_an_english_only_newsroom_names_topics_once(editor_client):
    topic = _topic()
    url = reverse("admin:taggit_tag_change", args=[topic.pk])
    assert "Names in other languages" not in editor_client.get(url).content.decode()
    response = editor_client.post(url, {"name": "Refugees", "slug": topic.slug})
    assert response.status_code == 302
