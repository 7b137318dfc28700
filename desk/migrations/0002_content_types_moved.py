from django.db import migrations

MODELS = ("articlerevision", "articleeditlock", "articlependingchange", "articletransition")


def move_content_types(apps, schema_editor, *, old, new):
    """Relabel the models' content types, so that their permissions, the groups and users
    holding them, and the admin's log entries stay attached."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, old="articles", new="desk")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, old="desk", new="articles")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("desk", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
