"""Every autocomplete a writer types into ranks an exact name or code first, then names
that start with the term, then the rest: typing "Sudan" and Enter must tag Sudan, not
South Sudan (a public error in human-rights work, and alerts to the wrong people)."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article
from tests.factories import ArticleFactory, SpokespersonFactory

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = reverse("admin:autocomplete")


def suggestions(client, field_name, term):
    response = client.get(
        AUTOCOMPLETE,
        {
            "term": term,
            "app_label": "articles",
            "model_name": "article",
            "field_name": field_name,
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.mark.parametrize(
    ("term", "first"),
    [
        ("Sudan", "Sudan"),
        ("sudan", "Sudan"),
        ("Niger", "Niger"),
        ("Nigeria", "Nigeria"),
        ("Guinea", "Guinea"),
        ("SS", "South Sudan"),
        ("sd", "Sudan"),
        ("ne", "Niger"),
    ],
)
def test_regions_rank_the_exact_name_or_code_first(writer_client, term, first):
    found = suggestions(writer_client, "regions", term)
    assert found[0] == first


def test_regions_rank_prefixes_before_other_matches(writer_client):
    found = suggestions(writer_client, "regions", "Guinea")
    # Guinea itself, then the names that start with it, then those that contain it.
    assert found[:2] == ["Guinea", "Guinea-Bissau"]
    assert found.index("Equatorial Guinea") > found.index("Guinea-Bissau")
    assert found.index("Papua New Guinea") > found.index("Guinea-Bissau")


def test_both_congos_come_first_for_congo(writer_client):
    found = suggestions(writer_client, "regions", "Congo")
    assert set(found[:2]) == {"Congo (Democratic Republic)", "Congo (Republic)"}


def test_topics_rank_the_exact_name_first(writer_client):
    for name in ["Children's rights", "Rights of women", "Rights"]:
        Tag.objects.create(name=name)
    found = suggestions(writer_client, "topics", "rights")
    assert found[0] == "Rights"
    assert found[1] == "Rights of women"


def test_spokespeople_rank_the_exact_name_first(writer_client):
    SpokespersonFactory(name="Ana Lopez Garcia", sort_order=1)
    SpokespersonFactory(name="Ana Lopez", sort_order=2)
    found = suggestions(writer_client, "spokespeople", "Ana Lopez")
    # A spokesperson is listed with their role: "Ana Lopez, Regional Director".
    assert found[0].split(",")[0] == "Ana Lopez"


def test_related_articles_rank_the_exact_title_first(editor_client):
    ArticleFactory(title="Sudan: the war on women", status=Article.Status.DRAFT)
    ArticleFactory(title="Sudan", status=Article.Status.DRAFT)
    found = suggestions(editor_client, "related", "Sudan")
    assert found[0] == "Sudan"
