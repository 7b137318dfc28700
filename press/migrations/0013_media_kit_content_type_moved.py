from django.db import migrations


def move_content_type(apps, schema_editor, *, old, new):
    """Relabel the media kit's content type, so that its permissions and the admin's log
    entries stay attached."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="mediakit").exists():
        ContentType.objects.using(db).filter(app_label=old, model="mediakit").update(
            app_label=new
        )


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, old="articles", new="press")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, old="press", new="articles")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("press", "0012_mediakit"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
