"""Unpublished means private, for every file.

A photo or document is public only while something the public sees uses it: a live
article, an active spokesperson's portrait. Otherwise (a fresh upload, a draft, an article
in review, approved, scheduled or unpublished after being live) its files are withheld:
out of public storage, and ``/files/`` answers 404 to anyone without a right to them.

"Served" below means what production does: nginx answers ``/media/`` from MEDIA_ROOT as
it is, everything else goes to the app.
"""

import json
from datetime import timedelta
from functools import partial
from io import StringIO
from pathlib import Path, PurePosixPath

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from desk import services, workflow
from desk.workflow import Action
from embargo import tasks as embargo_tasks
from interchange import import_articles
from media_library import downloads, gating
from media_library.models import Document, Photo
from media_library.renditions import SPECS, renditions_dir, stored_paths
from media_library.services import document_create
from tests.factories import (
    ArticleFactory,
    SpokespersonFactory,
    image_bytes,
    image_upload,
    make_photo,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%private until live\n"
FUTURE = timezone.now() + timedelta(days=3)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what waits for the commit (and the tasks it enqueues)."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def author(writer):
    return writer


def new_photo(name="secret.jpg"):
    return make_photo(
        file=image_upload(name, width=1600, height=900),
        alt_text="Detainees behind a fence",
        credit="Photo by Ana Ruiz / Agency",
    )


def new_document(name="Annual Report 2026.pdf"):
    return document_create(
        file=SimpleUploadedFile(name, PDF, content_type="application/pdf"), title="Full report"
    )


def draft_with_media(committed, *, slug, author=None):
    """A draft report with its own photo and PDF, as staff would begin one."""
    with committed():
        article = ArticleFactory(
            kind="report",
            slug=slug,
            status=Article.Status.DRAFT,
            hero_photo=new_photo(f"{slug}.jpg"),
            created_by=author,
        )
        article.attachments.set([new_document(f"{slug} report.pdf")])
    return article


def media_of(article):
    photo = Photo.objects.get(pk=article.hero_photo_id)
    return photo, Document.objects.get(articles=article)


# --- every address a file could be reached by ---------------------------------------------


def public_names(photo, document):
    """The storage names of every public file the photo and document have or had."""
    names = set(stored_paths(photo.renditions)) | {document.file.name}
    entry = photo.renditions.get(downloads.FIELD)
    if entry:
        names.add(entry["path"])
    return names


def file_urls(article, photo, document):
    """Every URL of the article's files: renditions (as pages link them and as storage
    names them), the gated addresses, downloads, the media kit, the PDF."""
    urls = set()
    for path in stored_paths(photo.renditions):
        urls.add(default_storage.url(path))
        urls.add(f"/files/photo/{photo.pk}/{PurePosixPath(path).name}")
    for spec in SPECS:
        for fmt in ("jpeg", "webp"):
            urls.update(r.url for r in photo.rendition_set(spec, fmt))
    download = photo.download()
    assert download is not None, "the photo's full-size download was not made"
    urls.add(default_storage.url(download.path))
    urls.add(f"/files/photo/{photo.pk}/{PurePosixPath(download.path).name}")
    urls.add(default_storage.url(document.file.name))
    urls.add(f"/files/document/{document.pk}/{PurePosixPath(document.file.name).name}")
    urls.add(document.url)
    urls.add(reverse("articles:detail", args=[article.slug]))
    urls.add(reverse("downloads:media_kit", args=[article.slug]))
    urls.add(reverse("downloads:photo_download", args=[article.slug, photo.pk]))
    return urls


def anonymous_get(client, settings, url):
    """(status, where) for an anonymous visitor, as production serves it: ``/media/`` is
    a file under MEDIA_ROOT or nothing; the app's redirects are followed."""
    client.logout()
    for _ in range(5):
        if url.startswith(settings.MEDIA_URL):
            path = Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)
            return (200 if path.is_file() else 404), url
        response = client.get(url)
        if response.status_code in (301, 302):
            url = response["Location"]
            continue
        return response.status_code, url
    raise AssertionError(f"redirect loop from {url}")


