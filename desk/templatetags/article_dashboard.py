"""The articles' part of the admin index: what awaits review, what goes out next and what
went out last. A fixed number of queries, however many articles there are."""

from django import template
from django.db.models import F, Q
from django.urls import reverse

from articles.models import Article
from articles.states import State
from core.models import SiteSettings
from desk.workflow import PUBLISH_PERMISSION, describe_moment

register = template.Library()

# How many lines each list shows; one more is read to know whether to link to the rest.
SHOWN = 8


def _listing(queryset, *, state, moment=None, view="change"):
    rows = list(queryset[: SHOWN + 1])
    changelist = reverse("admin:articles_article_changelist")
    return {
        "rows": [
            {
                "article": article,
                "url": reverse(f"admin:articles_article_{view}", args=[article.pk]),
                "moment": describe_moment(getattr(article, moment)) if moment else "",
            }
            for article in rows[:SHOWN]
        ],
        "more_url": f"{changelist}?state={state}" if len(rows) > SHOWN else "",
    }


@register.inclusion_tag("admin/includes/article_dashboard.html", takes_context=True)
def article_dashboard(context):
    user = context["request"].user
    if not user.has_perm("articles.view_article"):
        return {"show": False}
    fields = ("id", "title", "kind", "status", "review_state", "published_at", "updated_at")
    panels = {"show": True}
    if user.has_perm(PUBLISH_PERMISSION):
        awaiting = Article.objects.in_state(State.IN_REVIEW).only(*fields).order_by("updated_at")
        if SiteSettings.load().require_second_person:
            # What this editor wrote or last edited needs someone else's approval.
            awaiting = awaiting.exclude(
                Q(updated_by=user) | Q(updated_by__isnull=True, created_by=user)
            )
        panels["awaiting"] = _listing(awaiting, state=State.IN_REVIEW, moment="updated_at")
        # Changes to live articles wait for an editor other than their author; ones sent
        # back wait on their writer instead (desk.pending).
        pending = (
            Article.objects.in_state(State.LIVE_PENDING)
            .exclude(pending_change__updated_by=user)
            .annotate(pending_since=F("pending_change__updated_at"))
            .only(*fields)
            .order_by("pending_since")
        )
        panels["pending"] = _listing(
            pending, state=State.LIVE_PENDING, moment="pending_since", view="pending"
        )
    elif user.has_perm("articles.change_article"):
        returned = (
            Article.objects.in_state(State.CHANGES_REQUESTED)
            .filter(Q(created_by=user) | Q(updated_by=user))
            .only(*fields)
            .order_by("-updated_at")
        )
        panels["returned"] = _listing(returned, state=State.CHANGES_REQUESTED)
    panels["scheduled"] = _listing(
        Article.objects.scheduled().only(*fields).order_by("published_at", "id"),
        state=State.SCHEDULED,
        moment="published_at",
    )
    panels["recent"] = _listing(
        Article.objects.live().only(*fields).order_by("-published_at", "-id"),
        state=State.LIVE,
        moment="published_at",
    )
    return panels
