"""Upgrading a database from the schema before the desk and the media kit left articles.

The models moved app (``desk``, ``press``) without moving data: the migrations change only
Django's state, the tables keep their names, and the content types are relabelled so that
permissions, the users and groups holding them, and the admin's history stay attached.
This test migrates a database back to the old schema, writes rows through the historical
models, migrates forward and reads them through today's models.
"""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.models import Article, ArticleNote
from core.roles import EDITORS
from desk.models import ArticleEditLock, ArticlePendingChange, ArticleRevision, ArticleTransition
from press.models import MediaKit

# serialized_rollback: its flush afterwards leaves the tables empty for the next test that
# restores the migrated rows (roles, content types), as every transactional test here does.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The last migrations before the move.
BEFORE = {
    "articles": "0017_pending_changes_to_live_articles",
    "press": "0011_phone_numbers_checked_by_libphonenumber",
}
NEW_APPS = {"desk"}
MOVED = {
    "articlerevision": "desk",
    "articleeditlock": "desk",
    "articlependingchange": "desk",
    "articletransition": "desk",
    "mediakit": "press",
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def old_targets():
    graph = MigrationExecutor(connection).loader.graph
    targets = [(app, BEFORE.get(app, name)) for app, name in graph.leaf_nodes()]
    return [(app, name) for app, name in targets if app not in NEW_APPS] + [
        (app, None) for app in NEW_APPS
    ]


def latest_targets():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_schema():
    # The content types, permissions and roles of today's models, as after a migrate (an
    # earlier test's flush may have emptied them).
    call_command("setup_roles", verbosity=0)
    targets = old_targets()
    executor = migrate(targets)
    executor.loader.build_graph()
    yield executor.loader.project_state([t for t in targets if t[1] is not None]).apps
    migrate(latest_targets())
    ContentType.objects.clear_cache()


def test_rows_written_before_the_move_are_read_after_it(old_schema):
    apps = old_schema
    now = timezone.now()
    User = apps.get_model("auth", "User")
    Permission = apps.get_model("auth", "Permission")
    OldGroup = apps.get_model("auth", "Group")
    OldContentType = apps.get_model("contenttypes", "ContentType")
    # The old database has the moved models' content types under articles.
    assert set(
        OldContentType.objects.filter(app_label="articles", model__in=MOVED).values_list(
            "model", flat=True
        )
    ) == set(MOVED)

    editor = User.objects.create(username="ed", is_staff=True)
    editor.groups.add(OldGroup.objects.get(name=EDITORS))
    revision_viewer = Permission.objects.get(
        content_type__app_label="articles", codename="view_articlerevision"
    )
    editor.user_permissions.add(revision_viewer)

    article = apps.get_model("articles", "Article").objects.create(
        kind="report",
        title="Walls",
        slug="walls",
        summary="s",
        body="<p>b</p>",
        status="published",
        published_at=now,
    )
    apps.get_model("articles", "ArticleRevision").objects.create(
        article=article, version=1, snapshot={"title": "Walls"}, created_by=editor
    )
    apps.get_model("articles", "ArticleEditLock").objects.create(article=article, user=editor)
    apps.get_model("articles", "ArticlePendingChange").objects.create(
        article=article, snapshot={"title": "Walls, again"}, base_version=1, updated_by=editor
    )
    apps.get_model("articles", "ArticleTransition").objects.create(
        article=article,
        user=editor,
        action="publish",
        from_state="approved",
        to_state="live",
        at=now,
    )
    apps.get_model("articles", "MediaKit").objects.create(
        article=article, version="v1", path="media-kits/1/v1.zip", size=10
    )
    apps.get_model("articles", "ArticleNote").objects.create(
        article=article, kind="correction", text="A date was wrong.", published_at=now
    )
    revision_type = OldContentType.objects.get(app_label="articles", model="articlerevision")
    apps.get_model("admin", "LogEntry").objects.create(
        user=editor,
        content_type=revision_type,
        object_id="1",
        object_repr="Walls v1",
        action_flag=CHANGE,
        action_time=now,
    )

    migrate(latest_targets())
    ContentType.objects.clear_cache()

    article = Article.objects.get(slug="walls")
    assert ArticleRevision.objects.get(article=article).snapshot == {"title": "Walls"}
    assert ArticleEditLock.objects.get(article=article).user.username == "ed"
    assert ArticlePendingChange.objects.get(article=article).snapshot == {"title": "Walls, again"}
    assert ArticleTransition.objects.get(article=article).to_state == "live"
    assert MediaKit.objects.get(article=article).path == "media-kits/1/v1.zip"
    assert ArticleNote.objects.get(article=article).text == "A date was wrong."
    for model, app_label in MOVED.items():
        assert ContentType.objects.get(model=model).app_label == app_label
    assert LogEntry.objects.get().content_type.model_class() is ArticleRevision

    editor = get_user_model().objects.get(username="ed")
    assert editor.has_perm("desk.view_articlerevision")
    assert editor.has_perm("articles.change_article")  # from the Editors role
    assert editor.has_perm("articles.publish_article")

    # The roles are whole after the upgrade, and setting them up again changes nothing.
    roles = Group.objects.all
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in roles()}
    call_command("setup_roles", verbosity=0)
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in roles()}
    assert after == before
