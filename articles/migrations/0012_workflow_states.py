"""Existing articles in the review workflow's terms.

Published articles count as approved. A draft that the old "Unpublish" action took off
the site (its admin history says "Unpublished (was live).") becomes "unpublished", so that
publishing it again keeps its original time, as it did before.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    Article.objects.filter(status="published").update(review_state="approved")
    content_type = ContentType.objects.filter(app_label="articles", model="article").first()
    if content_type is None:
        return
    withdrawn = LogEntry.objects.filter(
        content_type=content_type, change_message__startswith="Unpublished (was live)"
    ).values_list("object_id", flat=True)
    ids = {int(object_id) for object_id in withdrawn if object_id.isdigit()}
    if ids:
        Article.objects.filter(pk__in=ids, status="draft").update(status="unpublished")


def backwards(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.filter(status="unpublished").update(status="draft")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_workflow"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
