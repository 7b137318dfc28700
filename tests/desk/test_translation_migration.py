"""Upgrading a site whose translations were made before they kept a base."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.models import Article
from desk.models import TranslationBase
from desk.revisions import record_revision
from desk.translation_status import with_staleness
from tests.factories import ArticleFactory

BEFORE = [("desk", "0002_content_types_moved")]


# serialized_rollback, as in tests/alerts/test_migrations.py: the flush after a
# transactional test would otherwise lose the roles that later tests expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_translations_follow_the_source_as_it_was_when_they_were_made(multilingual):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    now = timezone.now()
    source = ArticleFactory(title="First words")
    first = record_revision(article=source, message="Created.")
    source.title = "Later words"
    source.save()
    later = record_revision(article=source, message="Saved.")
    first.created_at, later.created_at = now - timedelta(days=3), now - timedelta(days=1)
    first.save()
    later.save()
    # Written without signals: the receiver that records bases needs the new table.
    made_between, made_before = Article.objects.bulk_create(
        [
            Article(title="Primeras", slug="primeras", language="es", translation_of=source),
            Article(title="Premiers", slug="premiers", language="fr", translation_of=source),
        ]
    )
    Article.objects.filter(pk=made_between.pk).update(created_at=now - timedelta(days=2))
    Article.objects.filter(pk=made_before.pk).update(created_at=now - timedelta(days=5))
    no_revisions = ArticleFactory(title="Never saved in the editor")
    # As rows written before revisions began (the model as it was: no bases to collect).
    old_revisions = executor.loader.project_state(BEFORE).apps.get_model("desk", "ArticleRevision")
    old_revisions.objects.filter(article_id=no_revisions.pk).delete()
    Article.objects.bulk_create(
        [Article(title="Nunca", slug="nunca", language="es", translation_of=no_revisions)]
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    bases = {
        base.translation.slug: base.source_revision.version
        for base in TranslationBase.objects.select_related("translation", "source_revision")
    }
    # Made between the two versions: it follows the first, so it is out of date. Made
    # before any revision: the first one is the nearest there is. A source with no
    # revision at all leaves its translation's base to the editor (ensure_base).
    assert bases == {"primeras": 1, "premiers": 1}
    stale = with_staleness(Article.objects.filter(translation_of=source))
    assert set(stale.filter(is_stale=True).values_list("slug", flat=True)) == {
        "primeras",
        "premiers",
    }
