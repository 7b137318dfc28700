"""From a region to its articles through an index alone.

Filtering the admin's list by a country reads the country's rows of the article-region
table, then their articles. Django's own index on ``region_id`` finds the rows but must
visit the table for each ``article_id`` (832 pages for Mexico's 1,090 articles at
100,000, ten times that at 1,000,000); with ``(region_id, article_id)`` the lookup is
an index-only scan. ArticleGrouping has had the same index from the start.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0015_reference_trigram_index"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX article_region_articles_idx "
            "ON articles_article_regions (region_id, article_id)",
            "DROP INDEX article_region_articles_idx",
        ),
    ]
