"""The media library in the admin: upload photos and documents, see where they are used.

Uploads are checked by ``media_library.validation`` (through the forms) and saved by the
services, so the admin makes renditions exactly as the importer does. Deleting anything
an article or spokesperson still uses is refused, with links to where it is used.
"""

from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin_languages import OtherLanguageForm, OtherLanguagesInlineMixin
from core.languages import is_multilingual, language_name
from media_library import services
from media_library.forms import DocumentAdminForm, PhotoAdminForm
from media_library.models import (
    Document,
    Photo,
    PhotoText,
    missing_languages,
    rights_allow_redistribution,
)
from media_library.storage import is_disk_full


def _usage_links(usages):
    return format_html_join(
        "",
        "<li>{}: {}</li>",
        (
            (
                u.kind,
                format_html('<a href="{}">{}</a>', u.admin_url, u.label)
                if u.admin_url
                else u.label,
            )
            for u in usages
        ),
    )


def _used_in(usages, nothing):
    if not usages:
        return nothing
    return format_html('<ul class="media-used-in">{}</ul>', _usage_links(usages))


class InUseProtectionMixin:
    """Refuse deletion (single and bulk) of items still in use, saying where.

    The admin's delete views already refuse when ``get_deleted_objects`` reports
    protected objects; we report our own list of usages (which includes attachments,
    a many-to-many link the database would otherwise silently remove).
    """

    delete_confirmation_template = "admin/media_library/delete_confirmation.html"
    delete_selected_confirmation_template = "admin/media_library/delete_selected_confirmation.html"

    def usages(self, obj):
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, _protected = super().get_deleted_objects(objs, request)
        protected = []
        for obj in objs:
            usages = self.usages(obj)
            if usages:
                protected.append(
                    format_html("“{}” is used in: <ul>{}</ul>", obj, _usage_links(usages))
                )
        return deleted, counts, perms_needed, protected


