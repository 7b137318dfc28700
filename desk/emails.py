"""The editorial desk's e-mails about review and publication, subjects and bodies both
rendered from templates. ``desk.tasks`` queues them in the outbox."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from core.datetimes import describe_moment
from core.links import absolute_url
from desk.workflow_models import ArticleTransition

Action = ArticleTransition.Action

# Who hears of a transition (queued by ``desk.workflow``, sent by ``desk.tasks``).
TELLS_EDITORS = frozenset({Action.SUBMIT, Action.REVISE, Action.PROPOSE_CHANGES})
TELLS_WRITER = frozenset(
    {
        Action.REQUEST_CHANGES,
        Action.APPROVE,
        Action.APPROVE_PUBLISH,
        Action.APPROVE_SCHEDULE,
        Action.PUBLISH,
        Action.SCHEDULE,
        Action.REPUBLISH_AS_NEW,
        Action.APPROVE_CHANGES,
        Action.REJECT_CHANGES,
    }
)


def editors(*, excluding=None):
    """Active staff who may publish (the Editors role, or the permission given to them
    directly) and have an address: who hears that something awaits review."""
    permission = Permission.objects.filter(
        content_type__app_label="articles", codename="publish_article"
    )
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
        .order_by("pk")
    )
    return users.exclude(pk=excluding) if excluding else users


def writer_of(transition: ArticleTransition):
    """Whose text it is: who last submitted it for review, else who created it."""
    article = transition.article
    Action = ArticleTransition.Action
    # Pending changes to a live article are whoever proposed them last.
    asked = (
        Action.PROPOSE_CHANGES
        if transition.action in (Action.APPROVE_CHANGES, Action.REJECT_CHANGES)
        else Action.SUBMIT
    )
    submit = article.transitions.filter(action=asked).select_related("user").first()
    return submit.user if submit and submit.user else article.created_by


def transition_email(transition: ArticleTransition) -> EmailMessage | None:
    """The message about ``transition``, or None when nobody needs to hear of it (the
    writer acted on their own article, or has no address)."""
    if transition.action in TELLS_EDITORS:
        to = [user.email for user in editors(excluding=transition.user_id)]
        template = "article_review_requested"
    else:
        writer = writer_of(transition)
        if writer is None or not writer.email or writer.pk == transition.user_id:
            return None
        to = [writer.email]
        template = (
            "article_changes_requested"
            if transition.action
            in (ArticleTransition.Action.REQUEST_CHANGES, ArticleTransition.Action.REJECT_CHANGES)
            else "article_approved"
        )
    if not to:
        return None
    article = transition.article
    context = {
        "transition": transition,
        "article": article,
        "actor": transition.user,
        "moment": describe_moment(transition.published_at) if transition.published_at else "",
        "admin_url": absolute_url(reverse("admin:articles_article_change", args=[article.pk])),
    }
    subject = "".join(render_to_string(f"emails/{template}_subject.txt", context).splitlines())
    body = render_to_string(f"emails/{template}.txt", context)
    return EmailMessage(subject=subject.strip(), body=body, to=to)
