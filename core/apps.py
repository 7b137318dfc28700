from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The ground floor every other app stands on: the site's settings, security
    headers, trusted proxies, the caches' content version and the staff roles."""

    name = "core"
    verbose_name = "Site"

    def ready(self):
        from core.cache import invalidate_on_change  # noqa: PLC0415 - needs loaded apps
        from core.roles import sync_roles_after_migrate  # noqa: PLC0415 - needs loaded apps

        # The site settings show on every public page.
        invalidate_on_change(self.get_model("SiteSettings"))

        # As django.contrib.auth creates permissions: every migrate leaves the roles
        # right, with no data migration calling live code.
        post_migrate.connect(sync_roles_after_migrate, sender=self, dispatch_uid="core.roles")


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``core.admin_site.NewsroomAdminSite`` as its site."""

    # Not core's own config: Django picks CoreConfig for "core".
    default = False
    default_site = "core.admin_site.NewsroomAdminSite"
