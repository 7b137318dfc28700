"""The article admin's revisions, comparisons, edit locks, safe saves and preview.

``ArticleRevisionsAdminMixin`` goes before ``admin.ModelAdmin`` in ``ArticleAdmin``:

- every save through the admin keeps a revision (``log_addition``/``log_change`` run
  after the article and its relations are written);
- the change form carries the version it was opened at; a save based on an older
  version is refused, shows what the other person changed and keeps what was typed;
- "Revisions" lists the versions with two radio columns to compare any two, "compare
  with previous", "current against live" and "Load into editor" (restore: the version's
  content fills the form, and nothing changes until the editor saves it like any other
  edit, so restoring never publishes and never touches the live text by itself);
- an advisory edit lock with heartbeats and "Take over";
- Preview of the form as it is now, saved or not (``desk.preview``).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import time_format

from articles.models import Article
from core.http import not_allowed
from core.numbers import whole_number
from desk.edit_locks import (
    edit_lock_claim,
    edit_lock_release,
    edit_lock_take_over,
    holder_name,
)
from desk.models import ArticleRevision
from desk.preview import ArticlePreviewView, render_form_preview
from desk.revisions import (
    compare,
    describe_change,
    ensure_current,
    form_initial,
    latest_revision,
    live_revision,
    record_revision,
)
from desk.services import local_time

REVISIONS_PER_PAGE = 50


@dataclass
class Conflict:
    base_version: int | None  # None: the form did not say
    current: ArticleRevision
    changes: list


class VersionMarkerField(forms.CharField):
    """Carried in the form, never "changed" (so it is not in the change message)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class VersionedArticleFormMixin:
    """Adds the version the form was opened at and refuses a save based on an older one.

    ``opened_version`` and ``restore`` are set per request by the admin's ``get_form``.
    A POST whose ``base_version`` is missing or unreadable (an old page, a script, a
    damaged form) cannot show it is not stale, so it is refused like a stale one.
    """

    opened_version = None
    restore = None
    check_versions = True
    revision_conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_version"] = VersionMarkerField(required=False)
        self.fields["restored_from"] = VersionMarkerField(required=False)
        if self.restore is not None and not self.is_bound:
            self.initial.update(form_initial(self.restore.snapshot))

    @property
    def base_version_value(self):
        """What the rendered form carries: after a refused save, the version the editor
        has now seen, so saving again (deliberately) keeps their text."""
        if self.revision_conflict is not None:
            return self.revision_conflict.current.version
        if self.is_bound:
            return self.data.get("base_version", "")
        return self.opened_version or ""

    @property
    def restored_from_value(self):
        if self.is_bound:
            return self.data.get("restored_from", "")
        return self.restore.version if self.restore is not None else ""

    def clean(self):
        cleaned_data = super().clean()
        if self.check_versions and self.instance.pk:
            self._check_version()
        return cleaned_data

    def _check_version(self):
        base = whole_number(self.data.get("base_version"))
        # Locked until this request's transaction ends (the admin wraps the whole form
        # in one), so two saves of the same version cannot both pass.
        stored = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
        if stored is None:
            return
        current = ensure_current(stored)
        if current.version == base:
            return
        who = (
            holder_name(current.created_by)
            if current.created_by
            else "Someone (an import or a script)"
        )
        params = {
            "who": who,
            "when": local_time(current.created_at),
            "current": current.version,
            "base": base,
        }
        if base is None:
            # Nothing to compare with: show where the article stands, and let a second,
            # deliberate save keep the editor's text, as after a stale save.
            self.revision_conflict = Conflict(None, current, [])
            raise ValidationError(
                "This form did not say which version of the article it was opened at, so "
                "it cannot tell whether someone else saved meanwhile. Nothing was saved. "
                "Your text is still in the form below. The article is at version "
                "%(current)s, saved by %(who)s at %(when)s: compare it with your text (see "
                "Revisions), then save again to keep your text, or reload the page to "
                "start from theirs.",
                params=params,
                code="no_version",
            )
        base_revision = stored.revisions.filter(version=base).first()
        before = base_revision.snapshot if base_revision else {}
        self.revision_conflict = Conflict(base, current, compare(before, current.snapshot))
        raise ValidationError(
            "%(who)s saved this article at %(when)s while you were editing it (version "
            "%(current)s; you started from version %(base)s). Nothing was saved. Your text "
            "is still in the form below and their version is kept in the revisions. "
            "Review what they changed (shown above), then save again to keep your text, "
            "or reload the page to start from theirs.",
            params=params,
            code="stale_version",
        )


class ArticleRevisionsAdminMixin:
    """See the module docstring. Needs ``ModelAdmin`` after it in the bases."""

    # --- forms and saving ---------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        desk = getattr(request, "article_desk", {})
        return type(
            form.__name__,
            (VersionedArticleFormMixin, form),
            {
                "opened_version": desk.get("version"),
                "restore": desk.get("restore"),
            },
        )

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        record_revision(article=obj, user=request.user, message="Created.")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        text = describe_change(message)
        restored = whole_number(request.POST.get("restored_from"))
        if restored is not None:
            text = f"Restored version {restored}. {text}"
        record_revision(article=obj, user=request.user, message=text)
        return entry

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is not None and self.has_view_or_change_permission(request, article):
            request.article_desk = self._desk(request, article)
            extra_context = {**(extra_context or {}), "desk": request.article_desk}
        return super().change_view(request, object_id, form_url, extra_context)

    def _desk(self, request, article):
        """The change form's revision, lock and restore context."""
        desk = {}
        if request.method == "GET":
            current = ensure_current(article)
            desk["version"] = current.version
            desk["current"] = current
            restore = request.GET.get("restore")
            if restore is not None and self.has_change_permission(request, article):
                version = whole_number(restore)
                desk["restore"] = (
                    None if version is None else article.revisions.filter(version=version).first()
                )
                if desk["restore"] is None:
                    # Never echo the parameter: it may be 5,000 characters of anything.
                    named = f" {version}" if version is not None else " like that"
                    messages.error(
                        request,
                        f"There is no version{named} of this article: choose one in Revisions.",
                    )
                else:
                    missing = form_initial(desk["restore"].snapshot)["_missing"]
                    desk["restore_missing"] = missing
        if self.has_change_permission(request, article):
            lock = edit_lock_claim(article=article, user=request.user)
        else:
            # Reading only: show who is editing, take nothing.
            lock = getattr(article, "edit_lock", None)  # None when there is no lock row
            lock = lock if lock is not None and lock.is_active() else None
        desk["lock"] = lock
        desk["lock_mine"] = lock is not None and lock.user_id == request.user.pk
        if lock is not None and not desk["lock_mine"]:
            desk["lock_holder"] = holder_name(lock.user)
            desk["lock_since"] = time_format(timezone.localtime(lock.since), "TIME_FORMAT")
        return desk

    # --- URLs ---------------------------------------------------------------------------

    def get_urls(self):
        def view(function, **kwargs):
            return self.admin_site.admin_view(function, **kwargs)

        return [
            path(
                "<int:pk>/preview/",
                view(self.preview_view, cacheable=True),
                name="articles_article_preview",
            ),
            path("preview/", view(self.preview_unsaved_view), name="articles_article_preview_new"),
            path(
                "<int:pk>/revisions/", view(self.revisions_view), name="articles_article_revisions"
            ),
            path(
                "<int:pk>/revisions/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<int:pk>/lock/heartbeat/",
                view(self.lock_heartbeat_view),
                name="articles_article_lock_heartbeat",
            ),
            path(
                "<int:pk>/lock/take-over/",
                view(self.lock_take_over_view),
                name="articles_article_lock_take_over",
            ),
            path(
                "<int:pk>/lock/release/",
                view(self.lock_release_view),
                name="articles_article_lock_release",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, pk, *, change=False):
        article = self.get_object(request, str(pk))
        if article is None:
            raise Http404("No such article.")
        allowed = (
            self.has_change_permission(request, article)
            if change
            else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            raise PermissionDenied
        return article

    # --- revisions ----------------------------------------------------------------------

    def revisions_view(self, request, pk):
        if request.method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        article = self._article_or_404(request, pk)
        current = ensure_current(article)
        revisions = article.revisions.select_related("created_by").order_by("-version")
        page = Paginator(revisions, REVISIONS_PER_PAGE).get_page(request.GET.get("page"))
        live = live_revision(article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Revisions of “{article.title}”",
            "subtitle": None,
            "page_obj": page,
            "current": current,
            "live": live,
            "can_change": self.has_change_permission(request, article),
            "default_a": current.version - 1 if current.version > 1 else current.version,
            "default_b": current.version,
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def compare_view(self, request, pk):
        if request.method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD")
        article = self._article_or_404(request, pk)
        revisions_url = reverse("admin:articles_article_revisions", args=[article.pk])
        a, b = whole_number(request.GET.get("a")), whole_number(request.GET.get("b"))
        if a is None or b is None:
            messages.error(request, "Choose two versions to compare.")
            return redirect(revisions_url)
        found = {
            revision.version: revision
            for revision in article.revisions.select_related("created_by").filter(
                version__in=[a, b]
            )
        }
        missing = [version for version in (a, b) if version not in found]
        if missing:
            messages.error(
                request, f"There is no version {missing[0]} of this article to compare."
            )
            return redirect(revisions_url)
        # Older on the left, whichever radio column it was chosen in.
        old, new = sorted([found[a], found[b]], key=lambda revision: revision.version)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Compare versions {old.version} and {new.version}",
            "subtitle": article.title,
            "old": old,
            "new": new,
            "changes": compare(old.snapshot, new.snapshot),
            "live": live_revision(article),
            "latest": latest_revision(article),
            "can_change": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revision_compare.html", context)

    # --- edit lock ----------------------------------------------------------------------

    def lock_heartbeat_view(self, request, pk):
        if request.method != "POST":
            return _not_allowed("POST")
        article = self._article_or_404(request, pk, change=True)
        lock = edit_lock_claim(article=article, user=request.user)
        mine = lock.user_id == request.user.pk
        data = {"held": mine}
        if not mine:
            data |= {
                "holder": holder_name(lock.user),
                "since": time_format(timezone.localtime(lock.since), "TIME_FORMAT"),
            }
        return JsonResponse(data)

    def lock_take_over_view(self, request, pk):
        if request.method != "POST":
            return _not_allowed("POST")
        article = self._article_or_404(request, pk, change=True)
        edit_lock_take_over(article=article, user=request.user)
        messages.success(
            request,
            f"You are now editing “{article.title}”. The person editing before you is told "
            "when their page next checks in; if they save, they will be shown your changes.",
        )
        return redirect("admin:articles_article_change", article.pk)

    def lock_release_view(self, request, pk):
        if request.method != "POST":
            return _not_allowed("POST")
        article = self._article_or_404(request, pk, change=True)
        edit_lock_release(article=article, user=request.user)
        return HttpResponse(status=204)

    # --- preview ------------------------------------------------------------------------

    def preview_view(self, request, pk):
        """GET: the article as saved. POST: the change form's content, saved or not."""
        if request.method == "POST":
            article = self._article_or_404(request, pk, change=True)
            return self._preview_form(request, article)
        if request.method not in ("GET", "HEAD"):
            return _not_allowed("GET, HEAD, POST")
        self._article_or_404(request, pk)
        response = ArticlePreviewView.as_view()(request, pk=pk)
        return _private(response)

    def preview_unsaved_view(self, request):
        """The add form's content, before its first save."""
        if request.method != "POST":
            return _not_allowed("POST")
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._preview_form(request, None)

    def _preview_form(self, request, article):
        form_class = self.get_form(request, article, change=article is not None)
        form = form_class(request.POST, request.FILES, instance=article)
        # A preview saves nothing, so an older version is nothing to refuse.
        form.check_versions = False
        return _private(render_form_preview(request, form=form, admin_site=self.admin_site))


def _not_allowed(allowed):
    return not_allowed(allowed.split(", "))


def _private(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
