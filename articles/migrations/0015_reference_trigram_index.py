"""A trigram index for the staff search's "part of a reference number" ("6514" finds
AI-2026-6514): without it that lookup read every report (1.2 s at 1,000,000 articles).

PostgreSQL only, like the search column (0005). pg_trgm ships with PostgreSQL and is a
trusted extension (PostgreSQL 13+), so the database owner may create it. Where the
extension cannot be created (a managed database that forbids it), the index is left
out with a warning and the search still works, only slower: a deployment must never
fail over an optimisation.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

ADD_INDEX = """
CREATE INDEX IF NOT EXISTS article_reference_trgm_idx ON articles_article
USING GIN (upper(reference_number) gin_trgm_ops) WHERE reference_number > ''
"""


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        logger.warning("pg_trgm unavailable (%s): reference-number search stays a scan", error)
        return
    schema_editor.execute(ADD_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_reference_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_media_kit"),
    ]

    operations = [migrations.RunPython(add_index, drop_index)]
