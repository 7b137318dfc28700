"""One rule for "an article changed" (``articles.changes``): whatever route writes an
article (the admin's change form, the workflow, the services, the importer, a shell
``save()``, ``regions.set()``/``add()``/``remove()``/``clear()`` from either side, a
change of topics), the same followers act: the stored groupings, the caches, the alerts,
the embargoes and the revisions."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.models import ArticleAlert
from articles.models import Article, Region
from articles.regions import live_region_counts
from core.cache import content_version
from desk import services, workflow
from desk.revisions import latest_revision, snapshot
from embargo.models import EmbargoLink
from embargo.services import embargo_share
from interchange import FORMAT
from tests.desk.test_revisions import change_url, opened
from tests.desk.test_workflow import press
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed (what follows after commit runs)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def region(slug):
    return Region.objects.get(slug=slug)


def import_records(tmp_path, *records):
    path = tmp_path / "articles.json"
    path.write_text(json.dumps({"format": FORMAT, "articles": list(records)}, default=str))
    call_command("import_articles", str(path), "--no-progress", verbosity=0)


def record_of(article, **changes):
    """The interchange record of ``article`` as stored, with ``changes``."""
    return {
        "slug": article.slug,
        "kind": article.kind,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "published_at": article.published_at.isoformat(),
        "regions": [r.slug for r in article.regions.all()],
        "topics": [t.name for t in article.topics.all()],
        **changes,
    }


def assert_revision_holds(article, *, author):
    """The latest revision is the article as stored, recorded by ``author`` (None: a
    route with nobody behind it, kept as "changed outside the editor")."""
    article.refresh_from_db()
    latest = latest_revision(article)
    assert latest is not None
    assert latest.snapshot == snapshot(article)
    assert latest.created_by == author


# --- regions: the stored groupings, the derived counts, the revisions -------------------


def through_admin(article, *, client, editor, tmp_path):
    data = opened(client, article)
    data["regions"] = [region("mx").pk]
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return article, editor


def through_import(article, *, client, editor, tmp_path):
    import_records(tmp_path, record_of(article, regions=["mx"]))
    return article, None


def through_duplicate(article, *, client, editor, tmp_path):
    source = ArticleFactory(regions=["mx"], status=Article.Status.DRAFT)
    return services.article_duplicate(article=source, user=editor), editor


def through_regions_set(article, **kwargs):
    article.regions.set([region("mx")])
    return article, None


def through_regions_add(article, **kwargs):
    article.regions.add(region("mx"))
    return article, None


def through_region_side(article, **kwargs):
    region("mx").articles.add(article)
    return article, None


def through_shell_save(article, **kwargs):
    # A script that sets regions through the model and then saves the article.
    article.regions.set([region("mx")])
    article.title = "Saved from a shell"
    article.save()
    return article, None


@pytest.mark.parametrize(
    "route",
    [
        through_admin,
        through_import,
        through_duplicate,
        through_regions_set,
        through_regions_add,
        through_region_side,
        through_shell_save,
    ],
)
def test_an_article_tagged_with_a_country_joins_its_grouping_by_every_route(
    route, editor, client, commit, tmp_path
):
    client.force_login(editor)
    article = ArticleFactory(regions=["fr"], published_at=timezone.now() - timedelta(days=1))
    americas = region("americas")
    assert live_region_counts().get(americas.pk) is None  # now kept under the epoch
    version = content_version()
    with commit():
        article, author = route(article, client=client, editor=editor, tmp_path=tmp_path)
    assert Article.objects.in_regions([americas]).filter(pk=article.pk).exists()
    assert content_version() != version
    assert_revision_holds(article, author=author)
    if article.is_live:  # not the duplicate, a draft
        assert live_region_counts().get(americas.pk) == 1


@pytest.mark.parametrize("how", ["remove", "clear", "set", "region side"])
def test_an_article_leaves_its_grouping_whichever_way_its_regions_go(how, commit):
    article = ArticleFactory(regions=["mx"])
    americas = region("americas")
    assert live_region_counts().get(americas.pk) == 1
    with commit():
        match how:
            case "remove":
                article.regions.remove(region("mx"))
            case "clear":
                article.regions.clear()
            case "set":
                article.regions.set([region("fr")])
            case "region side":
                region("mx").articles.clear()
    assert not Article.objects.in_regions([americas]).exists()
    assert live_region_counts().get(americas.pk) is None
    assert_revision_holds(article, author=None)


def test_topics_changed_move_the_cache_and_make_a_revision(commit):
    article = ArticleFactory(topics=["Asylum"])
    version = content_version()
    with commit():
        article.topics.set(["Detention"])
    assert content_version() != version
    assert_revision_holds(article, author=None)
    assert latest_revision(article).snapshot["topics"] == ["Detention"]


# --- publication: an alert is due, the cache moves, a revision is kept ------------------


def publish_in_admin(article, *, client, editor, tmp_path):
    response = press(client, article, "publish")
    assert response.status_code == 302, response.content.decode()[:3000]
    return editor


def publish_by_workflow(article, *, client, editor, tmp_path):
    workflow.perform(article=article, user=editor, action=workflow.Action.PUBLISH)
    return editor


def publish_by_service(article, *, client, editor, tmp_path):
    services.article_publish(article=article, user=editor)
    return editor


def publish_by_import(article, *, client, editor, tmp_path):
    now = timezone.now()
    import_records(tmp_path, record_of(article, status="published", published_at=now.isoformat()))
    return None


def publish_from_a_shell(article, *, client, editor, tmp_path):
    article.status = Article.Status.PUBLISHED
    article.published_at = timezone.now()
    article.save()
    return None


@pytest.mark.parametrize(
    "route",
    [
        publish_in_admin,
        publish_by_workflow,
        publish_by_service,
        publish_by_import,
        publish_from_a_shell,
    ],
)
def test_an_article_going_live_is_alerted_by_every_route(route, editor, client, commit, tmp_path):
    client.force_login(editor)
    article = ArticleFactory(status=Article.Status.DRAFT, regions=["mx"])
    version = content_version()
    with commit():
        author = route(article, client=client, editor=editor, tmp_path=tmp_path)
    article.refresh_from_db()
    assert article.is_live
    assert ArticleAlert.objects.filter(article=article).exists()
    assert content_version() != version
    assert_revision_holds(article, author=author)


def test_an_edit_of_a_live_article_alerts_nobody(commit):
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
    with commit():
        article.title = "A typo fixed"
        article.save()
    assert not ArticleAlert.objects.exists()


# --- a new time: embargo links follow ---------------------------------------------------


def reschedule_by_workflow(article, at, *, editor, tmp_path):
    workflow.perform(article=article, user=editor, action=workflow.Action.SCHEDULE, at=at)
    return editor


def reschedule_by_service(article, at, *, editor, tmp_path):
    services.article_publish(article=article, user=editor, at=at)
    return editor


def reschedule_by_import(article, at, *, editor, tmp_path):
    import_records(tmp_path, record_of(article, published_at=at.isoformat()))
    return None


def reschedule_from_a_shell(article, at, *, editor, tmp_path):
    article.published_at = at
    article.save()
    return None


@pytest.mark.parametrize(
    "route",
    [reschedule_by_workflow, reschedule_by_service, reschedule_by_import, reschedule_from_a_shell],
)
def test_embargo_links_follow_a_new_time_by_every_route(
    route, editor, commit, tmp_path, mailoutbox
):
    first = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    with commit():
        article = ArticleFactory(published_at=first, regions=["mx"])
    with commit():
        embargo_share(article=article, emails=["reporter@example.com"], user=editor)
    link = EmbargoLink.objects.get(article=article)
    assert link.notified_published_at == first
    later = first + timedelta(days=1)
    sent = len(mailoutbox)
    version = content_version()
    with commit():
        author = route(article, later, editor=editor, tmp_path=tmp_path)
    link.refresh_from_db()
    assert link.notified_published_at == later
    assert len(mailoutbox) == sent + 1
    assert content_version() != version
    assert_revision_holds(article, author=author)
