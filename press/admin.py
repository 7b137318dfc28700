"""The press office in the admin: spokespeople, press contacts and media inquiries."""

from django.contrib import admin

from press.models import Spokesperson


@admin.register(Spokesperson)
class SpokespersonAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "languages", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active", "regions"]
    search_fields = ["name", "role", "expertise", "languages"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["photo"]
    filter_horizontal = ["regions"]
