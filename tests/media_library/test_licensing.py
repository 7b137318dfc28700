"""Photo licensing that fails safe: "offer for download" follows the usage rights.

Only photos whose rights allow redistribution (ours, Creative Commons) are offered to
journalists by default; offering any other asks the editor to confirm, and records who
did and when.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from media_library.models import (
    NOT_REDISTRIBUTABLE_BECAUSE,
    Photo,
    UsageRights,
    rights_allow_redistribution,
)
from tests.factories import image_upload, make_photo
from tests.media_library import images

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:media_library_photo_add")
RIGHTS = [
    ("owned", True),
    ("creative-commons", True),
    ("licensed", False),
    ("editorial", False),
    ("restricted", False),
]
FORBIDDING = [rights for rights, allowed in RIGHTS if not allowed]


def _photo(**kwargs):
    kwargs.setdefault("alt_text", "Families wait at a border crossing")
    kwargs.setdefault("credit", "Photo by Ana Ruiz / Agencia Sur")
    return make_photo(file=image_upload("border.jpg", width=800, height=600), **kwargs)


def _form(photo=None, **overrides):
    """The change form as the admin shows it for ``photo``, with ``overrides`` typed."""
    data = {
        "title": "Border crossing",
        "alt_text": "Families wait at a border crossing",
        "caption": "Families wait to cross at dawn.",
        "credit": "Photo by Ana Ruiz / Agencia Sur",
        "copyright": "Agencia Sur",
        "usage_rights": "owned",
        "usage_notes": "",
        "focal_x": "0.5",
        "focal_y": "0.5",
        "confirm_redistribution": "False",
    }
    if photo is not None:
        data["usage_rights"] = photo.usage_rights
        if photo.downloadable:
            data["downloadable"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _change_url(photo):
    return reverse("admin:media_library_photo_change", args=[photo.pk])


def _form_errors(response):
    return response.context["adminform"].form.errors


class TestRule:
    @pytest.mark.parametrize(("rights", "allowed"), RIGHTS)
    def test_decided_for_every_usage_right(self, rights, allowed):
        assert rights_allow_redistribution(rights) is allowed

    def test_no_usage_right_is_left_undecided(self):
        assert {value for value, _ in RIGHTS} == set(UsageRights.values)
        # Every right that forbids says why, in words a journalist reads in CREDITS.csv.
        assert set(NOT_REDISTRIBUTABLE_BECAUSE) == set(FORBIDDING)

    def test_help_text_explains_it(self):
        help_text = Photo._meta.get_field("downloadable").help_text
        assert "Owned by the organisation" in help_text
        assert "Creative Commons" in help_text
        assert "confirm" in help_text

    @pytest.mark.parametrize(("rights", "allowed"), RIGHTS)
    def test_new_photos_get_the_default_of_their_rights(self, rights, allowed):
        photo = _photo(usage_rights=rights)
        assert photo.downloadable is allowed
        assert photo.offered_for_download is allowed
        assert (photo.download() is not None) is allowed

    @pytest.mark.parametrize("rights", FORBIDDING)
    def test_the_database_refuses_an_offer_nobody_confirmed(self, rights):
        photo = _photo(usage_rights=rights)
        with pytest.raises(IntegrityError), transaction.atomic():
            Photo.objects.filter(pk=photo.pk).update(downloadable=True)

    def test_an_offer_the_rights_forbid_is_never_served(self):
        # Even a photo changed in memory (no confirmation) gives no download.
        photo = _photo(usage_rights="owned")
        assert photo.download() is not None
        photo.usage_rights = "licensed"
        assert photo.offered_for_download is False
        assert photo.download() is None
        assert photo.not_offered_because == "licensed for our use only"


class TestAdminUpload:
    @pytest.mark.parametrize(("rights", "allowed"), RIGHTS)
    def test_the_box_left_as_it_was_gets_the_default_of_the_rights(
        self, editor_client, rights, allowed
    ):
        # The add form starts ticked (the default rights are ours); the editor picks the
        # rights and leaves the box alone.
        data = _form(
            image=images.upload("dawn.jpg", images.jpeg_with_gps()),
            usage_rights=rights,
            downloadable="on",
        )
        response = editor_client.post(ADD_URL, data)
        assert response.status_code == 302, _form_errors(response)
        assert Photo.objects.get().downloadable is allowed

    def test_the_add_form_starts_with_the_default_of_its_rights(self, editor_client):
        page = editor_client.get(ADD_URL).content.decode()
        box = page[page.index('name="downloadable"') :]
        assert box[: box.index(">")].endswith("checked")


class TestAdminRightsChange:
    def test_the_offer_follows_the_rights_unless_the_editor_set_it(self, editor_client):
        photo = _photo(usage_rights="owned")
        url = _change_url(photo)
        # Rights changed, box untouched: the offer follows the rights, and says so.
        response = editor_client.post(url, _form(photo, usage_rights="licensed"), follow=True)
        assert response.status_code == 200
        photo.refresh_from_db()
        assert (photo.usage_rights, photo.downloadable) == ("licensed", False)
        assert "no longer offered for download" in response.content.decode()

        # And back: the box was unticked and stays untouched, so it follows again.
        response = editor_client.post(url, _form(photo, usage_rights="creative-commons"))
        assert response.status_code == 302, _form_errors(response)
        photo.refresh_from_db()
        assert photo.downloadable is True

    def test_an_editor_who_unticks_it_is_obeyed(self, editor_client):
        photo = _photo(usage_rights="owned")
        response = editor_client.post(_change_url(photo), _form(photo, downloadable=None))
        assert response.status_code == 302, _form_errors(response)
        photo.refresh_from_db()
        assert photo.downloadable is False

    def test_unticked_under_rights_that_allow_it_stays_unticked(self, editor_client):
        photo = _photo(usage_rights="owned", downloadable=False)
        response = editor_client.post(_change_url(photo), _form(photo, caption="New caption"))
        assert response.status_code == 302, _form_errors(response)
        photo.refresh_from_db()
        assert (photo.caption, photo.downloadable) == ("New caption", False)


class TestAdminConfirmation:
    def test_ticking_it_against_the_rights_asks_to_confirm_and_records_who(
        self, editor_client, editor
    ):
        photo = _photo(usage_rights="licensed", caption="Old caption")
        url = _change_url(photo)
        page = editor_client.get(url).content.decode()
        assert 'type="checkbox" name="confirm_redistribution"' not in page

        typed = _form(photo, downloadable="on", caption="A caption the editor typed")
        response = editor_client.post(url, typed)
        assert response.status_code == 200
        content = response.content.decode()
        assert "“Licensed for our use” does not allow us to pass this photo on" in content
        assert 'type="checkbox" name="confirm_redistribution"' in content
        assert "I confirm we may redistribute this photo" in content
        # Everything typed is still there, and nothing was saved.
        assert "A caption the editor typed" in content
        photo.refresh_from_db()
        assert (photo.caption, photo.downloadable) == ("Old caption", False)

        before = timezone.now()
        response = editor_client.post(url, {**typed, "confirm_redistribution": "on"})
        assert response.status_code == 302, _form_errors(response)
        photo.refresh_from_db()
        assert photo.caption == "A caption the editor typed"
        assert photo.downloadable is True
        assert photo.download_confirmed_by == editor
        assert before <= photo.download_confirmed_at <= timezone.now()
        assert photo.offered_for_download is True

        page = editor_client.get(url).content.decode()
        assert f"Redistribution confirmed by {editor.username}" in page

    def test_a_confirmed_offer_survives_other_edits(self, editor_client, editor):
        photo = _photo(usage_rights="editorial")
        url = _change_url(photo)
        typed = _form(photo, downloadable="on", confirm_redistribution="on")
        assert editor_client.post(url, typed).status_code == 302
        photo.refresh_from_db()
        confirmed_at = photo.download_confirmed_at

        response = editor_client.post(url, _form(photo, caption="Edited later"))
        assert response.status_code == 302, _form_errors(response)
        photo.refresh_from_db()
        assert (photo.downloadable, photo.download_confirmed_at) == (True, confirmed_at)

    def test_withdrawing_the_offer_or_changing_the_rights_drops_the_confirmation(
        self, editor_client
    ):
        photo = _photo(usage_rights="editorial")
        url = _change_url(photo)
        typed = _form(photo, downloadable="on", confirm_redistribution="on")
        assert editor_client.post(url, typed).status_code == 302
        photo.refresh_from_db()

        # Other rights, box untouched: the confirmation was for the old ones.
        response = editor_client.post(url, _form(photo, usage_rights="restricted"))
        assert response.status_code == 302, _form_errors(response)
        photo.refresh_from_db()
        assert photo.downloadable is False
        assert photo.download_confirmed_by is None and photo.download_confirmed_at is None

    def test_unticking_drops_the_confirmation(self, editor_client):
        photo = _photo(usage_rights="licensed")
        url = _change_url(photo)
        typed = _form(photo, downloadable="on", confirm_redistribution="on")
        assert editor_client.post(url, typed).status_code == 302
        photo.refresh_from_db()
        response = editor_client.post(url, _form(photo, downloadable=None))
        assert response.status_code == 302, _form_errors(response)
        photo.refresh_from_db()
        assert photo.downloadable is False
        assert photo.download_confirmed_at is None

    def test_a_new_upload_offered_against_its_rights_asks_too(self, editor_client, editor):
        # The box was unticked and ticked again: the editor means it.
        data = _form(
            image=images.upload("dawn.jpg", images.jpeg_with_gps()),
            usage_rights="restricted",
            downloadable="on",
            confirm_redistribution="on",
        )
        response = editor_client.post(ADD_URL, data)
        assert response.status_code == 302, _form_errors(response)
        photo = Photo.objects.get()
        assert (photo.downloadable, photo.download_confirmed_by) == (True, editor)
        assert photo.download_confirmed_at > timezone.now() - timedelta(minutes=1)


# serialized_rollback, as in tests/alerts/test_migrations.py: the flush after a
# transactional test would otherwise lose the roles that later tests expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_withdraws_offers_the_rights_forbid_unless_confirmed(editor):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("media_library", "0007_photo_download_confirmation")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("media_library", "Photo")

    def row(rights, downloadable, **fields):
        return old.objects.create(
            image=f"originals/{rights}.jpg",
            width=10,
            height=10,
            alt_text="A photo",
            usage_rights=rights,
            downloadable=downloadable,
            **fields,
        ).pk

    offered = {rights: row(rights, True) for rights, _allowed in RIGHTS}
    withheld = row("owned", False)
    confirmed = row(
        "editorial", True, download_confirmed_by_id=editor.pk, download_confirmed_at=timezone.now()
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    downloadable = dict(Photo.objects.values_list("pk", "downloadable"))
    assert {rights: downloadable[pk] for rights, pk in offered.items()} == dict(RIGHTS)
    assert downloadable[withheld] is False
    assert downloadable[confirmed] is True
