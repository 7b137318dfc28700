"""Every date the newsroom accepts is bounded; rows already outside the bound never crash."""

import datetime
import importlib
import zoneinfo
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, models, transaction
from django.urls import reverse

from articles.models import Article
from core.validators import EARLIEST, LATEST, validate_date_in_range
from press import tasks as press_tasks
from press.models import MediaInquiry
from tests.desk.test_admin import form_data, opened_version
from tests.factories import ArticleFactory, MediaInquiryFactory
from tests.outbox.helpers import delivered
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

# The extremes a row written before the bound existed can hold and Python still read.
FIRST = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
LAST = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)
MESSAGE = "Give a date between 1 January 1900 and 31 December 2200."


def _project_models():
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(root) and ".venv" not in path.parts:
            yield from config.get_models()


def test_every_editable_date_field_of_the_project_carries_the_bound():
    checked = []
    for model in _project_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.DateField) and field.editable:
                checked.append(f"{model._meta.label}.{field.name}")
                assert validate_date_in_range in field.validators, checked[-1]
    # The walk reaches the fields forms and the importer fill in.
    assert "articles.Article.published_at" in checked
    assert "press.MediaInquiry.deadline" in checked


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (EARLIEST, True),
        (LATEST, True),
        (EARLIEST - datetime.timedelta(seconds=1), False),
        (LATEST + datetime.timedelta(seconds=1), False),
        (
            datetime.datetime(
                9999, 12, 31, 23, 59, tzinfo=datetime.timezone(-datetime.timedelta(hours=5))
            ),
            False,
        ),
        (datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=5))), False),
        (datetime.date(1899, 12, 31), False),
        (datetime.date(2026, 6, 15), True),
    ],
)
def test_validator_range(value, valid):
    if valid:
        validate_date_in_range(value)
    else:
        with pytest.raises(ValidationError, match="between 1 January 1900"):
            validate_date_in_range(value)


class TestRefusedAtTheDoor:
    def test_inquiry_form_refuses_year_9999(self, client):
        response = client.post("/press/inquiry/", inquiry_data(deadline="9999-12-31T23:59"))

        assert response.status_code == 200
        assert MESSAGE in response.content.decode()
        assert not MediaInquiry.objects.exists()

    def test_admin_never_stores_year_9999(self, editor_client):
        # A draft's time is not the form's to set (it is set when it goes out), and
        # scheduling for year 9999 is refused.
        response = editor_client.post(
            reverse("admin:articles_article_add"),
            form_data(published_at_0="9999-12-31", published_at_1="23:59:59"),
        )
        assert response.status_code == 302
        article = Article.objects.get()
        assert article.published_at.year < 9999
        data = form_data(
            _workflow="schedule",
            _workflow_at="9999-12-31T23:59",
            base_version=opened_version(article),
        )
        del data["_save"]
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[article.pk]), data
        )
        assert response.status_code == 200
        assert MESSAGE in response.content.decode()
        article.refresh_from_db()
        assert article.state == "draft"
        assert editor_client.get(reverse("admin:articles_article_changelist")).status_code == 200

    def test_admin_refuses_year_1(self, editor_client):
        # The publication time is set only through the workflow: scheduling the new
        # article for year 1 is refused, with the form kept and nothing saved.
        data = form_data(_workflow="schedule", _workflow_at="0001-01-01T00:00", _save=None)
        response = editor_client.post(reverse("admin:articles_article_add"), data)

        assert response.status_code == 200
        assert MESSAGE in response.content.decode()
        assert not Article.objects.exists()


@pytest.fixture(params=[FIRST, LAST], ids=["year-1", "year-9999"])
def outside(request):
    """An article and an unsent inquiry whose dates were stored before the bound."""
    moment = request.param
    article = ArticleFactory(title="Out of range", summary="Asylum seekers were detained.")
    Article.objects.filter(pk=article.pk).update(
        published_at=moment, substantively_updated_at=moment
    )
    inquiry = MediaInquiryFactory(subject="Comment on asylum")
    MediaInquiry.objects.filter(pk=inquiry.pk).update(deadline=moment, answered_at=moment)
    ArticleFactory(title="In range", summary="Asylum seekers were released.")
    article.refresh_from_db()
    inquiry.refresh_from_db()
    return article, inquiry


