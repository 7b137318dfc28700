"""Once the place where the staff roles were created; kept because databases have it
applied. Roles are now applied after every migrate by a post_migrate handler
(core.roles), so this migration does nothing and imports no application code."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_regions"),
        ("media_library", "0001_initial"),
        ("press", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = []
