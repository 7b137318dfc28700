"""The press office in the admin: spokespeople, press contacts and media inquiries."""

import re
from datetime import timedelta
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin_search import ExactFirstSearchMixin
from core.changelists import BoundedDateChangeList
from core.datetimes import compact_time, in_two_zones
from core.languages import is_multilingual, language_choices, language_codes, language_name
from core.models import SiteSettings
from core.phones import tel_uri
from core.roles import PRESS_OFFICE
from outbox.models import Message
from press import services, tasks
from press.emails import reply_signature
from press.models import (
    InquiryMessage,
    InquiryNote,
    MediaInquiry,
    PressContact,
    Spokesperson,
    urgency_ordering,
)


@admin.register(Spokesperson)
class SpokespersonAdmin(ExactFirstSearchMixin, admin.ModelAdmin):
    list_display = ["name", "role", "languages", "quoted_in", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active", "regions"]
    search_fields = ["name", "role", "expertise", "languages", "topics"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo"]
    filter_horizontal = ["regions"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    ("given_name", "family_name"),
                    "slug",
                    "role",
                    "photo",
                    "is_active",
                    "sort_order",
                ]
            },
        ),
        ("What they speak to", {"fields": ["expertise", "languages", "regions", "topics"]}),
        (
            "Direct contact",
            {
                "fields": ["email", "phone"],
                "description": "Shown publicly, and in the contact card journalists "
                "download, only where filled in.",
            },
        ),
    ]

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


class DeadlineFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline_state"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("today", "Due today"),
            ("next24", "Due in the next 24 hours"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.overdue(at=now)
        if self.value() == "today":
            return queryset.due_today(at=now)
        if self.value() == "next24":
            return queryset.open().filter(
                deadline__gte=now, deadline__lt=now + timedelta(hours=24)
            )
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    """A ``language`` field by its native names (an inquiry's form, a subscriber's
    alerts). A value that is not one of the newsroom's languages filters nothing."""

    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return language_choices()

    def queryset(self, request, queryset):
        if self.value() not in language_codes():
            return queryset
        return queryset.filter(language=self.value())


class AssignmentFilter(admin.SimpleListFilter):
    title = "assignment"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("no", "Unassigned"), ("me", "Assigned to me")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.unassigned()
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        return queryset


class NotificationFilter(admin.SimpleListFilter):
    title = "notification"
    parameter_name = "notification"

    def lookups(self, request, model_admin):
        return [
            ("failed", "Notification failed"),
            ("gave-up", "E-mail gave up: re-send"),
            ("sent", "Press office notified"),
            ("thread-failed", "Reply or notice failed"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.notification_failed()
        if self.value() == "gave-up":
            return queryset.delivery_gave_up()
        if self.value() == "sent":
            sent = Message.objects.filter(kind=tasks.NOTIFICATION, state=Message.State.SENT)
            return queryset.filter(pk__in=sent.values("object_id"))
        if self.value() == "thread-failed":
            failed = Message.objects.filter(
                kind__in=[tasks.REPLY, tasks.ASSIGNMENT],
                state__in=[Message.State.RETRYING, Message.State.GAVE_UP],
            )
            threads = InquiryMessage.objects.unsent().filter(pk__in=failed.values("object_id"))
            return queryset.filter(pk__in=threads.values("inquiry_id"))
        return queryset


class NoteFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            # A tabular inline heads the column but labels no checkbox.
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this note"


class InquiryNoteInline(admin.TabularInline):
    """Timestamped internal notes. Whoever may change the inquiry may add notes to it."""

    model = InquiryNote
    formset = NoteFormSet
    extra = 1
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "text":
            # A tabular inline heads the column but labels no field: screen readers
            # would announce an unnamed text box.
            field.widget.attrs["aria-label"] = "New note"
        return field

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("press.view_mediainquiry")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("press.change_mediainquiry")

    def has_change_permission(self, request, obj=None):
        # Notes are a record: they are added, never rewritten.
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("press.delete_mediainquiry")


class ReplyForm(forms.Form):
    """The press officer's answer, plain text, as long as the thread keeps."""

    body = forms.CharField(
        label="Reply to the journalist",
        max_length=InquiryMessage._meta.get_field("body").max_length,
        widget=forms.Textarea(
            attrs={"rows": 10, "cols": 80, "aria-describedby": "reply-help reply-signature"}
        ),
        help_text="Plain text, sent from the press office address with the inquiry's "
        "reference in the subject. It is kept on the thread below.",
    )


def compact_time_html(moment):
    """``compact_time`` for a narrow cell: the offset kept on one line ("UTC-05:00" must
    not break at its sign)."""
    written, offset = compact_time(moment).rpartition(" ")[::2]
    if not written:
        return offset
    return format_html('{} <span class="utc-offset">{}</span>', written, offset)


def time_column(field_name: str, description: str):
    """An admin column or read-only field showing a stored time in the newsroom's zone
    with its offset (``core.datetimes.compact_time``), sortable by the field."""

    @admin.display(description=description, ordering=field_name)
    def column(modeladmin, obj):
        return compact_time_html(getattr(obj, field_name))

    column.__name__ = f"{field_name}_display"
    return column


REFERENCE_RE = re.compile(r"^\s*MI-(?:\d{4})-0*(\d+)\s*$", re.IGNORECASE)


@admin.register(MediaInquiry)
class MediaInquiryAdmin(admin.ModelAdmin):
    """Triage for the press office. Only the press-office group and superusers have the
    permissions to see this: inquiries hold journalists' personal data."""

    # Chosen to fit a 1280 px screen between the admin's navigation and the filters (about
    # 630 px; widths in press/admin.css): subject, reference and status share a column, so
    # do the journalist's name and outlet; times are short, with their offset.
    list_display = [
        "inquiry",
        "due",
        "sender",
        "assignee",
        "delivery",
        "created_at_display",
    ]
    list_display_links = ["inquiry"]
    list_filter = [
        "status",
        DeadlineFilter,
        AssignmentFilter,
        NotificationFilter,
        "rate_limit_skipped",
        ("assignee", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["assignee", "region"]

    def get_queryset(self, request):
        # The e-mail column reads each inquiry's outbox rows: one query for the page.
        return super().get_queryset(request).prefetch_related("outbox_mails")

    search_fields = ["name", "email", "outlet", "subject", "message", "topic"]
    date_hierarchy = "created_at"
    list_per_page = 50
    # The desk's order: what is open and due soonest on top (``urgency_ordering``).
    ordering = urgency_ordering()
    change_form_template = "admin/press/mediainquiry/change_form.html"
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
        "time_zone",
        "subject",
        "message",
        "language",
        "region",
        "topic",
        "consent",
    ]
    # Stored times are shown through ``time_column``: with the zone and its offset.
    delivery_fields = [
        "created_at_display",
        "answered_at_display",
        "notified_at_display",
        "acknowledged_at_display",
        "spam_reason",
        "rate_limit_skipped",
        "ip_address",
        "user_agent",
    ]
    # E-mail and phone are shown as links to write or call, the deadline in both zones.
    journalist_display = [
        {
            "email": "email_link",
            "phone": "phone_link",
            "deadline": "deadline_display",
            "language": "language_display",
        }.get(name, name)
        for name in journalist_fields
    ]
    readonly_fields = [
        "reference_display",
        "due",
        "delivery",
        "email_link",
        "phone_link",
        "deadline_display",
        "language_display",
        *journalist_fields,
        *delivery_fields,
    ]
    fieldsets = [
        (None, {"fields": ["reference_display", "status", "assignee", "due", "delivery"]}),
        ("From the journalist", {"fields": journalist_display}),
        ("Delivery", {"fields": delivery_fields, "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["press/admin.css"]}

    def has_add_permission(self, request):
        # Inquiries come from journalists through the public form only.
        return False

    # Where the newsroom has several languages, the press office sees which one each
    # inquiry was written from (and so which language to answer in).
    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if is_multilingual():
            columns.insert(columns.index("sender") + 1, "language_display")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if is_multilingual():
            filters.insert(1, LanguageFilter)
        return filters

    @admin.display(description="language", ordering="language")
    def language_display(self, obj):
        return language_name(obj.language)

    def get_urls(self):
        reply = self.admin_site.admin_view(self.reply_view)
        return [
            path("<path:object_id>/reply/", reply, name="press_mediainquiry_reply"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        inquiry = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if inquiry is not None and self.has_view_permission(request, inquiry):
            extra_context["thread"] = inquiry.messages.select_related("author").prefetch_related(
                "outbox_mails"
            )
            extra_context["can_reply"] = (
                self.has_change_permission(request, inquiry)
                and inquiry.status != MediaInquiry.Status.SPAM
            )
            extra_context["reply_form"] = ReplyForm()
            extra_context["reply_signature"] = reply_signature(request.user, SiteSettings.load())
            extra_context["reply_takes_it"] = inquiry.assignee_id is None
            extra_context["reply_url"] = reverse(
                "admin:press_mediainquiry_reply", args=[inquiry.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def reply_view(self, request, object_id):
        """POST only: store the press officer's reply on the thread and queue it."""
        if request.method != "POST":
            return redirect("admin:press_mediainquiry_change", object_id)
        return self._reply(request, object_id)

    def _reply(self, request, object_id):
        inquiry = self.get_object(request, object_id)
        if inquiry is None:
            raise Http404("No such media inquiry.")
        if not self.has_change_permission(request, inquiry):
            raise PermissionDenied
        form = ReplyForm(request.POST)
        change_url = reverse("admin:press_mediainquiry_change", args=[inquiry.pk])
        if not form.is_valid():
            for error in form.errors.get("body", []):
                self.message_user(request, f"Reply not sent: {error}", messages.ERROR)
            return redirect(change_url)
        was_unassigned = inquiry.assignee_id is None
        try:
            services.inquiry_reply(
                inquiry=inquiry, author=request.user, body=form.cleaned_data["body"]
            )
        except services.CannotReply as refusal:
            self.message_user(request, f"Reply not sent: {refusal}", messages.ERROR)
            return redirect(change_url)
        taken = was_unassigned and inquiry.assignee == request.user
        self.message_user(
            request,
            f"Your reply to {inquiry.email} is on the thread and being sent; the inquiry "
            "moves to answered once it has gone."
            + (" It is assigned to you now." if taken else ""),
            messages.SUCCESS,
        )
        return redirect(f"{change_url}#thread")

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
        if "assignee" in form.changed_data and obj.assignee is not None:
            services.inquiry_notify_assignee(inquiry=obj, assigned_by=request.user)

    created_at_display = time_column("created_at", "created")
    answered_at_display = time_column("answered_at", "answered at")
    notified_at_display = time_column("notified_at", "press office notified")
    acknowledged_at_display = time_column("acknowledged_at", "journalist acknowledged")

    @admin.display(description="inquiry", ordering="subject")
    def inquiry(self, obj):
        return format_html(
            '{}<span class="inquiry-meta">{} \N{MIDDLE DOT} {}</span>',
            obj.subject,
            obj.reference,
            obj.get_status_display(),
        )

    @admin.display(description="from", ordering="name")
    def sender(self, obj):
        return format_html('{}<span class="inquiry-outlet">{}</span>', obj.name, obj.outlet)

    @admin.display(description="deadline")
    def deadline_display(self, obj):
        """In the journalist's zone and the newsroom's, as their acknowledgement said."""
        return in_two_zones(obj.deadline, obj.time_zone) if obj.deadline else "None given"

    @admin.display(description="reference", ordering="pk")
    def reference_display(self, obj):
        return obj.reference

    @admin.display(description="deadline", ordering="deadline")
    def due(self, obj):
        """The countdown, with the deadline itself beside it for the desk's records."""
        if obj.deadline is None:
            return "—"
        countdown = obj.countdown()
        if not countdown:
            return compact_time_html(obj.deadline)
        css = "deadline overdue" if obj.is_overdue else "deadline"
        return format_html(
            '<span class="{}"><strong>{}</strong> <time datetime="{}">{}</time></span>',
            css,
            countdown,
            obj.deadline.isoformat(),
            compact_time_html(obj.deadline),
        )

    @admin.display(description="e-mail")
    def email_link(self, obj):
        subject = quote(f"Re: [{obj.reference}] {obj.subject}")
        return format_html('<a href="mailto:{}?subject={}">{}</a>', obj.email, subject, obj.email)

    @admin.display(description="phone")
    def phone_link(self, obj):
        if not obj.phone:
            return "—"
        uri = tel_uri(obj.phone)
        if not uri:
            # No country code, or too few digits for its country: a tel: link would dial
            # the wrong country or nothing.
            why = "incomplete number" if obj.phone.strip().startswith("+") else "no country code"
            return format_html("{} <small>({})</small>", obj.phone, why)
        return format_html('<a href="{}">{}</a>', uri, obj.phone)

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
