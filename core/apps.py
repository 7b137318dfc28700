from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The ground floor every other app stands on: the site's settings, security
    headers, trusted proxies and the staff roles."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from core.roles import sync_roles_after_migrate  # noqa: PLC0415 - needs loaded apps

        # As django.contrib.auth creates permissions: every migrate leaves the roles
        # right, with no data migration calling live code.
        post_migrate.connect(sync_roles_after_migrate, sender=self, dispatch_uid="core.roles")
