"""The press office's part of the admin index: open inquiries whose deadline is near or
past, most urgent first, in one query."""

from datetime import timedelta

from django import template
from django.urls import reverse
from django.utils import timezone

from press.models import MediaInquiry

register = template.Library()

SHOWN = 8
# The same window as the inquiry list's "Due in the next 24 hours" filter.
DUE_SOON = timedelta(hours=24)


@register.inclusion_tag("admin/includes/press_dashboard.html", takes_context=True)
def press_dashboard(context):
    user = context["request"].user
    if not user.has_perm("press.view_mediainquiry"):
        return {"show": False}
    now = timezone.now()
    rows = list(
        MediaInquiry.objects.open()
        .filter(deadline__lt=now + DUE_SOON)
        .only("id", "subject", "outlet", "name", "deadline", "status", "created_at")
        .order_by("deadline", "id")[: SHOWN + 1]
    )
    changelist = reverse("admin:press_mediainquiry_changelist")
    return {
        "show": True,
        "rows": [
            {
                "inquiry": inquiry,
                "url": reverse("admin:press_mediainquiry_change", args=[inquiry.pk]),
                "countdown": inquiry.countdown(now=now),
                "overdue": inquiry.deadline < now,
            }
            for inquiry in rows[:SHOWN]
        ],
        "more": len(rows) > SHOWN,
        "overdue_url": f"{changelist}?deadline_state=overdue",
        "soon_url": f"{changelist}?deadline_state=next24",
    }