def public_files_under_media_root(settings, photo, document):
    root = Path(settings.MEDIA_ROOT)
    found = {p for p in public_names(photo, document) if (root / p).exists()}
    folder = root / renditions_dir(photo.pk)
    if folder.exists():
        found |= {str(p) for p in folder.rglob("*") if p.is_file()}
    return found


def assert_private(client, settings, article):
    photo, document = media_of(article)
    assert photo.renditions, "the photo's renditions were not made"
    assert photo.withheld and document.withheld
    for url in file_urls(article, photo, document):
        status, where = anonymous_get(client, settings, url)
        assert status == 404, f"{article.state}: {url} served ({where})"
    assert public_files_under_media_root(settings, photo, document) == set()
    # Still whole, in private storage: the admin, the embargo page and the kit read them.
    with document.file.open("rb") as fh:
        assert fh.read() == PDF


def assert_public(client, settings, article):
    photo, document = media_of(article)
    assert not photo.withheld and not document.withheld
    root = Path(settings.MEDIA_ROOT)
    assert all((root / p).is_file() for p in stored_paths(photo.renditions))
    assert (root / document.file.name).is_file()
    for path in stored_paths(photo.renditions):
        assert anonymous_get(client, settings, default_storage.url(path))[0] == 200
        gated = f"/files/photo/{photo.pk}/{PurePosixPath(path).name}"
        assert anonymous_get(client, settings, gated)[0] == 200
    document_gated = f"/files/document/{document.pk}/{PurePosixPath(document.file.name).name}"
    for url in (document.url, document_gated):
        assert anonymous_get(client, settings, url)[0] == 200
    for url in (
        reverse("articles:detail", args=[article.slug]),
        reverse("downloads:photo_download", args=[article.slug, photo.pk]),
    ):
        assert anonymous_get(client, settings, url)[0] == 200
    # The kit is built by a task; 503 means "being built", never a file someone else's.
    kit = anonymous_get(client, settings, reverse("downloads:media_kit", args=[article.slug]))
    assert kit[0] in (200, 503)


# --- the finding ---------------------------------------------------------------------------


def test_a_drafts_pdf_is_not_found_at_its_guessable_address(client, settings, committed):
    article = draft_with_media(committed, slug="draft-report")
    document = Document.objects.get(articles=article)

    # A sequential id and the slugified upload name: what anyone could try.
    response = client.get(f"/files/document/{document.pk}/draft-report-report.pdf")

    assert response.status_code == 404
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()


# --- every unpublished state, and the control -----------------------------------------------


def in_review(article, *, author, editor):
    workflow.perform(article=article, user=author, action=Action.SUBMIT)


def approved(article, *, author, editor):
    in_review(article, author=author, editor=editor)
    workflow.perform(article=article, user=editor, action=Action.APPROVE)


def scheduled(article, *, author, editor):
    services.article_publish(article=article, user=editor, at=FUTURE)


def unpublished_after_live(article, *, author, editor):
    services.article_publish(article=article, user=editor)
    services.article_unpublish(article=article, user=editor)


def draft(article, *, author, editor):
    pass


@pytest.mark.parametrize(
    ("route", "state"),
    [
        (draft, "draft"),
        (in_review, "in_review"),
        (approved, "approved"),
        (scheduled, "scheduled"),
        (unpublished_after_live, "unpublished"),
    ],
)
def test_no_file_of_an_unpublished_article_is_served(
    client, settings, committed, author, editor, route, state
):
    article = draft_with_media(committed, slug=f"report-{state}", author=author)
    with committed():
        route(article, author=author, editor=editor)
    article.refresh_from_db()
    assert article.state == state

    assert_private(client, settings, article)


