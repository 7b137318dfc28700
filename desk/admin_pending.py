"""Pending changes to live articles in the article admin (``desk.pending``).

``PendingChangesAdminMixin`` goes first in ``ArticleAdmin``'s bases, so that a save that
must wait is kept as the pending version before any other mixin writes the article:

- the change form of an article with a pending version edits that version (it is
  loaded into the form, and the form says so), never the live text;
- a save of a live article's content with two-person review on is kept as the pending
  version: no row, relation, revision or public note is written, and the page says the
  changes wait for an editor;
- "Review the pending changes" (``<pk>/pending/``) shows the word diff between the live
  and the pending text, and lets an editor other than their author approve them
  (answering the corrections question), send them back with a note, or anyone who may
  change articles withdraw them.
"""

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles.models import Article
from articles.notes import ArticleNote
from core.http import not_allowed
from desk import workflow
from desk.admin_revisions import VersionMarkerField
from desk.admin_workflow import WORKFLOW_FIELD
from desk.corrections import ChangeKind, ChangeNoteForm
from desk.models import ArticlePendingChange
from desk.pending import (
    CONTENT_KEYS,
    StalePending,
    changes_wait,
    check_fresh,
    material_changes,
    pending_approve,
    pending_reject,
    pending_save,
    pending_withdraw,
    proposed_snapshot,
)
from desk.revisions import compare, form_initial, snapshot
from desk.workflow import Action, TransitionRefused

PENDING_VERSION_FIELD = "pending_version"


class PendingFormMixin:
    """Loads the pending version into an unbound form, carries which pending version
    the form was opened with, and reuses the writer's answer to the corrections
    question when the form does not ask it again. Set per request by the admin."""

    pending = None
    waits = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[PENDING_VERSION_FIELD] = VersionMarkerField(required=False)
        if self.pending is not None and not self.is_bound and self.restore is None:
            initial = form_initial(self.pending.snapshot)
            initial.pop("_missing")
            self.initial.update(initial)

    @property
    def pending_version_value(self):
        if self.is_bound:
            return self.data.get(PENDING_VERSION_FIELD, "")
        return self.pending.version if self.pending is not None else ""

    def opened_pending_version(self):
        """The pending version the form was opened with; ``...`` when the POST does not
        say (an old page or a script: not checked, like a missing ``base_version``)."""
        if PENDING_VERSION_FIELD not in self.data:
            return ...
        raw = (self.data.get(PENDING_VERSION_FIELD) or "").strip()
        return int(raw) if raw.isdigit() else None

    def clean(self):
        pending = self.pending
        if (
            pending is not None
            and pending.change_kind
            and "change_kind" in self.fields
            and not self.cleaned_data.get("change_kind")
        ):
            self.cleaned_data["change_kind"] = pending.change_kind
            self.cleaned_data["change_note"] = pending.change_note
            self.cleaned_data["notify_subscribers"] = pending.notify_subscribers
        cleaned = super().clean()
        if self.waits and not self.errors:
            # Locked until the request's transaction ends, so the save that follows
            # finds the pending version as checked here.
            stored = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
            if stored is not None:
                try:
                    check_fresh(
                        ArticlePendingChange.objects.filter(article=stored).first(),
                        self.opened_pending_version(),
                    )
                except StalePending as error:
                    raise ValidationError(error.messages, code="stale_pending") from None
        return cleaned


