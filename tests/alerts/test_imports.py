"""Moving an archive in mails nobody: an import alerts only for articles published
within the last day or scheduled, and ``--no-alerts`` silences it entirely."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from alerts.models import ArticleAlert, Delivery
from articles.models import Article
from interchange import FORMAT
from tests.alerts.helpers import sent_to, subscriber

pytestmark = pytest.mark.django_db


def record(slug, published_at, **fields):
    return {
        "slug": slug,
        "kind": "press-release",
        "title": f"Release {slug}",
        "summary": "The authorities must act.",
        "published_at": published_at.isoformat(),
        "regions": ["mx"],
        **fields,
    }


@pytest.fixture
def import_file(tmp_path, django_capture_on_commit_callbacks):
    def run(records, *options):
        path = tmp_path / "articles.json"
        path.write_text(json.dumps({"format": FORMAT, "articles": records}))
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_articles", str(path), "--no-progress", *options, verbosity=0)

    return run


def test_an_archive_alerts_nobody_but_todays_news_does(import_file):
    reader = subscriber(query="region=mx")
    now = timezone.now()
    import_file(
        [
            record("archive-2017", now.replace(year=2017)),
            record("last-week", now - timedelta(days=7)),
            record("this-morning", now - timedelta(hours=3)),
            record("draft-today", now, status="draft"),
        ]
    )
    assert Article.objects.count() == 4
    [message] = sent_to(reader.email)
    assert message.subject == "Press Release: Release this-morning"
    assert list(ArticleAlert.objects.values_list("article__slug", flat=True)) == ["this-morning"]


def test_a_scheduled_import_waits_for_its_time(import_file):
    reader = subscriber()
    import_file([record("tomorrow", timezone.now() + timedelta(days=1))])
    assert mail.outbox == []
    alert = ArticleAlert.objects.get()
    assert alert.matched_at is None
    assert reader.deliveries.count() == 0


def test_no_alerts_suppresses_entirely(import_file):
    subscriber()
    import_file([record("this-morning", timezone.now() - timedelta(hours=1))], "--no-alerts")
    assert mail.outbox == []
    assert not ArticleAlert.objects.exists() and not Delivery.objects.exists()


def test_importing_again_sends_nothing_again(import_file):
    reader = subscriber()
    records = [record("this-morning", timezone.now() - timedelta(hours=1))]
    import_file(records)
    records[0]["title"] = "Release this-morning, corrected"
    import_file(records)
    assert len(sent_to(reader.email)) == 1


def test_a_draft_imported_then_published_by_import_is_alerted(import_file):
    reader = subscriber()
    published_at = timezone.now() - timedelta(hours=1)
    import_file([record("later", published_at, status="draft")])
    assert mail.outbox == []
    import_file([record("later", published_at)])
    assert len(sent_to(reader.email)) == 1
