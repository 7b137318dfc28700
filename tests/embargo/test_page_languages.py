"""An embargoed translation's personal page names its story's live versions, never
another unpublished one, and gives search engines no alternates (it is private)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.embargo.conftest import share
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("multilingual")]


def test_an_embargoed_translation_names_its_live_versions_only(
    client, django_capture_on_commit_callbacks
):
    source = ArticleFactory(slug="tribunal-findings", title="Tribunal findings")
    with django_capture_on_commit_callbacks(execute=True):
        spanish = ArticleFactory(
            slug="hallazgos-del-tribunal",
            language="es",
            translation_of=source,
            published_at=timezone.now() + timedelta(days=2),
        )
        ArticleFactory(
            slug="conclusions-du-tribunal", language="fr", translation_of=source, draft=True
        )
        token = share(spanish, "reporter@example.com")[0]

    response = client.get(f"/embargo/{token}/")

    assert response.status_code == 200
    assert response.context["translations"] == [
        ("en", "English", "/news/tribunal-findings/"),
        ("es", "Español", "/es/news/hallazgos-del-tribunal/"),
    ]
    html = response.content.decode()
    assert not re.search(r"<link[^>]+hreflang", html)
    assert '<a href="/news/tribunal-findings/" lang="en" hreflang="en">English</a>' in html
    assert "conclusions-du-tribunal" not in html
    assert "Français" not in html
