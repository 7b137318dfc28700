"""The admin site: Django's, with every model admin hardened against odd input.

``core.apps.NewsroomAdminConfig`` makes it ``admin.site``. Registering puts
``core.admin_input.OddInputAdminMixin`` in front of each model admin class, ours and
those of Django and other packages alike, so no admin can be registered without it.
"""

from django.contrib import admin

from core.admin_input import OddInputAdminMixin


class NewsroomAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, OddInputAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (OddInputAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
