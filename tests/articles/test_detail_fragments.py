"""The article page's cached fragments: one query when warm, never stale."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_warm_article_page_reads_only_the_article(client, django_assert_max_num_queries):
    article = ArticleFactory(regions=["mx", "us"], topics=["Asylum", "Detention"])
    ArticleFactory(regions=["mx"])
    client.get(article.get_absolute_url())
    with django_assert_max_num_queries(1):
        response = client.get(article.get_absolute_url())
    assert "Asylum" in response.content.decode()


def test_a_warm_article_page_fetches_its_fragments_in_one_round_trip(client):
    article = ArticleFactory(regions=["mx"], topics=["Asylum"])
    client.get(article.get_absolute_url())
    get, get_many = FileBasedCache.get, FileBasedCache.get_many
    with (
        mock.patch.object(FileBasedCache, "get", autospec=True, side_effect=get) as one,
        mock.patch.object(FileBasedCache, "get_many", autospec=True, side_effect=get_many) as many,
    ):
        response = client.get(article.get_absolute_url())
    assert "Asylum" in response.content.decode()
    # The file cache's get_many calls get for each key: every derived value was among them.
    derived = [call.args[1] for call in one.call_args_list if call.args[1].startswith("derived:")]
    assert many.call_count == 1
    fetched_together = list(many.call_args.args[1])
    assert len(fetched_together) == 4
    assert sorted(derived) == sorted(fetched_together)


def test_an_edit_shows_at_once(client):
    article = ArticleFactory(title="First headline")
    client.get(article.get_absolute_url())
    article = Article.objects.get(pk=article.pk)
    article.title = "Corrected headline"
    article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Corrected headline" in page
    assert "First headline" not in page


# Committed transactions, as in production, so that the content version moves.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_to_a_related_article_shows_at_once(client):
    article = ArticleFactory(regions=["mx"])
    neighbour = ArticleFactory(regions=["mx"], title="Neighbour before")
    assert "Neighbour before" in client.get(article.get_absolute_url()).content.decode()
    neighbour.title = "Neighbour after"
    neighbour.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Neighbour after" in page


def test_unpublished_article_is_gone_even_when_its_fragments_are_warm(client):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_staff_preview_does_not_leak_into_the_public_page(admin_client, client):
    article = ArticleFactory()
    preview = admin_client.get(f"/admin/articles/article/{article.pk}/preview/")
    assert b"noindex" in preview.content
    public = client.get(article.get_absolute_url())
    assert b"noindex" not in public.content
    assert b"Preview" not in public.content


def test_a_scheduled_article_joins_related_reading_when_its_time_comes(client, monkeypatch):
    article = ArticleFactory(regions=["mx"])
    due = timezone.now() + timedelta(minutes=5)
    ArticleFactory(regions=["mx"], title="Embargoed report", published_at=due)
    assert "Embargoed report" not in client.get(article.get_absolute_url()).content.decode()
    later = due + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Embargoed report" in client.get(article.get_absolute_url()).content.decode()
