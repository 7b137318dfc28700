"""The site settings row moves to core.SiteSettings: its values are copied across, then
the old table is dropped. Self-contained, as migrations must be: it reads and writes
through the historical models only."""

from django.db import migrations

FIELDS = ["mission", "intro", "press_email", "press_phone", "inquiry_recipients"]


def copy_to_core(apps, schema_editor):
    NewsroomSettings = apps.get_model("articles", "NewsroomSettings")
    SiteSettings = apps.get_model("core", "SiteSettings")
    db = schema_editor.connection.alias
    for old in NewsroomSettings.objects.using(db).all():
        values = {field: getattr(old, field) for field in FIELDS}
        SiteSettings.objects.using(db).update_or_create(
            pk=old.pk, defaults={"name": old.heading, **values}
        )


def copy_back(apps, schema_editor):
    NewsroomSettings = apps.get_model("articles", "NewsroomSettings")
    SiteSettings = apps.get_model("core", "SiteSettings")
    db = schema_editor.connection.alias
    for new in SiteSettings.objects.using(db).all():
        values = {field: getattr(new, field) for field in FIELDS}
        NewsroomSettings.objects.using(db).update_or_create(
            pk=new.pk, defaults={"heading": new.name, **values}
        )


def forget_old_permissions(apps, schema_editor):
    """The old model's content type and its permissions (deleted with it) would stay
    listed in the admin's permission pickers; the roles name the new ones."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label="articles", model="newsroomsettings").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search"),
        ("core", "0001_site_settings"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(name="NewsroomSettings"),
        migrations.RunPython(forget_old_permissions, migrations.RunPython.noop),
    ]
