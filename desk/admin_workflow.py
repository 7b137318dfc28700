"""Review and publication in the article admin: the change form's buttons, the list's
actions and the timeline, all through ``desk.workflow``.

The publication state (``status``, ``review_state``) and time are read-only in the form:
they change only through the workflow. A POST that tries to set them anyway (a crafted
request, an old page) is refused as a whole with a message, and nothing is saved.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.states import State
from desk import workflow
from desk.forms import newsroom_zone_note
from desk.workflow import Action, TransitionRefused

WORKFLOW_FIELD = "_workflow"
COMMENT_FIELD = "_workflow_comment"
TIME_FIELD = "_workflow_at"

# What the form may not set: the workflow owns them.
WORKFLOW_OWNED = ("status", "published_at")

CRAFTED_REFUSAL = (
    "The publication state and time change only through the buttons (Submit for review, "
    "Publish now, Schedule…, Unpublish…). Nothing was saved."
)


def _posted_time_differs(data, article: Article) -> bool:
    """Whether the POST carries a publication time other than the stored one (to the
    second, as the form shows it)."""
    names = ("published_at", "published_at_0", "published_at_1")
    if not any(name in data for name in names):
        return False
    if article.pk is None or article.status == Article.Status.DRAFT:
        return False  # never live: the time is set when it is published, whatever is sent
    field = forms.SplitDateTimeField(widget=widgets.AdminSplitDateTime)
    try:
        posted = field.clean(field.widget.value_from_datadict(data, {}, "published_at"))
    except ValidationError:
        return True
    return posted is None or posted.replace(microsecond=0) != article.published_at.replace(
        microsecond=0
    )


def crafted_refusal(data, article: Article) -> str | None:
    """Why a POST that sets the workflow's own fields is refused, or None."""
    current = article.status if article.pk else Article.Status.DRAFT
    if "status" in data and data["status"] != current:
        return CRAFTED_REFUSAL
    review_state = article.review_state if article.pk else "draft"
    if "review_state" in data and data["review_state"] != review_state:
        return CRAFTED_REFUSAL
    if _posted_time_differs(data, article):
        return CRAFTED_REFUSAL
    return None


def workflow_checked(form_class, *, request, obj):
    """``form_class`` with the workflow's checks on this request's POST, so that a
    refused button press re-renders the form with the reason and loses nothing typed."""
    article = obj if obj is not None else Article()

    class WorkflowCheckedForm(form_class):
        def _stays_live(self):
            # The corrections question is for an article that stays live: one that the
            # pressed button takes off the site tells readers nothing.
            if request.POST.get(WORKFLOW_FIELD) == Action.UNPUBLISH:
                return False
            return super()._stays_live()

        def clean(self):
            cleaned = super().clean()
            data = request.POST
            refusal = crafted_refusal(data, article)
            action = data.get(WORKFLOW_FIELD)
            if refusal is None and action:
                # Saving changes first makes this user the article's last editor.
                author = (
                    request.user.pk
                    if obj is None or self.has_changed()
                    else workflow.content_author_id(article)
                )
                try:
                    refusal = workflow.why_not(
                        user=request.user,
                        article=article,
                        action=action,
                        comment=data.get(COMMENT_FIELD, ""),
                        at=workflow.parse_local_time(data.get(TIME_FIELD, "")),
                        author_id=author,
                    )
                except TransitionRefused as error:
                    refusal = str(error)
            if refusal is None and action in workflow.RULES and not workflow.RULES[action].in_form:
                refusal = (
                    "Pending changes are approved or sent back on their own page, which "
                    "shows what changed: “Review the pending changes” at the top."
                )
            if refusal:
                raise ValidationError(refusal, code="workflow")
            return cleaned

    WorkflowCheckedForm.__name__ = form_class.__name__
    return WorkflowCheckedForm


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "a former member of staff"


def moment_with_offset(moment) -> str:
    """``Thursday, January 1, 2099, 8:00 a.m. EST (UTC-05:00)``."""
    offset = timezone.localtime(moment).strftime("%z")
    return f"{workflow.describe_moment(moment)} (UTC{offset[:3]}:{offset[3:]})"


def status_line(article: Article | None, state: State, timeline) -> str:
    """Who is waiting on whom, in one sentence: the top of the change form."""
    if article is None:
        return "A new draft: not scheduled. Save it, then submit it for review."

    def last(*actions):
        return next((step for step in timeline if step.action in actions), None)

    match state:
        case State.DRAFT:
            return "Not submitted for review. Not scheduled."
        case State.IN_REVIEW:
            step = last(Action.SUBMIT, Action.REVISE)
            if step is None:
                return "Waiting for an editor's review. Not scheduled."
            return (
                f"Waiting for an editor's review since {moment_with_offset(step.at)}, "
                f"submitted by {_name(step.user)}. Not scheduled."
            )
        case State.CHANGES_REQUESTED:
            step = last(Action.REQUEST_CHANGES)
            if step is None:
                return "Changes requested: waiting for the writer. Not scheduled."
            return (
                f"Changes requested by {_name(step.user)} on {moment_with_offset(step.at)}: "
                "waiting for the writer to resubmit. Not scheduled."
            )
        case State.APPROVED:
            step = last(Action.APPROVE, Action.UNPUBLISH)
            by = f" by {_name(step.user)} on {moment_with_offset(step.at)}" if step else ""
            return f"Approved{by}. Not scheduled: waiting for an editor to publish or schedule it."
        case State.SCHEDULED:
            return f"Scheduled for {moment_with_offset(article.published_at)}."
        case State.LIVE | State.LIVE_PENDING:
            line = f"Live since {moment_with_offset(article.published_at)}."
            if state == State.LIVE_PENDING:
                step = last(Action.PROPOSE_CHANGES)
                since = f" since {moment_with_offset(step.at)}" if step else ""
                line += (
                    f" Changes wait for an editor's review{since}; the public page shows "
                    "the live text until they are approved."
                )
            return line
        case State.UNPUBLISHED:
            step = last(Action.UNPUBLISH)
            by = f" by {_name(step.user)} on {moment_with_offset(step.at)}" if step else ""
            return f"Unpublished{by}: not public. Republishing keeps its original time."
    return ""


