"""Full-text search on PostgreSQL: a stored, generated tsvector column and its GIN index.

The column is maintained by PostgreSQL itself (GENERATED ALWAYS ... STORED), so every
route that writes an article keeps it current without application code. It is not a
field on the Django model: SQLite has no equivalent, and articles.search reads it with a
small expression. On any other database this migration does nothing.
"""

from django.db import migrations

# Title weighs most, then the summary, then the body with its HTML tags stripped.
ADD_SEARCH_VECTOR = """
ALTER TABLE articles_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
    || setweight(
        to_tsvector('english', regexp_replace(coalesce(body, ''), '<[^>]+>', ' ', 'g')), 'C'
    )
) STORED;
CREATE INDEX article_search_idx ON articles_article USING GIN (search_vector);
"""

DROP_SEARCH_VECTOR = """
DROP INDEX IF EXISTS article_search_idx;
ALTER TABLE articles_article DROP COLUMN IF EXISTS search_vector;
"""


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_SEARCH_VECTOR)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SEARCH_VECTOR)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_roles"),
    ]

    operations = [migrations.RunPython(add_search_vector, drop_search_vector)]
