"""The press office in the admin: spokespeople, press contacts and media inquiries."""

import re
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html

from core.changelists import BoundedDateChangeList
from core.roles import PRESS_OFFICE
from press import services
from press.models import InquiryNote, MediaInquiry, PressContact, Spokesperson


@admin.register(Spokesperson)
class SpokespersonAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "languages", "quoted_in", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active", "regions"]
    search_fields = ["name", "role", "expertise", "languages"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["photo"]
    filter_horizontal = ["regions"]

    def get_queryset(self, request):
        # Meta.ordering is dropped from GROUP BY queries, so it is restated for the
        # article form's autocomplete, which pages through this queryset.
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles"))
            .order_by(*Spokesperson._meta.ordering)
        )

    @admin.display(description="quoted in", ordering="article_count")
    def quoted_in(self, obj):
        return f"{obj.article_count} article{'s' if obj.article_count != 1 else ''}"


@admin.register(PressContact)
class PressContactAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "email", "phone", "time_zone", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active", "regions"]
    search_fields = ["name", "role", "email", "topics"]
    filter_horizontal = ["regions"]


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline_state"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("next24", "Due in the next 24 hours")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.overdue(at=now)
        if self.value() == "next24":
            return queryset.open().filter(
                deadline__gte=now, deadline__lt=now + timedelta(hours=24)
            )
        return queryset


class NotificationFilter(admin.SimpleListFilter):
    title = "notification"
    parameter_name = "notification"

    def lookups(self, request, model_admin):
        return [
            ("failed", "Notification failed"),
            ("gave-up", "E-mail gave up: re-send"),
            ("sent", "Press office notified"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.notification_failed()
        if self.value() == "gave-up":
            return queryset.delivery_gave_up()
        if self.value() == "sent":
            return queryset.filter(notified_at__isnull=False)
        return queryset


class InquiryNoteInline(admin.TabularInline):
    """Timestamped internal notes. Whoever may change the inquiry may add notes to it."""

    model = InquiryNote
    extra = 1
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("press.view_mediainquiry")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("press.change_mediainquiry")

    def has_change_permission(self, request, obj=None):
        # Notes are a record: they are added, never rewritten.
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("press.delete_mediainquiry")


REFERENCE_RE = re.compile(r"^\s*MI-(?:\d{4})-0*(\d+)\s*$", re.IGNORECASE)


@admin.register(MediaInquiry)
class MediaInquiryAdmin(admin.ModelAdmin):
    """Triage for the press office. Only the press-office group and superusers have the
    permissions to see this: inquiries hold journalists' personal data."""

    list_display = [
        "reference_display",
        "subject",
        "status",
        "deadline_display",
        "outlet",
        "name",
        "assignee",
        "delivery",
        "created_at",
    ]
    list_display_links = ["reference_display", "subject"]
    list_filter = [
        "status",
        OverdueFilter,
        NotificationFilter,
        "rate_limit_skipped",
        ("assignee", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["assignee", "region"]
    search_fields = ["name", "email", "outlet", "subject", "message", "topic"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["assign_to_me", "mark_answered", "mark_spam", "mark_not_spam", "resend_emails"]
    inlines = [InquiryNoteInline]
    # What the journalist sent and how it was delivered is the record: staff change only
    # the status, the assignee and the notes.
    journalist_fields = [
        "name",
        "email",
        "outlet",
        "phone",
        "deadline",
        "subject",
        "message",
        "region",
        "topic",
        "consent",
    ]
    delivery_fields = [
        "created_at",
        "answered_at",
        "notified_at",
        "acknowledged_at",
        "notify_attempts",
        "next_attempt_at",
        "sending_until",
        "last_error",
        "spam_reason",
        "rate_limit_skipped",
        "ip_address",
        "user_agent",
    ]
    readonly_fields = ["reference_display", "delivery", *journalist_fields, *delivery_fields]
    fieldsets = [
        (None, {"fields": ["reference_display", "status", "assignee", "delivery"]}),
        ("From the journalist", {"fields": journalist_fields}),
        ("Delivery", {"fields": delivery_fields, "classes": ["collapse"]}),
    ]

    def has_add_permission(self, request):
        # Inquiries come from journalists through the public form only.
        return False

    def get_changelist(self, request, **kwargs):
        return BoundedDateChangeList

    def get_search_results(self, request, queryset, search_term):
        match = REFERENCE_RE.match(search_term)
        if match:
            return queryset.filter(pk=int(match[1])), False
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            # Only people who can work on inquiries can be given one.
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, is_staff=True)
                .filter(Q(is_superuser=True) | Q(groups__name=PRESS_OFFICE))
                .distinct()
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        for note in formset.save(commit=False):
            if note.author_id is None:
                note.author = request.user
            note.save()
        for note in formset.deleted_objects:
            note.delete()

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status == MediaInquiry.Status.ANSWERED:
            obj.answered_at = obj.answered_at or timezone.now()
        if "status" in form.changed_data and obj.status == MediaInquiry.Status.SPAM:
            obj.spam_reason = obj.spam_reason or f"Marked as spam by {request.user.get_username()}"
        super().save_model(request, obj, form, change)

    @admin.display(description="reference", ordering="pk")
    def reference_display(self, obj):
        return obj.reference

    @admin.display(description="deadline", ordering="deadline")
    def deadline_display(self, obj):
        if obj.deadline is None:
            return "—"
        if obj.is_overdue:
            return format_html('<strong class="overdue">Overdue: {}</strong>', obj.deadline_text)
        return obj.deadline_text

    @admin.display(description="e-mail", ordering="notified_at")
    def delivery(self, obj):
        state = obj.delivery_state
        if state.startswith("Failed"):
            return format_html('<strong class="delivery-failed">{}</strong>', state)
        return state

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = services.inquiries_assign(inquiries=queryset, assignee=request.user)
        self.message_user(request, f"{count} inquiries assigned to you.", messages.SUCCESS)

    @admin.action(description="Mark as answered", permissions=["change"])
    def mark_answered(self, request, queryset):
        count = services.inquiries_mark_answered(inquiries=queryset)
        self.message_user(request, f"{count} inquiries marked as answered.", messages.SUCCESS)

    @admin.action(description="Mark as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        count = services.inquiries_mark_spam(inquiries=queryset, user=request.user)
        self.message_user(request, f"{count} inquiries moved to spam.", messages.SUCCESS)

    @admin.action(description="Not spam: move to new and notify", permissions=["change"])
    def mark_not_spam(self, request, queryset):
        rescued = 0
        for inquiry in queryset.filter(status=MediaInquiry.Status.SPAM):
            services.inquiry_mark_not_spam(inquiry=inquiry)
            rescued += 1
        self.message_user(
            request,
            f"{rescued} inquiries moved to new; the press office is being notified.",
            messages.SUCCESS,
        )

    @admin.action(description="Re-send unsent e-mails", permissions=["change"])
    def resend_emails(self, request, queryset):
        count = services.inquiries_resend(inquiries=queryset)
        self.message_user(
            request,
            f"{count} inquiries queued to send their unsent e-mails; e-mails already sent "
            "are not sent again.",
            messages.SUCCESS,
        )
