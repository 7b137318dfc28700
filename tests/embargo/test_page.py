"""/embargo/<token>/: the journalist's early view of the article."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles.models import Article
from core.cache import is_public_path
from embargo.formats import embargo_time
from embargo.models import EmbargoLink, EmbargoOpening
from tests.embargo.conftest import SECRET_TITLE, share

pytestmark = pytest.mark.django_db


def url(token):
    return f"/embargo/{token}/"


def test_the_page_shows_the_article_as_the_public_will_see_it(client, embargoed, token):
    response = client.get(url(token))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="article__title">{SECRET_TITLE}</h1>' in html
    assert "The tribunal found the detentions arbitrary." in html
    assert "Download the full report" in html
    assert 'property="og:title"' in html
    assert "application/ld+json" in html


def test_the_banner_says_until_when_in_the_newsroom_zone_and_utc(client, embargoed, token):
    response = client.get(url(token))

    banner = re.search(
        r'<div class="embargo-banner".*?</div>\s*</div>', response.content.decode(), re.S
    )
    assert banner, "no embargo banner"
    text = re.sub(r"<[^>]+>|\s+", " ", banner[0])
    until = embargo_time(embargoed.published_at)
    expected = f"Embargoed until {until} — not for publication before then."
    assert " ".join(expected.split()) in " ".join(text.split())
    assert re.search(r"\(\d\d:\d\d UTC\)|\(\w+ \d+, \d\d:\d\d UTC\)", text)


def test_images_carry_the_watermark_stylesheet(client, embargoed, token):
    response = client.get(url(token))

    assertContains(response, 'class="page-article page-embargo"')
    assertContains(response, "/static/embargo/embargo.css")
    assertContains(response, "<picture>")


def test_headers_keep_it_private_and_unindexed(client, token):
    response = client.get(url(token))

    assert response["X-Robots-Tag"] == "noindex, noarchive"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert not is_public_path(url(token))
    assert getattr(response, "page_cache_store", True) is False


def test_unknown_revoked_expired_and_unpublished_all_answer_the_same_404(
    client, embargoed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        revoked, expired, unpublished_token = share(
            embargoed, "r@example.com", "e@example.com", "u@example.com"
        )
    EmbargoLink.objects.filter(email="r@example.com").update(revoked_at=timezone.now())
    EmbargoLink.objects.filter(email="e@example.com").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    unknown = "0" * 64

    bodies = set()
    for token in (unknown, revoked, expired):
        response = client.get(url(token))
        assert response.status_code == 404
        bodies.add(response.content)

    Article.objects.filter(pk=embargoed.pk).update(status=Article.Status.DRAFT)
    response = client.get(url(unpublished_token))
    assert response.status_code == 404
    bodies.add(response.content)
    assert len(bodies) == 1
    assert SECRET_TITLE.encode() not in bodies.pop()


def test_after_the_lift_a_valid_link_leads_to_the_public_article(client, embargoed, token):
    Article.objects.filter(pk=embargoed.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.get(url(token))

    assert response.status_code == 302
    assert response["Location"] == "/news/quokka-tribunal/"
    assert response["Cache-Control"] == "private, no-store"


def test_48_hours_after_the_lift_the_link_has_expired(client, embargoed, token):
    Article.objects.filter(pk=embargoed.pk).update(
        published_at=timezone.now() - timedelta(hours=48, seconds=1)
    )

    assert client.get(url(token)).status_code == 404


def test_every_opening_is_recorded_with_a_hashed_address(client, token):
    client.get(url(token), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/140")
    client.get(url(token), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/140")
    client.get(url(token), REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Safari")

    openings = list(EmbargoOpening.objects.order_by("id"))
    assert [o.link.email for o in openings] == ["reporter@example.com"] * 3
    assert [o.user_agent for o in openings] == ["Firefox/140", "Firefox/140", "Safari"]
    hashes = [o.client_hash for o in openings]
    assert hashes[0] == hashes[1] != hashes[2]
    assert all(len(h) == 64 and "203.0.113" not in h for h in hashes)


def test_a_404_records_no_opening(client):
    client.get(url("f" * 64))

    assert not EmbargoOpening.objects.exists()


def test_a_moved_publication_time_shows_in_the_banner(client, embargoed, token):
    embargoed.published_at = timezone.now() + timedelta(days=5, hours=3)
    embargoed.save()

    assertContains(client.get(url(token)), embargo_time(embargoed.published_at))


def test_only_get_and_head_are_answered(client, token):
    assert client.post(url(token)).status_code == 405
    assert client.head(url(token)).status_code == 200
