"""The staff side of the newsroom: articles, regions, old addresses and the settings.

Who may do what is decided by the roles in ``newsroom.roles``: writers draft and correct,
editors publish, unpublish and delete, the press office reads. Publishing is guarded in
three places so that no route gets around it: the form (``ArticleAdminForm``), the
actions (offered only with ``articles.publish_article``) and the services, which check
the permission again.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.views.generic import DetailView
from taggit.models import Tag

from articles.forms import ArticleAdminForm
from articles.models import Article, NewsroomSettings, Region, SlugRedirect
from articles.services import (
    PUBLISH_PERMISSION,
    article_duplicate,
    article_publish,
    article_unpublish,
    local_time,
)
from articles.views import ArticleDetailView

# Publishing and duplicating are offered on the list (for a selection) and on the change
# form (for the article at hand).
BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Press releases, reports, statements and the press office"


class ArticlePreviewView(ArticleDetailView):
    """The public article page for any article, drafts and scheduled ones included.

    Reached only through ``ArticleAdmin.preview_view``, which checks the staff member's
    permission; it renders the public template with the public context plus
    ``is_preview``, which makes the template show a "Preview — not public" banner.
    """

    def get_queryset(self):
        # The public view's select_related/prefetch_related, without its live() filter.
        return Article.objects.select_related("hero_photo").prefetch_related(
            "regions", "topics", "attachments", "spokespeople"
        )

    def get(self, request, *args, **kwargs):
        # A preview is addressed by id: skip the public view's old-slug redirects.
        return DetailView.get(self, request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, is_preview=True)


class StateFilter(admin.SimpleListFilter):
    """Draft / scheduled / live, with the same definitions as the public site."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Live")]

    def queryset(self, request, queryset):
        match self.value():
            case "draft":
                return queryset.drafts()
            case "scheduled":
                return queryset.scheduled()
            case "live":
                return queryset.live()
        return queryset


class RegionFilter(admin.SimpleListFilter):
    """A grouping or a country; choosing a grouping includes the articles on its countries."""

    title = "region"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        regions = list(Region.objects.only("slug", "name", "parent_id"))
        countries = {}
        for region in regions:
            if region.parent_id:
                countries.setdefault(region.parent_id, []).append(region)
        choices = []
        for grouping in (r for r in regions if r.parent_id is None):
            choices.append((grouping.slug, f"{grouping.name} (all)"))
            choices.extend((c.slug, f"— {c.name}") for c in countries.get(grouping.pk, []))
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        region = Region.objects.filter(slug=self.value()).first()
        if region is None:
            return queryset.none()
        return queryset.in_region(region)