def test_the_same_article_live_serves_its_files(client, settings, committed, author, editor):
    article = draft_with_media(committed, slug="report-going-live", author=author)
    assert_private(client, settings, article)

    with committed():
        services.article_publish(article=article, user=editor)

    assert_public(client, settings, article)


# --- every route between the states --------------------------------------------------------


def test_the_workflow_moves_files_at_each_step(client, settings, committed, author, editor):
    article = draft_with_media(committed, slug="workflow-report", author=author)
    for action in (Action.SUBMIT, Action.APPROVE):
        with committed():
            workflow.perform(
                article=article, user=author if action == Action.SUBMIT else editor, action=action
            )
        assert_private(client, settings, article)
    with committed():
        services.article_publish(article=article, user=editor)
    assert_public(client, settings, article)
    with committed():
        services.article_unpublish(article=article, user=editor)
    assert_private(client, settings, article)
    with committed():
        services.article_publish(article=article, user=editor, at=FUTURE)
    assert_private(client, settings, article)


def test_a_scheduled_articles_files_go_public_at_its_time(client, settings, committed, editor):
    article = draft_with_media(committed, slug="scheduled-report")
    with committed():
        services.article_publish(article=article, user=editor, at=FUTURE)
    assert_private(client, settings, article)

    past = timezone.now() - timedelta(seconds=1)
    Article.objects.filter(pk=article.pk).update(published_at=past)
    with committed():
        embargo_tasks.sync_article_media.call(article_id=article.pk)

    assert_public(client, settings, article)


def test_unpublished_files_stay_public_while_another_live_article_uses_them(
    client, settings, committed, editor
):
    article = draft_with_media(committed, slug="shared-media")
    photo, document = media_of(article)
    with committed():
        services.article_publish(article=article, user=editor)
        other = ArticleFactory(slug="other-live", hero_photo=photo)
        other.attachments.set([document])
        services.article_unpublish(article=article, user=editor)

    photo.refresh_from_db()
    document.refresh_from_db()
    assert not photo.withheld and not document.withheld

    with committed():
        other.delete()
    photo.refresh_from_db()
    document.refresh_from_db()
    assert photo.withheld and document.withheld


