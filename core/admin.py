from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.functional import lazy
from django.utils.text import format_lazy

from core.models import SiteSettings

# The admin is named after the site too, read when a page is drawn, so a new name shows
# without a restart.
_site_name = lazy(lambda: SiteSettings.load().name, str)
admin.site.site_header = _site_name()
admin.site.site_title = format_lazy("{} admin", _site_name())


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row of settings: the list goes straight to it, and it cannot be added twice or
    deleted."""

    fieldsets = [
        ("Site and newsroom page", {"fields": ["name", "mission", "intro", "lead_article"]}),
        (
            "Press office",
            {"fields": ["press_email", "press_phone", "out_of_hours_phone", "inquiry_recipients"]},
        ),
        ("Corrections", {"fields": ["corrections_policy"]}),
        ("Editorial review", {"fields": ["require_second_person"]}),
    ]

    autocomplete_fields = ["lead_article"]

    def get_readonly_fields(self, request, obj=None):
        # Who must approve what is the editors' decision, not the press office's.
        if not request.user.has_perm("articles.publish_article"):
            return [*super().get_readonly_fields(request, obj), "require_second_person"]
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = SiteSettings.objects.get_or_create(pk=1)[0]
        return redirect("admin:core_sitesettings_change", row.pk)
