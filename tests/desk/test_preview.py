"""Preview: the change form's current content, saved or not, through the public article
template, marked "Preview — not published"; staff only, never cached, never indexed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Region
from desk.models import ArticleRevision
from tests.factories import (
    ArticleFactory,
    DocumentFactory,
    SpokespersonFactory,
)

pytestmark = pytest.mark.django_db

PREVIEW_NEW = reverse("admin:articles_article_preview_new")


def preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk])


def form_data(**overrides):
    data = {
        "kind": Article.Kind.REPORT,
        "title": "Facing walls",
        "slug": "facing-walls",
        "summary": "An already dangerous journey.",
        "body": "<p>The figure is 63.</p><script>alert(1)</script>",
        # No status or publication time: they are read-only in the form (the workflow's
        # buttons set them), so the page posts neither and a preview publishes nothing.
        "new_topics": "Asylum, A brand new topic",
        "change_kind": "silent",
        "hero_caption": "",
        "reference_number": "",
    }
    data.update(overrides)
    return data


def test_before_the_first_save(editor_client):
    mexico = Region.objects.get(slug="mx")
    document = DocumentFactory(title="Full report")
    person = SpokespersonFactory(name="Ana Rivera")
    related = ArticleFactory(
        title="Earlier release", published_at=timezone.now() - timedelta(days=2)
    )
    response = editor_client.post(
        PREVIEW_NEW,
        form_data(
            regions=[mexico.pk],
            attachments=[document.pk],
            spokespeople=[person.pk],
            related=[related.pk],
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview — not published." in html
    assert '<h1 class="article__title">Facing walls</h1>' in html
    assert "The figure is 63." in html
    assert "<script>alert(1)</script>" not in html  # sanitised as a save would
    assert "Mexico" in html and "A brand new topic" in html
    assert "Full report" in html.replace("full report", "Full report")
    assert "Ana Rivera" in html
    assert "Earlier release" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    # Nothing was saved: no article, no topic, no revision.
    assert not Article.objects.filter(slug="facing-walls").exists()
    assert not ArticleRevision.objects.exists()
    from taggit.models import Tag

    assert not Tag.objects.filter(name="A brand new topic").exists()


def test_unsaved_changes_to_a_saved_article(editor_client):
    article = ArticleFactory(title="Saved title", body="<p>Saved body.</p>")
    response = editor_client.post(
        preview_url(article),
        form_data(title="Typed title", slug=article.slug, body="<p>Typed body.</p>"),
    )
    html = response.content.decode()
    assert "Typed title" in html and "Typed body." in html
    assert "Saved title" not in html
    article.refresh_from_db()
    assert article.title == "Saved title"
    # The saved preview (GET) and the public page still show what is saved: the
    # unsaved preview's fragments were never kept.
    assert "Saved title" in editor_client.get(preview_url(article)).content.decode()
    public = editor_client.get(article.get_absolute_url()).content.decode()
    assert "Typed title" not in public and "Saved body." in public


def test_a_preview_is_never_stale_when_previewed_twice(editor_client):
    article = ArticleFactory()
    first = editor_client.post(preview_url(article), form_data(title="One", slug=article.slug))
    second = editor_client.post(preview_url(article), form_data(title="Two", slug=article.slug))
    assert "One" in first.content.decode()
    assert ">Two<" in second.content.decode() and ">One<" not in second.content.decode()


def test_errors_are_shown_and_nothing_is_saved(editor_client):
    response = editor_client.post(PREVIEW_NEW, form_data(title="", kind="leaflet"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "nothing to preview yet" in html
    assert "Title: This field is required." in html
    assert "Kind: Select a valid choice." in html
    assert not Article.objects.exists()
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_writers_cannot_publish_through_a_preview_either(writer_client):
    """The same form rules: a writer's preview of "published" is an error, not a page."""
    response = writer_client.post(PREVIEW_NEW, form_data(status=Article.Status.PUBLISHED))
    assert response.status_code == 400


def test_a_stale_form_can_still_be_previewed(editor_client):
    article = ArticleFactory(title="Saved")
    response = editor_client.post(
        preview_url(article), form_data(slug=article.slug, title="Mine", base_version="1")
    )
    assert response.status_code == 200


def test_the_change_and_add_forms_offer_preview_in_a_new_tab(editor_client):
    article = ArticleFactory()
    change = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = change.content.decode()
    assert f'formaction="{preview_url(article)}" formtarget="_blank"' in html
    add = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert f'formaction="{PREVIEW_NEW}" formtarget="_blank"' in add
    # After the Save buttons: Enter in a field still saves.
    assert html.index('name="_save"') < html.index("formaction=")


def test_the_press_office_may_not_preview_form_content(client, press_officer):
    client.force_login(press_officer)
    article = ArticleFactory()
    assert client.post(preview_url(article), form_data(slug=article.slug)).status_code == 403
    assert client.post(PREVIEW_NEW, form_data()).status_code == 403
    # The saved article, yes (reading).
    assert client.get(preview_url(article)).status_code == 200
