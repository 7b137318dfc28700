"""Renditions are made by the worker, never in the request; pages cope until they land."""

from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from media_library import processing, services, tasks
from media_library.models import Photo
from tests.factories import ArticleFactory, image_upload, make_photo
from tests.media_library.disk import disk_full_after, files_under

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _photo_form():
    return {
        "image": image_upload("dawn.jpg", width=1200, height=675),
        "title": "Dawn",
        "alt_text": "Families at a crossing",
        "usage_rights": "owned",
        "focal_x": "0.5",
        "focal_y": "0.5",
    }


def _run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upload_answers_before_renditions_and_the_worker_makes_them(settings, admin_client):
    settings.TASKS = DATABASE_TASKS
    response = admin_client.post(reverse("admin:media_library_photo_add"), _photo_form())
    assert response.status_code == 302

    photo = Photo.objects.get()
    # The request only queued the work.
    assert photo.renditions == {} and photo.renditions_pending
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "media_library.tasks.make_renditions"
    assert queued.args_kwargs["kwargs"] == {"photo_id": photo.pk}
    changelist = admin_client.get(reverse("admin:media_library_photo_changelist"))
    assert b"renditions-pending" in changelist.content

    _run_worker()
    photo.refresh_from_db()
    assert not photo.renditions_pending
    assert photo.rendition("card") is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    changelist = admin_client.get(reverse("admin:media_library_photo_changelist"))
    assert b"renditions-pending" not in changelist.content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_storage_failure_is_retried_later_and_then_succeeds(settings):
    settings.TASKS = DATABASE_TASKS
    photo = make_photo(
        file=image_upload("a.jpg", width=800, height=450), alt_text="A", generate_renditions=False
    )
    services.photos_enqueue_renditions(photo_ids=[photo.pk])  # commits at once here

    real = processing.photo_generate_renditions
    with mock.patch.object(
        processing, "photo_generate_renditions", side_effect=OSError("storage unreachable")
    ):
        _run_worker()
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED" and "storage unreachable" in failed.traceback
    assert retry.status == "READY" and retry.args_kwargs["kwargs"] == {
        "photo_id": photo.pk,
        "attempt": 2,
    }
    assert retry.run_after > timezone.now() + timedelta(seconds=20)

    # Once its time has come the retry runs and the renditions land.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    assert processing.photo_generate_renditions is real
    _run_worker()
    photo.refresh_from_db()
    assert not photo.renditions_pending


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retries_stop_after_the_last_attempt(settings):
    settings.TASKS = DATABASE_TASKS
    photo = make_photo(
        file=image_upload("a.jpg", width=800, height=450), alt_text="A", generate_renditions=False
    )
    result = tasks.make_renditions.enqueue(photo_id=photo.pk, attempt=tasks.MAX_ATTEMPTS)
    with mock.patch.object(processing, "photo_generate_renditions", side_effect=OSError("down")):
        _run_worker()
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_the_task_is_idempotent_and_skips_deleted_photos():
    photo = make_photo(file=image_upload("a.jpg", width=800, height=450), alt_text="A")
    assert tasks.make_renditions.enqueue(photo_id=photo.pk).return_value is False
    assert tasks.make_renditions.enqueue(photo_id=photo.pk + 1000).return_value is False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_pages_show_no_broken_image_until_renditions_land_then_show_it(client):
    photo = make_photo(
        file=image_upload("a.jpg", width=1600, height=900), alt_text="A", generate_renditions=False
    )
    article = ArticleFactory(hero_photo=photo)
    for url in (article.get_absolute_url(), "/news/", "/news/feed/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"/media/photos/" not in response.content
        assert b"originals/" not in response.content
    assert b"<img" not in client.get(article.get_absolute_url()).content.split(b"<main")[1]

    # The worker makes them; the page cache must not keep serving the photo-less page.
    tasks.make_renditions.enqueue(photo_id=photo.pk)
    photo.refresh_from_db()
    response = client.get(article.get_absolute_url())
    assert photo.rendition("hero").url.encode() in response.content
    assert b'property="og:image"' in response.content
    assert b"/media/photos/renditions/" in client.get("/news/").content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_edits_that_change_the_crop_or_file_queue_renditions(settings, admin_client):
    settings.TASKS = DATABASE_TASKS
    photo = make_photo(file=image_upload("a.jpg", width=1600, height=900), alt_text="A")
    url = reverse("admin:media_library_photo_change", args=[photo.pk])
    form = {
        "title": "A",
        "alt_text": "A new description",
        "usage_rights": "owned",
        "downloadable": "on",
        "focal_x": "0.5",
        "focal_y": "0.5",
    }
    assert admin_client.post(url, form).status_code == 302
    # Alt text is not in the download file: nothing to remake.
    assert not DBTaskResult.objects.exists()

    assert admin_client.post(url, {**form, "focal_x": "0.2"}).status_code == 302
    assert DBTaskResult.objects.count() == 1
    photo.refresh_from_db()
    assert photo.renditions_pending
    _run_worker()
    photo.refresh_from_db()
    assert not photo.renditions_pending


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_full_disk_leaves_no_partial_rendition_and_the_retry_makes_them(settings):
    settings.TASKS = DATABASE_TASKS
    photo = make_photo(
        file=image_upload("a.jpg", width=1600, height=900), alt_text="A", generate_renditions=False
    )
    services.photos_enqueue_renditions(photo_ids=[photo.pk])
    # Nothing public uses the photo, so its renditions are made in private storage.
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "photos" / "renditions" / str(photo.pk)

    # Room for a few files, then the disk is full in the middle of one.
    with disk_full_after(40_000):
        _run_worker()
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED" and "No space left on device" in failed.traceback
    assert retry.status == "READY" and retry.args_kwargs["kwargs"]["attempt"] == 2
    photo.refresh_from_db()
    assert photo.renditions_pending
    # Nothing half-written is left, and nothing of the failed set either.
    assert files_under(folder) == []

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    _run_worker()
    photo.refresh_from_db()
    assert not photo.renditions_pending
    assert all(path.stat().st_size > 0 for path in folder.iterdir())
