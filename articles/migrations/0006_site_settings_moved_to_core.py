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


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search"),
        ("core", "0001_site_settings"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(name="NewsroomSettings"),
    ]