class DecisionForm(forms.Form):
    """An editor's decision on pending changes, with the corrections question."""

    change_kind = copy.deepcopy(ChangeNoteForm.base_fields["change_kind"])
    change_note = copy.deepcopy(ChangeNoteForm.base_fields["change_note"])
    notify_subscribers = copy.deepcopy(ChangeNoteForm.base_fields["notify_subscribers"])
    comment = forms.CharField(
        label="Note to the writer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to send the changes back: say what needs to change.",
    )

    def __init__(self, *args, material=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.material = list(material)
        self.fields["change_kind"].help_text = (
            "Required when the title, summary or text change. A correction or "
            "clarification is shown at the top of the article and on the corrections "
            "page; an update at its foot; a silent fix is kept in the history only."
        )

    def clean(self):
        cleaned = super().clean()
        if self.data.get("_decision") != "approve":
            return cleaned
        kind = cleaned.get("change_kind") or ""
        note = (cleaned.get("change_note") or "").strip()
        if self.material and not kind:
            self.add_error(
                "change_kind",
                f"These changes touch the {' and '.join(self.material)} of a live article: "
                "say what kind of change this is.",
            )
        if kind in ArticleNote.AT_TOP and not note:
            self.add_error("change_note", f"A {kind} needs a note telling readers what changed.")
        if kind == ChangeKind.SILENT and note:
            self.add_error("change_note", "A silent fix publishes no note: clear the note.")
        return cleaned


class PendingChangesAdminMixin:
    """See the module's docstring. First in ``ArticleAdmin``'s bases."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        pending = obj.pending_change_or_none if obj is not None and obj.pk else None
        waits = obj is not None and request.method == "POST" and self._waits(request, obj)
        return type(form.__name__, (PendingFormMixin, form), {"pending": pending, "waits": waits})

    def get_queryset(self, request):
        return super().get_queryset(request).with_pending_flag()

    # --- saving -------------------------------------------------------------------------

    def _waits(self, request, obj):
        if request.POST.get(WORKFLOW_FIELD) == Action.UNPUBLISH:
            return False  # taken off the site: nothing public to protect
        return getattr(obj, "_loaded_live", False) and changes_wait(obj)

    def save_model(self, request, obj, form, change):
        if not (change and self._waits(request, obj)):
            stale = obj.pending_change_or_none if change else None
            super().save_model(request, obj, form, change)
            if stale is not None:
                # Saved directly (not live, or two-person review off): the pending
                # version is in this save or was set aside by whoever saved.
                pending_withdraw(article=obj, user=request.user)
            return
        # The stored article, not ``obj``, which the form has already filled in.
        stored = Article.objects.get(pk=obj.pk)
        proposed = proposed_snapshot(article=stored, cleaned_data=form.cleaned_data)
        request._pending_saved = True
        request._pending_result = pending_save(
            article=obj,
            user=request.user,
            proposed=proposed,
            opened_pending_version=form.opened_pending_version(),
            change_request=getattr(form, "change_request", None),
        )

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_pending_saved", False):
            return  # the relations are part of the pending version
        super().save_related(request, form, formsets, change)

    def log_change(self, request, obj, message):
        if getattr(request, "_pending_saved", False):
            return None  # the timeline and history have it (desk.pending)
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if not getattr(request, "_pending_saved", False):
            return super().response_change(request, obj)
        if request._pending_result is None:
            self.message_user(
                request,
                "Your version matches the live text, so there are no pending changes. "
                "The live article is unchanged.",
                messages.INFO,
            )
        else:
            self.message_user(
                request,
                format_html(
                    "Your changes to “{}” are saved and wait for an editor's review. The "
                    "public page keeps the live text until they are approved.",
                    obj.title,
                ),
                messages.SUCCESS,
            )
        return redirect(reverse("admin:articles_article_change", args=[obj.pk]))

    # --- the change form ----------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        pending = form.pending
        if pending is not None:
            context["pending_desk"] = {
                "pending": pending,
                "url": reverse("admin:articles_article_pending", args=[obj.pk]),
                "author": _name(pending.updated_by),
                "rejected_by": _name(pending.rejected_by),
                "loaded": not form.is_bound and form.restore is None,
            }
        context["pending_version_value"] = form.pending_version_value
        context["change_question"] = self._change_question(request, form, obj)
        if context["change_question"] and set(form.errors) <= set(ChangeNoteForm.QUESTION_FIELDS):
            # The question is its own step at the top, in its own words: not the admin's
            # "Please correct the error below".
            context["errors"] = []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _change_question(self, request, form, obj):
        """The corrections question as a step of saving: shown once a save changed the
        title, summary or text of a live article without saying what kind of change it
        is (or when it was answered and something else needs fixing)."""
        if not getattr(form, "asks_change_kind", False) or not form.is_bound:
            return None
        asked = any(name in form.errors for name in ChangeNoteForm.QUESTION_FIELDS)
        answered = bool(form.data.get("change_kind"))
        if not (asked or answered):
            return None
        changed = getattr(form, "changed_material", [])
        waits = getattr(form, "waits", False)
        return {
            "fields": [form[name] for name in ChangeNoteForm.QUESTION_FIELDS],
            "changed": changed,
            "waits": waits,
        }

    # --- the pending changes' page ------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/pending/",
                self.admin_site.admin_view(self.pending_view),
                name="articles_article_pending",
            ),
            *super().get_urls(),
        ]

    def pending_view(self, request, pk):
        if request.method not in ("GET", "HEAD", "POST"):
            return not_allowed(["GET", "HEAD", "POST"])
        article = self.get_object(request, str(pk))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        pending = article.pending_change_or_none
        if pending is None:
            messages.info(request, f"“{article.title}” has no pending changes.")
            return redirect(change_url)
        material = material_changes(article, pending.snapshot)
        if request.method == "POST":
            form = DecisionForm(request.POST, material=material)
            done = form.is_valid() and self._decide(request, article, form)
            if done:
                return redirect(change_url)
        else:
            form = DecisionForm(
                initial={
                    "change_kind": pending.change_kind,
                    "change_note": pending.change_note,
                    "notify_subscribers": pending.notify_subscribers,
                },
                material=material,
            )
        live = snapshot(article)
        proposed = {**live, **{key: pending.snapshot.get(key) for key in CONTENT_KEYS}}
        can_change = self.has_change_permission(request, article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Pending changes to “{article.title}”",
            "subtitle": None,
            "pending": pending,
            "author": _name(pending.updated_by),
            "rejected_by": _name(pending.rejected_by),
            "changes": compare(live, proposed),
            "form": form,
            "material": material,
            "approve_refusal": workflow.why_not(
                user=request.user, article=article, action=Action.APPROVE_CHANGES
            ),
            "can_reject": pending.is_waiting
            and workflow.why_not(
                user=request.user, article=article, action=Action.REJECT_CHANGES, comment="-"
            )
            is None,
            "can_withdraw": can_change,
            "change_url": change_url,
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/articles/article/pending.html", context, status=status
        )

    def _decide(self, request, article, form) -> bool:
        """Carry out the decision posted; False (with the reason on the form) if not."""
        decision = request.POST.get("_decision")
        data = form.cleaned_data
        try:
            if decision == "approve":
                transition = pending_approve(
                    article=article,
                    user=request.user,
                    kind=data.get("change_kind") or "",
                    note=data.get("change_note") or "",
                    notify_subscribers=bool(data.get("notify_subscribers")),
                )
            elif decision == "reject":
                transition = pending_reject(
                    article=article, user=request.user, comment=data.get("comment") or ""
                )
            elif decision == "withdraw":
                if not self.has_change_permission(request, article):
                    raise TransitionRefused("You do not have permission to change articles.")
                transition = pending_withdraw(article=article, user=request.user)
            else:
                form.add_error(None, "Choose approve, send back or withdraw.")
                return False
        except TransitionRefused as error:
            form.add_error(None, str(error))
            return False
        except ValidationError as error:
            form.add_error(None, error.messages)
            return False
        if transition is not None:
            self.message_user(request, workflow.outcome(transition, article), messages.SUCCESS)
        return True


def _name(user):
    return (user.get_full_name() or user.get_username()) if user else ""
