"""The photos and PDFs of an embargoed article are reachable only through the embargo page
until the lift; then they are plain public files again."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from embargo import tasks
from embargo.models import EmbargoLink
from interchange import import_articles
from media_library.models import Document, Photo
from media_library.renditions import stored_paths
from tests.embargo.conftest import share
from tests.factories import ArticleFactory, image_bytes, image_upload, make_photo

pytestmark = pytest.mark.django_db

IMAGE_URL = re.compile(r'(?:src|srcset)="([^"]+)"')


def urls_in(html):
    found = set()
    for value in IMAGE_URL.findall(html):
        found.update(part.strip().split(" ")[0] for part in value.split(","))
    return found


def media_files(settings, photo):
    paths = stored_paths(photo.renditions)
    assert paths
    public = {p for p in paths if (Path(settings.MEDIA_ROOT) / p).exists()}
    private = {p for p in paths if (Path(settings.PRIVATE_MEDIA_ROOT) / p).exists()}
    return paths, public, private


def lift(article, django_capture_on_commit_callbacks):
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_article_media.call(article_id=article.pk)


def test_an_embargoed_articles_files_leave_public_storage(settings, embargoed):
    photo, document = embargoed.hero_photo, embargoed.attachments.get()
    photo.refresh_from_db()
    document.refresh_from_db()

    assert photo.withheld and document.withheld
    paths, public, private = media_files(settings, photo)
    assert public == set() and private == paths
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / document.file.name).exists()
    # Still readable wherever it is (the media kit, an export).
    with document.file.open("rb") as fh:
        assert fh.read().startswith(b"%PDF")


def test_the_embargo_page_serves_its_files_through_the_token(client, embargoed, token):
    html = client.get(f"/embargo/{token}/").content.decode()

    images = urls_in(html) - {u for u in urls_in(html) if u.startswith("/static/")}
    assert images
    assert all(u.startswith(f"/embargo/{token}/file/photo/") for u in images), images
    assert "/media/" not in html
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', html)[1]
    assert og_image.startswith(f"http://testserver/embargo/{token}/file/photo/")
    assert f'"url": "http://testserver/embargo/{token}/file/photo/' in html  # JSON-LD
    for url in images:
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] in {"image/jpeg", "image/webp"}
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex, noarchive"
        assert response["X-Content-Type-Options"] == "nosniff"

    document = embargoed.attachments.get()
    pdf = re.search(rf'href="(/embargo/{token}/file/document/{document.pk}/[^"]+)"', html)
    assert pdf, "no PDF download on the embargo page"
    response = client.get(pdf[1])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_files_need_a_valid_token_for_their_own_article(
    client, embargoed, token, django_capture_on_commit_callbacks
):
    photo = embargoed.hero_photo
    name = Path(sorted(stored_paths(photo.renditions))[0]).name
    path = f"file/photo/{photo.pk}/{name}"
    assert client.get(f"/embargo/{token}/{path}").status_code == 200

    other = ArticleFactory(scheduled=True)
    with django_capture_on_commit_callbacks(execute=True):
        (other_token,) = share(other, "reporter@example.com")
    assert client.get(f"/embargo/{other_token}/{path}").status_code == 404
    assert client.get(f"/embargo/{token}/file/photo/{photo.pk}/../../x.jpg").status_code == 404
    assert client.get(f"/embargo/{token}/file/photo/{photo.pk}/other.jpg").status_code == 404
    assert client.get(f"/embargo/{token}/file/thing/{photo.pk}/{name}").status_code == 404

    EmbargoLink.objects.filter(article=embargoed).update(revoked_at=timezone.now())
    assert client.get(f"/embargo/{token}/{path}").status_code == 404


@pytest.mark.parametrize("staff", ["editor", "writer", "press_officer"])
def test_outside_the_embargo_page_only_staff_reach_withheld_files(
    request, client, embargoed, staff
):
    photo = embargoed.hero_photo
    name = Path(sorted(stored_paths(photo.renditions))[0]).name
    url = f"/files/photo/{photo.pk}/{name}"

    assert client.get(url).status_code == 404
    client.force_login(request.getfixturevalue(staff))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_staff_preview_links_withheld_files_it_can_show(client, embargoed, editor):
    client.force_login(editor)
    html = client.get(f"/admin/articles/article/{embargoed.pk}/preview/").content.decode()

    images = {u for u in urls_in(html) if "/photo/" in u}
    assert images and all(u.startswith("/files/photo/") for u in images)
    assert all(client.get(u).status_code == 200 for u in images)


def test_a_photo_a_live_article_shows_is_never_withheld(django_capture_on_commit_callbacks):
    photo = make_photo(file=image_upload("shared.jpg"), alt_text="A shared photo")
    ArticleFactory(hero_photo=photo)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(scheduled=True, hero_photo=photo)

    photo.refresh_from_db()
    assert not photo.withheld


def test_at_the_lift_the_files_become_plain_public_files(
    client, settings, embargoed, django_capture_on_commit_callbacks
):
    lift(embargoed, django_capture_on_commit_callbacks)

    photo = embargoed.hero_photo
    photo.refresh_from_db()
    assert not photo.withheld
    paths, public, private = media_files(settings, photo)
    assert public == paths and private == set()
    document = embargoed.attachments.get()
    assert (Path(settings.MEDIA_ROOT) / document.file.name).exists()

    html = client.get(embargoed.get_absolute_url()).content.decode()
    images = {u for u in urls_in(html) if "/renditions/" in u or "/files/" in u}
    assert images and all(u.startswith("/media/photos/renditions/") for u in images)
    assert f'href="/media/{document.file.name}"' in html
    assert "/files/" not in html


def test_a_late_release_never_breaks_the_live_page(client, embargoed):
    # Live, but the worker has not released the files yet.
    Article.objects.filter(pk=embargoed.pk).update(
        published_at=timezone.now() - timedelta(seconds=1)
    )

    html = client.get(embargoed.get_absolute_url()).content.decode()
    images = {u for u in urls_in(html) if "/files/" in u}
    assert images
    for url in images:
        assert client.get(url).status_code == 200
    document = embargoed.attachments.get()
    pdf = re.search(rf'href="(/files/document/{document.pk}/[^"]+)"', html)
    assert client.get(pdf[1]).status_code == 200


def test_a_released_file_redirects_from_its_gated_address(
    client, embargoed, django_capture_on_commit_callbacks
):
    photo = embargoed.hero_photo
    name = Path(sorted(stored_paths(photo.renditions))[0]).name
    lift(embargoed, django_capture_on_commit_callbacks)

    response = client.get(f"/files/photo/{photo.pk}/{name}")
    assert response.status_code == 302
    assert response["Location"].startswith("/media/photos/renditions/")


def test_the_release_is_scheduled_for_the_lift(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(scheduled=True)

    runs = DBTaskResult.objects.filter(task_path="embargo.tasks.sync_article_media")
    # One now (withhold), one at the lift (release).
    assert article.published_at + timedelta(seconds=1) in {r.run_after for r in runs}


def test_a_live_page_costs_the_same_queries_with_or_without_an_embargo_past(
    client, embargoed, django_capture_on_commit_callbacks
):
    lift(embargoed, django_capture_on_commit_callbacks)
    plain = ArticleFactory(
        hero_photo=make_photo(file=image_upload("plain.jpg"), alt_text="Plain"),
        regions=["mx"],
        topics=["Refugees and migrants"],
    )
    plain.attachments.set(
        [
            embargoed.attachments.get().__class__.objects.create(
                file=embargoed.attachments.get().file.name, title="Other"
            )
        ]
    )

    client.get("/news/")  # the site settings and the content version, read once
    counts = []
    for article in (embargoed, plain):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append([q["sql"] for q in queries])
    assert len(counts[0]) == len(counts[1]), "\n".join(q[:300] for c in counts for q in c)


def test_an_imported_scheduled_article_has_its_media_withheld(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    (tmp_path / "border.jpg").write_bytes(image_bytes(60, 40))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4\n%test\n")
    ahead = (timezone.now() + timedelta(days=3)).isoformat()
    record = {
        "slug": "imported-embargo",
        "kind": "report",
        "title": "An imported embargoed report",
        "summary": "Ahead of its time.",
        "published_at": ahead,
        "photo": {"file": "border.jpg", "alt_text": "The border"},
        "attachments": [{"file": "report.pdf", "title": "Full report", "language": "en"}],
    }
    path = tmp_path / "articles.json"
    path.write_text(json.dumps({"format": "newsroom-articles/1", "articles": [record]}))

    with django_capture_on_commit_callbacks(execute=True):
        import_articles(path=path)

    photo, document = Photo.objects.get(), Document.objects.get()
    assert photo.withheld and document.withheld
    assert photo.renditions
    for name in stored_paths(photo.renditions):
        assert not (Path(settings.MEDIA_ROOT) / name).exists()
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).exists()
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()