class TestRowsOutsideTheBound:
    def test_article_admin_list_and_search(self, editor_client, outside):
        changelist = reverse("admin:articles_article_changelist")
        for url in (changelist, f"{changelist}?q=asylum", f"{changelist}?state=draft"):
            response = editor_client.get(url)
            assert response.status_code == 200, url
        html = editor_client.get(changelist).content.decode()
        assert "Out of range" in html
        assert (
            "Some articles have a publication time outside 1 January 1900 to 31 December "
            "2200, so the date drill-down is hidden." in html
        )

    def test_drill_down_is_back_once_they_are_fixed(self, editor_client, outside):
        article, _ = outside
        Article.objects.filter(pk=article.pk).update(
            published_at=EARLIEST, substantively_updated_at=None
        )
        response = editor_client.get(reverse("admin:articles_article_changelist"))
        assert response.context["cl"].date_hierarchy == "published_at"
        assert "date drill-down is hidden" not in response.content.decode()

    @pytest.mark.parametrize("year", ["1", "9999", "10000"])
    def test_drill_down_outside_the_bound_is_a_bad_filter(self, editor_client, outside, year):
        changelist = reverse("admin:articles_article_changelist")
        response = editor_client.get(f"{changelist}?published_at__year={year}")
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")

    def test_article_change_page_shows_and_fixes_it(self, editor_client, outside):
        article, _ = outside
        url = reverse("admin:articles_article_change", args=[article.pk])
        assert editor_client.get(url).status_code == 200

        fields = {"title": article.title, "slug": article.slug, "summary": article.summary}

        def post(**overrides):
            # The publication state and time are the workflow's, not the form's.
            data = form_data(**fields, base_version=opened_version(article), **overrides)
            for name in ("status", "published_at_0", "published_at_1"):
                del data[name]
            return editor_client.post(url, data)

        # The publication time changes only through the workflow (the last substantive
        # update is set by the corrections answer): withdrawn, a schedule out of range
        # refused, then out again dated now (year 1 is live; year 9999 counts as
        # scheduled).
        def press(action, **overrides):
            return post(_workflow=action, _save=None, **overrides)

        assert press("unpublish").status_code == 302
        kept = press("schedule", _workflow_at="0001-01-02T00:00")
        assert kept.status_code == 200
        assert MESSAGE in kept.content.decode()
        assert press("republish_as_new" if article.is_live else "publish").status_code == 302
        article.refresh_from_db()
        assert article.is_live
        assert article.published_at.year == datetime.datetime.now().year

    def test_inquiry_admin_list_search_and_page(self, client, press_officer, outside):
        _, inquiry = outside
        client.force_login(press_officer)
        for url in (
            "/admin/press/mediainquiry/",
            "/admin/press/mediainquiry/?q=asylum",
            f"/admin/press/mediainquiry/?q={inquiry.reference}",
            f"/admin/press/mediainquiry/{inquiry.pk}/change/",
        ):
            assert client.get(url).status_code == 200, url

    def test_the_workers_sweep_sends_the_pending_notification(self, outside):
        _, inquiry = outside
        MediaInquiry.objects.filter(pk=inquiry.pk).update(
            created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
        )
        assert press_tasks.catch_up() == 1
        assert len(delivered()) == 2
        inquiry.refresh_from_db()
        assert inquiry.notified_at is not None

    def test_public_pages(self, client, outside):
        article, _ = outside
        for url in (
            "/news/",
            "/news/?sort=oldest",
            "/news/?q=asylum",
            "/news/?q=asylum&sort=oldest",
            "/news/?year=2026",
            f"/news/{article.slug}/",
            "/news/feed/",
            "/news/feed/atom/",
            "/sitemap.xml",
            "/",
        ):
            response = client.get(url)
            assert response.status_code in (200, 404), url
        # A row from year 1 is live and listed last; one from 9999 is simply scheduled.
        oldest = client.get("/news/?sort=oldest").content.decode()
        assert ("Out of range" in oldest) == (article.published_at.year == 1)


MIGRATIONS = ("articles.migrations.0007_bounded_dates", "press.migrations.0004_bounded_dates")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL keeps such times"
)


def _write_unreadable_times(article, inquiry):
    """Year 0 and year 10000, as the unbounded importer and form stored them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET published_at = '0001-01-01 00:00:00+05' WHERE id = %s",
            [article.pk],
        )
        cursor.execute(
            "UPDATE press_mediainquiry SET deadline = '9999-12-31 23:59:00-05' WHERE id = %s",
            [inquiry.pk],
        )


def _columns_of_today(migration, app_label):
    """The migration's columns that today's tables still have (later migrations dropped
    some, such as the inquiries' own retry times when mail moved to the outbox)."""
    kept = {}
    for model_name, columns in migration.COLUMNS.items():
        fields = {f.column for f in apps.get_model(app_label, model_name)._meta.concrete_fields}
        kept[model_name] = [column for column in columns if column in fields]
    return kept


@postgres_only
def test_migrations_repair_times_python_cannot_read(monkeypatch):
    article = ArticleFactory()
    inquiry = MediaInquiryFactory()
    migrations = [importlib.import_module(name) for name in MIGRATIONS]
    for name, migration in zip(MIGRATIONS, migrations, strict=True):
        monkeypatch.setattr(migration, "COLUMNS", _columns_of_today(migration, name.split(".")[0]))
    with connection.cursor() as cursor:
        # ALTER TABLE must not meet the test's still-deferred foreign key checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        for migration in migrations:
            migration.unguard_readable_times(apps, editor)
    _write_unreadable_times(article, inquiry)
    with pytest.raises(DataError, match="year"):
        list(Article.objects.filter(pk=article.pk))

    with connection.schema_editor() as editor:
        for migration in migrations:
            migration.repair_unreadable_times(apps, editor)
            migration.guard_readable_times(apps, editor)

    article.refresh_from_db()
    inquiry.refresh_from_db()
    assert article.published_at == EARLIEST
    assert inquiry.deadline == LATEST


@postgres_only
@pytest.mark.parametrize("how", ["raw", "update"])
def test_no_write_path_can_store_a_time_python_cannot_read(how):
    article = ArticleFactory()
    inquiry = MediaInquiryFactory()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    with pytest.raises(IntegrityError), transaction.atomic():
        if how == "raw":
            _write_unreadable_times(article, inquiry)
        else:
            MediaInquiry.objects.filter(pk=inquiry.pk).update(
                deadline=datetime.datetime(9999, 12, 31, 23, 59, tzinfo=new_york)
            )
    # Readable extremes stay possible (see TestRowsOutsideTheBound).
    Article.objects.filter(pk=article.pk).update(published_at=FIRST)
    MediaInquiry.objects.filter(pk=inquiry.pk).update(deadline=LAST)