class DiskFullAdminMixin:
    """A save that finds the media disk full is answered with the form again: every field
    as typed, the reason on the file field, nothing saved (the transaction is rolled back
    and the storage leaves no partial file), never a 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError as error:
            if request.method != "POST" or not is_disk_full(error):
                raise
        # Check the same data again, with the form told why it cannot be saved.
        request.media_disk_full = True
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # modelform_factory made a new class for this request, so this sets nothing shared.
        form.disk_full = getattr(request, "media_disk_full", False)
        return form


class PhotoTextForm(OtherLanguageForm):
    class Meta:
        model = PhotoText
        fields = ["language", "alt_text", "caption"]


class PhotoTextInline(OtherLanguagesInlineMixin, admin.StackedInline):
    """The photo's alt text and caption in each of the newsroom's other languages."""

    model = PhotoText
    form = PhotoTextForm
    verbose_name = _("text in another language")
    verbose_name_plural = _("Alt text and caption in other languages")


@admin.register(Photo)
class PhotoAdmin(DiskFullAdminMixin, InUseProtectionMixin, admin.ModelAdmin):
    form = PhotoAdminForm
    list_display = [
        "thumbnail",
        "__str__",
        "renditions_state",
        "credit",
        "usage_rights",
        "downloadable",
        "is_decorative",
        "created_at",
    ]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = ["usage_rights", "downloadable", "is_decorative", "created_at"]
    search_fields = ["title", "caption", "credit", "copyright", "alt_text"]
    search_help_text = "Search titles, captions, credits, copyright holders and alt text."
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = [
        "card_preview",
        "renditions_state",
        "used_in",
        "dimensions",
        "size",
        "uploaded_by",
        "created_at",
        "updated_at",
        "download_confirmation",
    ]
    fieldsets = [
        (None, {"fields": ["image", "title"]}),
        (
            "Accessibility",
            {
                "fields": ["alt_text", "is_decorative"],
                "description": "Alt text is read aloud to people who cannot see the photo. "
                "It is required unless the photo is marked decorative.",
            },
        ),
        ("Caption and credit", {"fields": ["caption", "credit", "copyright"]}),
        (
            "Rights and downloads",
            {
                "fields": [
                    "usage_rights",
                    "usage_notes",
                    "downloadable",
                    "confirm_redistribution",
                    "download_confirmation",
                ],
                "description": "Journalists see the usage terms beside the photo. A photo "
                "offered for download is in the article's media kit, full size, with its "
                "credit and copyright written into the file. Only photos we own or under "
                "Creative Commons are offered unless someone confirms that the licence "
                "allows it.",
            },
        ),
        (
            "Crop",
            {
                "fields": [("focal_x", "focal_y"), "card_preview", "renditions_state"],
                "description": "Cards show a 16:9 crop kept around the focal point. Save to "
                "update the preview.",
            },
        ),
        ("Used in", {"fields": ["used_in"]}),
        (
            "File",
            {
                "fields": ["dimensions", "size", "uploaded_by", "created_at", "updated_at"],
                "classes": ["collapse"],
            },
        ),
    ]

    inlines = [PhotoTextInline]

    def get_inlines(self, request, obj):
        # An English-only newsroom has no other language to write texts in.
        return self.inlines if is_multilingual() else []

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "missing_texts"] if is_multilingual() else shown

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "missing_texts"] if is_multilingual() else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not is_multilingual():
            return fieldsets
        return [
            (name, {**options, "fields": [*options["fields"], "missing_texts"]})
            if name == "Accessibility"
            else (name, options)
            for name, options in fieldsets
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The changelist's "Missing texts" column, in one query for the page.
        return queryset.prefetch_related("texts") if is_multilingual() else queryset

    @admin.display(description=_("Missing texts"))
    def missing_texts(self, obj):
        missing = missing_languages(obj if obj is not None else Photo())
        if not missing:
            return _("None")
        return ", ".join(language_name(code) for code in missing)

    @admin.display(description="Photo")
    def thumbnail(self, obj):
        thumb = obj.rendition("thumb")
        if thumb is None:
            return "—"
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="" loading="lazy">',
            thumb.url,
            thumb.width,
            thumb.height,
        )

    @admin.display(description="Renditions")
    def renditions_state(self, obj):
        if obj is None or obj.pk is None:
            return "Made after the photo is saved."
        if obj.renditions_pending:
            # Made by the background worker after each upload, edit or import.
            return format_html('<span class="renditions-pending">{}</span>', "Pending")
        return "Ready"

    @admin.display(description="Card crop")
    def card_preview(self, obj):
        if obj is None or obj.pk is None:
            return "Shown once the photo is saved."
        cards = obj.rendition_set("card")
        if not cards:
            return (
                "Being made in the background: reload in a moment. If it stays empty, "
                "check that the worker runs (manage.py db_worker)."
            )
        smallest = cards[0]
        # Shown at the smallest card size; the srcset keeps it sharp on dense screens.
        return format_html(
            '<img src="{}" srcset="{}" sizes="{}px" width="{}" height="{}" alt="">',
            smallest.url,
            format_html_join(", ", "{} {}w", ((c.url, c.width) for c in cards)),
            smallest.width,
            smallest.width,
            smallest.height,
        )

    @admin.display(description="Used in")
    def used_in(self, obj):
        if obj is None or obj.pk is None:
            return "Not used yet."
        return _used_in(self.usages(obj), "Not used by any article or spokesperson.")

    @admin.display(description="Confirmation")
    def download_confirmation(self, obj):
        if obj is None or obj.download_confirmed_at is None:
            return "Not needed: offered only as its usage rights allow."
        who = obj.download_confirmed_by
        when = timezone.localtime(obj.download_confirmed_at)
        return (
            f"Redistribution confirmed by {who.get_username() if who else 'a deleted user'} "
            f"on {when:%B %-d, %Y at %H:%M}."
        )

    @admin.display(description="Dimensions")
    def dimensions(self, obj):
        return f"{obj.width} x {obj.height} px" if obj.width else "—"

    @admin.display(description="File size")
    def size(self, obj):
        return filesizeformat(obj.file_size) if obj.file_size else "—"

    def usages(self, obj):
        return services.photo_usages(photo=obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        if form.confirms_redistribution:
            obj.download_confirmed_by = request.user
            obj.download_confirmed_at = timezone.now()
        elif not obj.downloadable or rights_allow_redistribution(obj.usage_rights):
            # A confirmation holds for the rights it was given under, while offered.
            obj.download_confirmed_by = obj.download_confirmed_at = None
        previous = form.initial.get("image")
        services.photo_save(
            photo=obj,
            file_changed="image" in form.changed_data,
            previous_file=getattr(previous, "name", "") or "",
        )
        if form.download_offer_note:
            self.message_user(request, form.download_offer_note, messages.WARNING)

    def delete_model(self, request, obj):
        services.photo_delete(photo=obj)

    def delete_queryset(self, request, queryset):
        for photo in queryset:
            services.photo_delete(photo=photo)


@admin.register(Document)
class DocumentAdmin(DiskFullAdminMixin, InUseProtectionMixin, admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = ["title", "language", "extension", "size", "created_at"]
    list_filter = ["language", "created_at"]
    search_fields = ["title", "file"]
    search_help_text = "Search titles and file names."
    date_hierarchy = "created_at"
    readonly_fields = ["size", "used_in", "created_at", "updated_at"]
    fields = ["file", "title", "language", "size", "used_in", "created_at", "updated_at"]

    @admin.display(description="File size", ordering="file_size")
    def size(self, obj):
        return filesizeformat(obj.file_size) if obj.file_size else "—"

    @admin.display(description="Used in")
    def used_in(self, obj):
        if obj is None or obj.pk is None:
            return "Not used yet."
        return _used_in(self.usages(obj), "Not attached to any article.")

    def usages(self, obj):
        return services.document_usages(document=obj)

    def save_model(self, request, obj, form, change):
        previous = form.initial.get("file")
        services.document_save(
            document=obj,
            file_changed="file" in form.changed_data,
            previous_file=getattr(previous, "name", "") or "",
        )

    def delete_model(self, request, obj):
        services.document_delete(document=obj)

    def delete_queryset(self, request, queryset):
        for document in queryset:
            services.document_delete(document=document)