class WorkflowAdminMixin:
    """For ``ArticleAdmin``: see the module's docstring."""

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["articles/admin_workflow.css"]},
            js=["articles/admin_widget_names.js"],
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and WORKFLOW_FIELD in request.POST:
            # The page's actions menu posts its (empty) choice with every button, and the
            # admin takes any POST without "_save" for a menu action; a workflow button
            # saves the form and then acts, so the menu's fields are not part of it.
            post = request.POST.copy()
            post.pop(f"{admin.ActionLocation.CHANGE_FORM.value}-action", None)
            request.POST = post
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *WORKFLOW_OWNED]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # Every time typed into the form is read in the newsroom's zone: say which.
        zone = newsroom_zone_note()
        for field in form.base_fields.values():
            if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField):
                field.help_text = f"{field.help_text} In the newsroom's time zone: {zone}."
        if request.method == "POST":
            form = workflow_checked(form, request=request, obj=obj)
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.has_changed():
            transition = workflow.after_edit(article=obj, user=request.user)
            if transition is not None:
                self.message_user(request, workflow.outcome(transition, obj), messages.INFO)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        article = obj if obj is not None else Article()
        actions = [
            action
            for action in workflow.available(user=request.user, article=article)
            if workflow.RULES[action].in_form
        ]
        timeline = list(obj.transitions.select_related("user")[:100]) if obj else []
        state = article.state if obj is not None else State.DRAFT
        context["workflow"] = {
            "state": state,
            "status_line": status_line(obj, state, timeline),
            "article": obj,
            "buttons": [
                {"action": action, "label": workflow.label_for(action, article)}
                for action in actions
                if not workflow.RULES[action].needs_time
            ],
            "timed": [
                {"action": action, "label": workflow.RULES[action].label.replace(" for …", "")}
                for action in actions
                if workflow.RULES[action].needs_time
            ],
            "takes_comment": bool({Action.SUBMIT, Action.REQUEST_CHANGES} & set(actions)),
            "timeline": timeline,
            "field": WORKFLOW_FIELD,
            "comment_field": COMMENT_FIELD,
            "time_field": TIME_FIELD,
            "zone": newsroom_zone_note(),
            "posted_comment": request.POST.get(COMMENT_FIELD, ""),
            "posted_time": request.POST.get(TIME_FIELD, ""),
        }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if WORKFLOW_FIELD in request.POST:
            return self._perform_from_form(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if WORKFLOW_FIELD in request.POST:
            return self._perform_from_form(request, obj)
        return super().response_change(request, obj)

    def _perform_from_form(self, request, obj):
        """The content is saved; now the button's transition (checked again, under the
        row's lock), and back to the article with what happened."""
        data = request.POST
        try:
            transition = workflow.perform(
                article=obj,
                user=request.user,
                action=data[WORKFLOW_FIELD],
                comment=data.get(COMMENT_FIELD, ""),
                at=workflow.parse_local_time(data.get(TIME_FIELD, "")),
            )
        except TransitionRefused as error:
            self.message_user(request, f"Saved, but not done: {error}", messages.ERROR)
        else:
            self.message_user(request, workflow.outcome(transition, obj), messages.SUCCESS)
        return redirect(reverse("admin:articles_article_change", args=[obj.pk]))

    # --- list actions -------------------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm(workflow.PUBLISH_PERMISSION)

    @admin.action(description="Submit for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda article: (
                Action.SUBMIT if article.state in workflow.RULES[Action.SUBMIT].sources else None
            ),
            done="Submitted {n} articles for review.",
            skipped="{n} already in review, approved or public, left as they were.",
        )

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        def choose(article):
            match article.state:
                case State.LIVE:
                    return None
                case State.IN_REVIEW:
                    return Action.APPROVE_PUBLISH
            return Action.PUBLISH

        self._run(
            request,
            queryset,
            choose,
            done="Published {n} articles. Those never live before are dated now; unpublished "
            "ones keep their original times.",
            skipped="{n} already live, left as they were.",
        )

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda article: (
                Action.UNPUBLISH if article.state in (State.LIVE, State.SCHEDULED) else None
            ),
            done="Unpublished {n} articles.",
            skipped="{n} not public, left as they were.",
        )

    def _run(self, request, queryset, choose, *, done, skipped):
        """Apply the chosen action to each article; say what was done, left and refused."""
        performed, left, refused = [], 0, {}
        for article in queryset:
            action = choose(article)
            if action is None:
                left += 1
                continue
            try:
                performed.append(
                    (workflow.perform(article=article, user=request.user, action=action), article)
                )
            except TransitionRefused as error:
                refused.setdefault(str(error), []).append(article.title)
        if len(performed) == 1:
            transition, article = performed[0]
            self.message_user(request, workflow.outcome(transition, article), messages.SUCCESS)
        elif performed:
            self.message_user(request, done.format(n=len(performed)), messages.SUCCESS)
        if left:
            self.message_user(request, skipped.format(n=left))
        for reason, titles in refused.items():
            named = ", ".join(f"“{title}”" for title in titles[:5])
            more = f" and {len(titles) - 5} more" if len(titles) > 5 else ""
            self.message_user(request, f"Not done for {named}{more}: {reason}", messages.ERROR)