class TopicFilter(admin.SimpleListFilter):
    """Topics that are in use on at least one article."""

    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        used = Tag.objects.filter(articles_taggedarticle_items__isnull=False).distinct()
        return list(used.order_by("name").values_list("slug", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(topics__slug=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "thumbnail",
        "title",
        "kind",
        "state_badge",
        "publication_time",
        "region_names",
    ]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["kind", StateFilter, RegionFilter, TopicFilter]
    list_select_related = ["hero_photo"]
    list_per_page = 50
    # Counting 100,000 rows twice on every page load is wasted work for staff.
    show_full_result_count = False
    date_hierarchy = "published_at"
    search_fields = ["title", "summary", "reference_number"]
    search_help_text = "Search titles, summaries and report reference numbers."
    ordering = ["-published_at", "-id"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["regions", "hero_photo", "attachments", "related", "spokespeople"]
    save_on_top = True
    actions = ["publish_now", "unpublish", "duplicate"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at"]
    fieldsets = [
        ("Content", {"fields": ["kind", "title", "slug", "summary", "body"]}),
        (
            "Publishing",
            {
                "fields": ["status", "published_at", "substantively_updated_at"],
                "description": "Drafts are never public. A published article with a future "
                "publication time is scheduled and goes live on its own.",
            },
        ),
        ("Taxonomy", {"fields": ["regions", "topics"]}),
        ("Media", {"fields": ["hero_photo", "hero_caption", "attachments"]}),
        ("Relations", {"fields": ["related", "spokespeople"]}),
        ("Report", {"fields": ["reference_number"], "classes": ["collapse"]}),
        (
            "Audit",
            {
                "fields": [("created_by", "created_at"), ("updated_by", "updated_at")],
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["articles/admin.css"]}

    def get_queryset(self, request):
        # One query for every row's regions, whatever the page size.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("regions", queryset=Region.objects.only("name")))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # modelform_factory made a new class for this request, so this sets nothing shared.
        form.can_publish = request.user.has_perm(PUBLISH_PERMISSION)
        return form

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("status", Article.Status.DRAFT)
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        """Only live articles have a public page to go to; the rest have Preview."""
        return obj.get_absolute_url() if obj.is_live else None

    # --- list columns -------------------------------------------------------------------

    @admin.display(description="Photo")
    def thumbnail(self, obj):
        photo = obj.hero_photo
        renditions = getattr(photo, "renditions", None)
        thumb = renditions.get("thumb") if isinstance(renditions, dict) else None
        if not isinstance(thumb, dict) or not thumb.get("path"):
            return ""
        return format_html(
            '<img class="article-thumb" src="{}" alt="" width="{}" height="{}" loading="lazy">',
            default_storage.url(thumb["path"]),
            thumb.get("width") or "",
            thumb.get("height") or "",
        )

    @admin.display(description="State", ordering="status")
    def state_badge(self, obj):
        state = obj.state
        return format_html(
            '<span class="state-badge state-badge--{}">{}</span>', state, state.title()
        )

    @admin.display(description=f"Publication time ({settings.TIME_ZONE})", ordering="published_at")
    def publication_time(self, obj):
        return date_format(timezone.localtime(obj.published_at), "DATETIME_FORMAT")

    @admin.display(description="Regions")
    def region_names(self, obj):
        return ", ".join(region.name for region in obj.regions.all())

    # --- actions ------------------------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.action(description="Publish now", permissions=["publish"], location=BOTH)
    def publish_now(self, request, queryset):
        published = [
            article_publish(article=article, user=request.user)
            for article in queryset
            if not article.is_live
        ]
        skipped = len(queryset) - len(published)
        if len(published) == 1:
            article = published[0]
            self.message_user(
                request,
                f"“{article.title}” is live, with publication time "
                f"{local_time(article.published_at)}.",
                messages.SUCCESS,
            )
        elif published:
            self.message_user(
                request,
                f"Published {len(published)} articles. Publication times in the past were "
                "kept; future ones became now.",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(request, f"{skipped} already live, left as they were.")

    @admin.action(description="Unpublish (back to draft)", permissions=["publish"], location=BOTH)
    def unpublish(self, request, queryset):
        unpublished = [
            article_unpublish(article=article, user=request.user)
            for article in queryset
            if article.status != Article.Status.DRAFT
        ]
        skipped = len(queryset) - len(unpublished)
        if len(unpublished) == 1:
            self.message_user(
                request,
                f"“{unpublished[0].title}” is a draft again and no longer public.",
                messages.SUCCESS,
            )
        elif unpublished:
            self.message_user(
                request, f"Unpublished {len(unpublished)} articles.", messages.SUCCESS
            )
        if skipped:
            self.message_user(request, f"{skipped} already drafts, left as they were.")

    @admin.action(description="Duplicate as a draft", permissions=["add"], location=BOTH)
    def duplicate(self, request, queryset):
        copies = [article_duplicate(article=article, user=request.user) for article in queryset]
        if len(copies) == 1:
            url = reverse("admin:articles_article_change", args=[copies[0].pk])
            self.message_user(
                request, f"Made a draft copy: “{copies[0].title}”. You are now editing it."
            )
            return redirect(url)
        self.message_user(request, f"Made {len(copies)} draft copies.", messages.SUCCESS)
        return None

    # --- preview ------------------------------------------------------------------------

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view, cacheable=True)
        return [
            path("<int:pk>/preview/", preview, name="articles_article_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The article exactly as the public will see it, whatever its state."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        response = ArticlePreviewView.as_view()(request, pk=pk)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        return response


class GroupingFilter(admin.SimpleListFilter):
    title = "grouping"
    parameter_name = "grouping"

    def lookups(self, request, model_admin):
        return [
            ("none", "Groupings only"),
            *Region.objects.groupings().values_list("slug", "name"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.groupings()
        if self.value():
            return queryset.filter(parent__slug=self.value())
        return queryset


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "iso_code", "report_code", "parent"]
    list_filter = [GroupingFilter]
    list_select_related = ["parent"]
    search_fields = ["name", "iso_code", "slug"]
    ordering = ["name"]
    list_per_page = 100

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The tree has two levels: a country's parent is always a grouping.
        if db_field.name == "parent":
            kwargs["queryset"] = Region.objects.groupings()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    """Old addresses of live articles. Made automatically when a slug changes, so the list
    is read-only; deleting one breaks the old address on purpose."""

    list_display = ["old_slug", "article", "created_at"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__title", "article__slug"]
    readonly_fields = ["old_slug", "article", "created_at"]
    ordering = ["old_slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NewsroomSettings)
class NewsroomSettingsAdmin(admin.ModelAdmin):
    """One row of settings: the list goes straight to it, and it cannot be added twice or
    deleted."""

    fieldsets = [
        ("Newsroom page", {"fields": ["heading", "mission", "intro"]}),
        ("Press office", {"fields": ["press_email", "press_phone", "inquiry_recipients"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not NewsroomSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = NewsroomSettings.objects.get_or_create(pk=1)[0]
        return redirect("admin:articles_newsroomsettings_change", row.pk)
