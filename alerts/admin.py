"""The press office's view of alert subscribers: who asked for what, counted per filter,
exported as CSV, and erased on request (a real delete, logged without the address)."""

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone

from alerts import services
from alerts.filtering import describe
from alerts.models import Subscription
from core.csvfiles import csv_writer
from core.languages import is_multilingual
from press.admin import LanguageFilter

SUMMARY_ROWS = 50


class FilterListFilter(admin.SimpleListFilter):
    """The most followed filters, each with its number of confirmed subscribers."""

    title = "filter"
    parameter_name = "filter"

    def lookups(self, request, model_admin):
        rows = (
            Subscription.objects.order_by()
            .values("query")
            .annotate(confirmed=Count("pk", filter=Q(status=Subscription.Status.CONFIRMED)))
            .order_by("-confirmed", "query")[:SUMMARY_ROWS]
        )
        return [
            (row["query"] or "-", f"{describe(row['query'])} ({row['confirmed']})") for row in rows
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(query="" if value == "-" else value)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "filter_described",
        "frequency",
        "status",
        "bounce_count",
        "confirmed_at",
        "created_at",
    ]
    list_filter = ["status", "frequency", FilterListFilter]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    actions = ["export_csv"]
    fields = [
        "email",
        "query",
        "filter_described",
        "language",
        "status",
        "frequency",
        "digest_hour",
        "digest_time_zone",
        "bounce_count",
        "last_bounce",
        "consent_text",
        "consented_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
    ]
    readonly_fields = [
        "email",
        "query",
        "filter_described",
        "language",
        "digest_time_zone",
        "bounce_count",
        "last_bounce",
        "consent_text",
        "consented_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
    ]
    change_list_template = "admin/alerts/subscription/change_list.html"

    @admin.display(description="filter")
    def filter_described(self, obj):
        return describe(obj.query)

    # The language a subscriber reads in, where the newsroom has more than one.
    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if is_multilingual():
            columns.insert(columns.index("filter_described") + 1, "language")
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if is_multilingual():
            filters.insert(2, LanguageFilter)
        return filters

    def has_add_permission(self, request):
        # A subscriber is someone who confirmed their own address, never added by staff.
        return False

    def changelist_view(self, request, extra_context=None):
        summary = (
            Subscription.objects.order_by()
            .values("query")
            .annotate(
                total=Count("pk"),
                confirmed=Count("pk", filter=Q(status=Subscription.Status.CONFIRMED)),
                pending=Count("pk", filter=Q(status=Subscription.Status.PENDING)),
                stopped=Count(
                    "pk",
                    filter=Q(
                        status__in=[
                            Subscription.Status.SUSPENDED,
                            Subscription.Status.UNSUBSCRIBED,
                        ]
                    ),
                ),
            )
            .order_by("-confirmed", "-total", "query")[:SUMMARY_ROWS]
        )
        rows = [row | {"described": describe(row["query"])} for row in summary]
        extra_context = (extra_context or {}) | {"filter_summary": rows}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description="Export selected subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="alert-subscribers-{stamp}.csv"'
        # Addresses, filters and consent texts come from the public form: the writer
        # keeps any formula in them text.
        writer = csv_writer(response)
        writer.writerow(
            [
                "email",
                "filter",
                "filter described",
                "frequency",
                "digest hour",
                "status",
                "bounces",
                "consented at",
                "confirmed at",
                "unsubscribed at",
                "consent text",
            ]
        )
        for subscription in queryset.order_by("email", "pk").iterator():
            writer.writerow(
                [
                    subscription.email,
                    subscription.query,
                    describe(subscription.query),
                    subscription.frequency,
                    subscription.digest_hour,
                    subscription.status,
                    subscription.bounce_count,
                    _iso(subscription.consented_at),
                    _iso(subscription.confirmed_at),
                    _iso(subscription.unsubscribed_at),
                    subscription.consent_text,
                ]
            )
        return response

    # Deleting is erasing: the service deletes the deliveries too and logs the erasure
    # without the address; the admin's own deletion log (which names it) is skipped.
    def delete_model(self, request, obj):
        services.erase(subscription=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            services.erase(subscription=subscription, user=request.user)

    def log_deletion(self, request, obj, object_repr):
        return None

    def log_deletions(self, request, queryset):
        return []


def _iso(value):
    return timezone.localtime(value).isoformat() if value else ""
