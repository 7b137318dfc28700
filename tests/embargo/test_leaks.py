"""Until the lift nothing of an embargoed article leaks: its unique title, summary, slug,
topic and file names are searched for on every public surface."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article
from media_library.renditions import stored_paths
from tests.embargo.conftest import SECRET_SUMMARY, SECRET_TITLE
from tests.factories import ArticleFactory, SpokespersonFactory

pytestmark = pytest.mark.django_db

SECRET_TOPIC = "Quokka tribunal rights"


@pytest.fixture
def newsroom(embargoed):
    """The embargoed article beside live ones that share its region and topics, one of
    which names it as related reading."""
    embargoed.topics.add(SECRET_TOPIC)
    neighbour = ArticleFactory(
        title="Neighbouring live report on Mexico",
        slug="neighbour",
        regions=["mx"],
        topics=["Refugees and migrants"],
        published_at=timezone.now() - timedelta(hours=2),
    )
    neighbour.related.set([embargoed])
    neighbour.spokespeople.set([SpokespersonFactory(name="Erika Guevara")])
    ArticleFactory(title="Another live article", regions=["fr"], topics=["Asylum"])
    return neighbour


def secrets_of(article):
    photo = article.hero_photo
    files = {Path(p).name for p in stored_paths(photo.renditions)}
    renditions_key = photo.renditions["_key"]
    document = article.attachments.get()
    return {
        SECRET_TITLE,
        "Zanzibarian",
        "quokka",
        SECRET_SUMMARY[:40],
        "xylophonic",
        article.slug,
        SECRET_TOPIC,
        "quokka-tribunal-rights",
        renditions_key,
        Path(document.file.name).parent.name,
        *files,
    }


def public_urls(client):
    year = timezone.localtime(Article.objects.get(slug="quokka-tribunal").published_at).year
    urls = [
        "/",
        "/news/",
        "/news/?page=1",
        "/news/?q=Zanzibarian",
        "/news/?q=quokka+tribunal&sort=relevance",
        "/news/?q=xylophonic",
        "/news/?type=report",
        "/news/?region=mx",
        "/news/?region=americas",
        "/news/?topic=refugees-and-migrants",
        "/news/?topic=quokka-tribunal-rights",
        f"/news/?year={year}",
        "/news/?sort=oldest",
        "/news/feed/",
        "/news/feed/atom/",
        "/news/feed/?q=quokka",
        "/news/feed/?region=mx&type=report",
        "/news/feed/atom/?topic=refugees-and-migrants",
        "/news/neighbour/",
        "/press/",
        "/press/inquiry/",
        "/robots.txt",
        "/sitemap.xml",
    ]
    index = client.get("/sitemap.xml").content.decode()
    urls += [
        re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", index)
    ]
    return urls


def test_no_public_surface_shows_the_embargoed_article(client, newsroom, embargoed):
    secrets = secrets_of(embargoed)
    checked = 0
    for url in public_urls(client):
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        # A search page says what was searched for: that much is the visitor's own.
        for secret in (s for s in secrets if s.lower() not in url.lower()):
            assert secret.lower() not in body.lower(), f"{secret!r} leaks on {url}"
        if "q=" in url and "/feed/" not in url:
            assert 'class="card' not in body, f"{url} found something"
        checked += 1
    assert checked >= 24  # the sitemap's sections were followed too


def test_the_article_page_itself_is_not_found(client, embargoed):
    response = client.get("/news/quokka-tribunal/")

    assert response.status_code == 404
    assert SECRET_TITLE not in response.content.decode()


def test_the_public_media_urls_of_its_files_do_not_exist(settings, embargoed):
    photo = embargoed.hero_photo
    photo.refresh_from_db()
    for path in stored_paths(photo.renditions):
        assert not (Path(settings.MEDIA_ROOT) / path).exists(), path
    document = embargoed.attachments.get()
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()


def test_the_same_surfaces_show_it_once_it_is_live(client, newsroom, embargoed):
    """The searches above can find it: they come up empty only because of the embargo."""
    Article.objects.filter(pk=embargoed.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )

    assert SECRET_TITLE in client.get("/news/?q=Zanzibarian").content.decode()
    assert SECRET_TITLE in client.get("/news/feed/").content.decode()
    assert SECRET_TITLE in client.get("/news/neighbour/").content.decode()
    assert SECRET_TITLE in client.get("/").content.decode()
    assert SECRET_TOPIC in client.get("/news/quokka-tribunal/").content.decode()
