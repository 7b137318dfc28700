"""The press desk at the top of the admin index: every open inquiry that needs someone
now (new, unassigned, overdue or due today, with or without a deadline), most urgent
first, with counts that link to the same lists in the inquiry admin. Two queries."""

from datetime import timedelta

from django import template
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from core.datetimes import in_zone
from press.models import MediaInquiry

register = template.Library()

SHOWN = 10


def end_of_today(now):
    """Midnight tonight in the newsroom's time zone (the "due today" filter's end)."""
    local = timezone.localtime(now)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def needs_attention(*, now):
    """Open inquiries that are new, unassigned, overdue or due today: the press desk."""
    return MediaInquiry.objects.open().filter(
        Q(status=MediaInquiry.Status.NEW)
        | Q(assignee__isnull=True)
        | Q(deadline__lt=end_of_today(now))
    )


@register.inclusion_tag("admin/includes/press_dashboard.html", takes_context=True)
def press_dashboard(context):
    user = context["request"].user
    if not user.has_perm("press.view_mediainquiry"):
        return {"show": False}
    now = timezone.now()
    tonight = end_of_today(now)
    desk = needs_attention(now=now)
    counts = desk.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=now)),
        today=Count("pk", filter=Q(deadline__gte=now, deadline__lt=tonight)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        new=Count("pk", filter=Q(status=MediaInquiry.Status.NEW)),
    )
    urgency = Case(
        When(deadline__lt=now, then=Value(0)),
        When(deadline__lt=tonight, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = list(
        desk.select_related("assignee")
        .only(
            "id",
            "subject",
            "outlet",
            "name",
            "deadline",
            "status",
            "created_at",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )
        .annotate(urgency=urgency)
        .order_by("urgency", F("deadline").asc(nulls_last=True), "created_at", "id")[:SHOWN]
    )
    changelist = reverse("admin:press_mediainquiry_changelist")
    return {
        "show": True,
        "rows": [
            {
                "inquiry": inquiry,
                "url": reverse("admin:press_mediainquiry_change", args=[inquiry.pk]),
                "countdown": inquiry.countdown(now=now),
                "overdue": inquiry.deadline is not None and inquiry.deadline < now,
                "deadline": in_zone(inquiry.deadline) if inquiry.deadline else "",
                "assignee": (
                    inquiry.assignee.get_full_name() or inquiry.assignee.get_username()
                    if inquiry.assignee
                    else ""
                ),
            }
            for inquiry in rows
        ],
        "counts": counts,
        "more": counts["total"] - len(rows),
        "zone": timezone.get_current_timezone_name(),
        "links": {
            "all": changelist,
            "overdue": f"{changelist}?deadline_state=overdue",
            "today": f"{changelist}?deadline_state=today",
            "unassigned": f"{changelist}?assigned=no",
            "new": f"{changelist}?status__exact=new",
        },
    }
