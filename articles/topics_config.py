"""django-taggit as staff see it: "Topics", which is what the newsroom calls its tags.

Installed in place of ``"taggit"`` (``INSTALLED_APPS``). Only the names shown change:
the app label, the model and the permission codenames stay taggit's, so
``core.roles`` keeps granting ``taggit.add_tag`` and friends, and no migration changes.
"""

from taggit.apps import TaggitAppConfig


class TopicsConfig(TaggitAppConfig):
    verbose_name = "Topics"

    def ready(self):
        super().ready()
        tag = self.get_model("Tag")
        # Set on the options rather than through Meta, which belongs to taggit: a Meta
        # change would be a migration in taggit's own app. Migrations read
        # ``_meta.original_attrs``, which this leaves alone.
        tag._meta.verbose_name = "topic"
        tag._meta.verbose_name_plural = "topics"