def test_deleting_the_last_live_article_withholds_its_files(client, settings, committed, editor):
    article = draft_with_media(committed, slug="to-be-deleted")
    with committed():
        services.article_publish(article=article, user=editor)
    photo, document = media_of(article)

    client.force_login(editor)
    with committed():
        response = client.post(
            reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()

    photo.refresh_from_db()
    document.refresh_from_db()
    assert photo.withheld and document.withheld
    assert public_files_under_media_root(settings, photo, document) == set()


def test_replacing_the_photo_or_removing_the_attachment_withholds_the_old_ones(
    client, settings, committed, editor
):
    article = draft_with_media(committed, slug="edited-live")
    with committed():
        services.article_publish(article=article, user=editor)
    old_photo, old_document = media_of(article)
    new = new_photo("replacement.jpg")

    with committed():
        article.hero_photo = new
        article.save()
        article.attachments.remove(old_document)

    old_photo.refresh_from_db()
    old_document.refresh_from_db()
    new.refresh_from_db()
    assert old_photo.withheld and old_document.withheld
    assert not new.withheld
    assert public_files_under_media_root(settings, old_photo, old_document) == set()
    status, _ = anonymous_get(
        client, settings, f"/files/document/{old_document.pk}/edited-live-report.pdf"
    )
    assert status == 404


def test_the_admin_change_form_moves_files_both_ways(client, settings, committed, editor):
    from tests.desk.test_workflow import form_data

    article = draft_with_media(committed, slug="admin-edited")
    photo, document = media_of(article)
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])

    data = form_data(article, hero_photo=photo.pk, attachments=[document.pk], _workflow="publish")
    data.update({"CHANGE_FORM-action": "", "_selected_action": article.pk})
    with committed():
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.state == "live"
    assert_public(client, settings, article)

    # Saved without the photo and the PDF: both lose their only live use.
    article.refresh_from_db()
    client.force_login(editor)
    with committed():
        response = client.post(url, form_data(article, _save="Save"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    photo.refresh_from_db()
    document.refresh_from_db()
    assert Article.objects.get(pk=article.pk).hero_photo_id is None
    assert photo.withheld and document.withheld
    assert public_files_under_media_root(settings, photo, document) == set()


def test_an_import_moves_files_both_ways(client, settings, committed, tmp_path):
    (tmp_path / "border.jpg").write_bytes(image_bytes(60, 40))
    (tmp_path / "report.pdf").write_bytes(PDF)
    record = {
        "slug": "imported-report",
        "kind": "report",
        "title": "An imported report",
        "summary": "Imported.",
        "published_at": "2020-06-15",
        "photo": {"file": "border.jpg", "alt_text": "The border"},
        "attachments": [{"file": "report.pdf", "title": "Full report", "language": "en"}],
    }
    path = tmp_path / "articles.json"

    def run(**changes):
        document = {"format": "newsroom-articles/1", "articles": [record | changes]}
        path.write_text(json.dumps(document))
        with committed():
            import_articles(path=path)
        return Article.objects.get(slug="imported-report")

    article = run()
    assert_public(client, settings, article)
    article = run(status="draft")
    assert_private(client, settings, article)
    article = run()
    assert_public(client, settings, article)

    photo, document = media_of(article)
    (tmp_path / "other.jpg").write_bytes(image_bytes(80, 40))
    run(photo={"file": "other.jpg", "alt_text": "Another"}, attachments=[])
    photo.refresh_from_db()
    document.refresh_from_db()
    assert photo.withheld and document.withheld
    assert public_files_under_media_root(settings, photo, document) == set()
    assert not Article.objects.get(slug="imported-report").hero_photo.withheld


def test_an_imported_draft_never_makes_its_files_public(client, settings, committed, tmp_path):
    (tmp_path / "border.jpg").write_bytes(image_bytes(60, 40))
    (tmp_path / "report.pdf").write_bytes(PDF)
    record = {
        "slug": "imported-draft",
        "kind": "report",
        "title": "An imported draft",
        "summary": "Not yet.",
        "published_at": "2020-06-15",
        "status": "draft",
        "photo": {"file": "border.jpg", "alt_text": "The border"},
        "attachments": [{"file": "report.pdf", "title": "Full report", "language": "en"}],
    }
    path = tmp_path / "articles.json"
    path.write_text(json.dumps({"format": "newsroom-articles/1", "articles": [record]}))

    with committed():
        import_articles(path=path)

    assert_private(client, settings, Article.objects.get(slug="imported-draft"))


# --- fresh uploads --------------------------------------------------------------------------


def test_a_fresh_upload_in_the_admin_is_not_public(client, settings, committed, editor):
    client.force_login(editor)
    with committed():
        response = client.post(
            reverse("admin:media_library_photo_add"),
            {
                "image": image_upload("fresh.jpg", width=1600, height=900),
                "title": "Fresh",
                "alt_text": "A fresh upload",
                "usage_rights": "owned",
                "downloadable": "on",
                "focal_x": "0.5",
                "focal_y": "0.5",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        response = client.post(
            reverse("admin:media_library_document_add"),
            {
                "file": SimpleUploadedFile("Fresh Report.pdf", PDF),
                "title": "Fresh report",
                "language": "en",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    photo, document = Photo.objects.get(), Document.objects.get()

    assert photo.renditions and photo.withheld and document.withheld
    assert public_files_under_media_root(settings, photo, document) == set()
    thumb = photo.rendition("thumb").url
    assert thumb.startswith("/files/photo/")
    for url in (thumb, document.url, f"/files/document/{document.pk}/fresh-report.pdf"):
        assert anonymous_get(client, settings, url)[0] == 404
    # Staff still see them in the admin.
    client.force_login(editor)
    assert client.get(thumb).status_code == 200
    assert client.get(document.url).status_code == 200
    html = client.get(reverse("admin:media_library_photo_changelist")).content.decode()
    assert thumb in html


# --- other public uses ----------------------------------------------------------------------


def test_an_active_spokespersons_portrait_is_public(client, settings, committed):
    photo = new_photo("portrait.jpg")
    assert photo.withheld

    with committed():
        person = SpokespersonFactory(photo=photo)
    photo.refresh_from_db()
    assert not photo.withheld
    html = client.get(reverse("press:contacts")).content.decode()
    assert photo.rendition("thumb").url in html
    assert photo.rendition("thumb").url.startswith(settings.MEDIA_URL)

    with committed():
        person.is_active = False
        person.save()
    photo.refresh_from_db()
    assert photo.withheld

    with committed():
        person.is_active = True
        person.save()
        person.photo = None
        person.save()
    photo.refresh_from_db()
    assert photo.withheld


def test_a_gated_address_never_redirects_to_a_file_no_one_may_see(client, settings, committed):
    """A file whose withholding has not run yet (a worker behind) is still not
    announced by ``/files/``: only its random public name could reach it."""
    article = draft_with_media(committed, slug="behind")
    photo, document = media_of(article)
    gating.document_set_withheld(document, False)
    gating.photo_set_withheld(photo, False)

    name = PurePosixPath(sorted(stored_paths(photo.renditions))[0]).name
    assert client.get(f"/files/photo/{photo.pk}/{name}").status_code == 404
    assert client.get(f"/files/document/{document.pk}/behind-report.pdf").status_code == 404


# --- upgrading ------------------------------------------------------------------------------


def test_the_command_withholds_what_an_older_version_left_public(settings, committed):
    """Before, only embargoed media were withheld: a draft's files were public."""
    article = draft_with_media(committed, slug="old-draft")
    photo, document = media_of(article)
    gating.photo_set_withheld(photo, False)
    gating.document_set_withheld(document, False)
    assert public_files_under_media_root(settings, photo, document)

    out = StringIO()
    call_command("sync_media_visibility", "--dry-run", stdout=out)
    assert "1 photos would move." in out.getvalue()
    assert "1 documents would move." in out.getvalue()
    assert public_files_under_media_root(settings, photo, document)

    with committed():
        call_command("sync_media_visibility", stdout=StringIO())
    photo.refresh_from_db()
    document.refresh_from_db()
    assert photo.withheld and document.withheld
    assert public_files_under_media_root(settings, photo, document) == set()


def test_a_new_file_for_a_live_articles_pdf_is_public_and_the_old_one_gone(
    client, settings, committed, editor
):
    article = draft_with_media(committed, slug="replaced-pdf")
    with committed():
        services.article_publish(article=article, user=editor)
    document = Document.objects.get(articles=article)
    old_name = document.file.name

    client.force_login(editor)
    with committed():
        response = client.post(
            reverse("admin:media_library_document_change", args=[document.pk]),
            {
                "file": SimpleUploadedFile("Corrected Report.pdf", PDF),
                "title": "Full report",
                "language": "en",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors

    document.refresh_from_db()
    root = Path(settings.MEDIA_ROOT)
    assert document.file.name != old_name and not document.withheld
    assert (root / document.file.name).is_file()
    assert not (root / old_name).exists()
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / old_name).exists()


def test_the_document_form_links_a_withheld_file_where_staff_can_open_it(client, editor):
    document = new_document("Draft Report.pdf")
    client.force_login(editor)

    html = client.get(
        reverse("admin:media_library_document_change", args=[document.pk])
    ).content.decode()

    assert f'href="/files/document/{document.pk}/draft-report.pdf"' in html
    assert f'href="{default_storage.url(document.file.name)}"' not in html
    assert client.get(f"/files/document/{document.pk}/draft-report.pdf").status_code == 200
