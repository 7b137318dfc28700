"""Once synced the roles again for the press office's new permissions; kept because
databases have it applied. Roles are now applied after every migrate by a post_migrate
handler (core.roles), so this migration does nothing and imports no application code."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("press", "0002_inquiries_and_press_contacts"),
        ("articles", "0004_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = []
