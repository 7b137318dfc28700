"""The press office's side of embargoes.

``EmbargoArticleAdminMixin`` gives the article admin a "Share under embargo" page (share,
revoke one, revoke all) and a panel on the change page listing who was sent a link and who
opened it. Sharing needs ``embargo.add_embargolink`` and revoking
``embargo.change_embargolink``: editors and the press office have them, writers do not
(``core.roles``).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from core.languages import language_name
from core.numbers import whole_number
from embargo.formats import embargo_time
from embargo.forms import JournalistContactForm, ShareForm
from embargo.models import EmbargoLink, EmbargoOpening, JournalistContact, under_embargo
from embargo.services import embargo_revoke, embargo_share

SHARE_PERMISSION = "embargo.add_embargolink"
REVOKE_PERMISSION = "embargo.change_embargolink"
VIEW_PERMISSION = "embargo.view_embargolink"


def links_of(article):
    """The article's links, newest first, each with its openings (two queries)."""
    return list(
        EmbargoLink.objects.filter(article=article)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("openings", queryset=EmbargoOpening.objects.order_by("-opened_at"))
        )
    )


def link_status(link, now) -> str:
    if link.revoked_at:
        return "revoked"
    if link.is_expired(at=now):
        return "expired"
    return "active"


def link_rows(article):
    now = timezone.now()
    return [
        {"link": link, "status": link_status(link, now), "openings": link.openings.all()}
        for link in links_of(article)
    ]


class EmbargoArticleAdminMixin:
    """Mixed into ``ArticleAdmin``: the embargo page and the change page's panel."""

    embargo_fieldset = (
        "Embargo",
        {
            "fields": ["embargo_panel"],
            "description": "Journalists who were sent a personal link to this article "
            "before its publication, and when they opened it.",
        },
    )

    def get_urls(self):
        view = self.admin_site.admin_view(self.embargo_view)
        return [
            path("<int:pk>/embargo/", view, name="articles_article_embargo"),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and request.user.has_perm(VIEW_PERMISSION):
            fieldsets.append(self.embargo_fieldset)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "embargo_panel"]

    @admin.display(description="Embargo links")
    def embargo_panel(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return render_to_string(
            "admin/embargo/panel.html",
            {
                "article": obj,
                "rows": link_rows(obj),
                "under_embargo": under_embargo(obj),
                "manage_url": reverse("admin:articles_article_embargo", args=[obj.pk]),
            },
        )

    def embargo_view(self, request, pk):
        """Share a scheduled article under embargo, list its links, revoke them."""
        article = self.get_object(request, str(pk))
        if article is None:
            raise Http404("No such article.")
        can_share = request.user.has_perm(SHARE_PERMISSION)
        can_revoke = request.user.has_perm(REVOKE_PERMISSION)
        if not (can_share or can_revoke or request.user.has_perm(VIEW_PERMISSION)):
            raise PermissionDenied
        here = reverse("admin:articles_article_embargo", args=[article.pk])
        form = ShareForm(article=article)
        if request.method == "POST":
            action = request.POST.get("action")
            if action == "share":
                if not can_share:
                    raise PermissionDenied
                form = ShareForm(request.POST, article=article)
                if form.is_valid() and self._share(request, article, form):
                    return redirect(here)
            elif action in ("revoke", "revoke-all"):
                if not can_revoke:
                    raise PermissionDenied
                self._revoke(request, article, action)
                return redirect(here)
            else:
                return redirect(here)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Share under embargo: {article.title}",
            "opts": self.opts,
            "original": article,
            "article": article,
            "form": form,
            "rows": link_rows(article),
            "under_embargo": under_embargo(article),
            "embargoed_until": embargo_time(article.published_at),
            "can_share": can_share,
            "can_revoke": can_revoke,
            "contacts_exist": JournalistContact.objects.exists(),
        }
        return TemplateResponse(request, "admin/embargo/share.html", context)

    def _share(self, request, article, form) -> bool:
        try:
            issued = embargo_share(
                article=article,
                emails=form.cleaned_data["emails"],
                user=request.user,
                expires_at=form.cleaned_data["expires_at"],
                translations=form.cleaned_data.get("translations") or (),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return False
        recipients = list(dict.fromkeys(link.email for link, _token in issued))
        languages = list(dict.fromkeys(language_name(link.article.language) for link, _ in issued))
        self.message_user(
            request,
            f"Personal links are being e-mailed to {len(recipients)} recipient(s): "
            + ", ".join(recipients)
            + (f" (versions: {', '.join(languages)})" if len(languages) > 1 else "")
            + ". A recipient who already had a link gets a new one; the old one stops working.",
            messages.SUCCESS,
        )
        return True

    def _revoke(self, request, article, action):
        if action == "revoke-all":
            count = embargo_revoke(article=article)
            self.message_user(request, f"Revoked {count} link(s).", messages.SUCCESS)
            return
        link_id = whole_number(request.POST.get("link"))
        link = EmbargoLink.objects.filter(article=article, pk=link_id).first() if link_id else None
        if link is None or link.revoked_at:
            self.message_user(request, "That link was already revoked.", messages.WARNING)
            return
        embargo_revoke(article=article, email=link.email)
        self.message_user(request, f"Revoked the link of {link.email}.", messages.SUCCESS)


@admin.register(JournalistContact)
class JournalistContactAdmin(admin.ModelAdmin):
    form = JournalistContactForm
    list_display = ["name", "outlet", "email", "created_at"]
    search_fields = ["name", "outlet", "email"]
    fields = ["name", "outlet", "email", "notes"]


@admin.register(EmbargoLink)
class EmbargoLinkAdmin(admin.ModelAdmin):
    """Every link, across articles: a read-only record (share and revoke from the
    article's embargo page)."""

    list_display = ["email", "article", "created_at", "invited_at", "revoked_at", "opened"]
    list_select_related = ["article"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "article__title"]
    date_hierarchy = "created_at"
    fields = [
        "article",
        "email",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "invited_at",
        "notified_published_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(opening_count=Count("openings"), last_opened=Max("openings__opened_at"))
        )

    @admin.display(description="Opened", ordering="opening_count")
    def opened(self, obj):
        if not obj.opening_count:
            return "never"
        last = timezone.localtime(obj.last_opened)
        return f"{obj.opening_count} times, last {last:%Y-%m-%d %H:%M}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
