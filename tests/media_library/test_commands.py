"""manage.py generate_renditions: backfill missing or stale renditions, or redo all."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from media_library.models import Photo
from tests.factories import PhotoFactory, image_upload, make_photo

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("generate_renditions", *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue()


def test_missing_makes_only_what_is_needed():
    done = make_photo(file=image_upload("a.jpg", width=800, height=450), alt_text="A")
    pending = make_photo(
        file=image_upload("b.jpg", width=800, height=450), alt_text="B", generate_renditions=False
    )
    factory_made = PhotoFactory()  # no checksum, no renditions: as an old import would be
    assert "Renditions made for 2 photo(s); 0 failed." in _run("--missing")
    for photo in (pending, factory_made):
        photo.refresh_from_db()
        assert photo.renditions["card"]["variants"]
        assert photo.sha256
    # Nothing left to do, and the up-to-date photo was never touched.
    assert "Renditions made for 0 photo(s)" in _run()
    done_before = done.renditions
    done.refresh_from_db()
    assert done.renditions == done_before


def test_a_moved_focal_point_counts_as_missing():
    photo = make_photo(file=image_upload("a.jpg", width=1600, height=600), alt_text="A")
    Photo.objects.filter(pk=photo.pk).update(focal_x=0.9)
    assert "Renditions made for 1 photo(s)" in _run("--missing")


def test_all_regenerates_every_photo_and_ids_limit_it():
    first = make_photo(file=image_upload("a.jpg", width=800, height=450), alt_text="A")
    make_photo(file=image_upload("b.jpg", width=800, height=450), alt_text="B")
    assert "Renditions made for 2 photo(s)" in _run("--all")
    assert "Renditions made for 1 photo(s)" in _run("--all", str(first.pk))


def test_unreadable_original_is_reported_and_others_continue():
    broken = PhotoFactory()
    Photo.objects.filter(pk=broken.pk).update(image="photos/originals/gone.jpg")
    good = PhotoFactory()
    with pytest.raises(CommandError, match="1 photo"):
        _run("--missing")
    good.refresh_from_db()
    assert good.renditions
