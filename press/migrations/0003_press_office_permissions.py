from django.db import migrations


def sync(apps, schema_editor):
    from newsroom.roles import sync_roles

    # The "Press office" group lists permissions on media inquiries and press contacts;
    # they exist only now, so the roles are synced again to attach them.
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("press", "0002_inquiries_and_press_contacts"),
        ("articles", "0004_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
