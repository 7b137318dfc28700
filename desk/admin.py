"""The staff side of the newsroom: articles, regions and old addresses.

Who may do what is decided by the roles in ``core.roles``: writers draft and correct,
editors publish, unpublish and delete, the press office reads. Publishing is guarded in
three places so that no route gets around it: the form (``ArticleAdminForm``), the
actions (offered only with ``articles.publish_article``) and the services, which check
the permission again.
"""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from taggit.models import Tag

from articles.models import Article, Region, SlugRedirect, TaggedArticle
from articles.regions import region_choices, region_index, sync_groupings, sync_region_groupings
from articles.search import search_admin
from articles.states import State
from articles.topics import register_topic_admin
from core.admin_search import ExactFirstSearchMixin
from core.changelists import BoundedDateChangeList
from desk.admin_languages import LanguagesAdminMixin
from desk.admin_notes import ArticleNotesAdminMixin
from desk.admin_pending import PendingChangesAdminMixin
from desk.admin_revisions import ArticleRevisionsAdminMixin
from desk.admin_translations import TranslationStatusAdminMixin
from desk.admin_workflow import WorkflowAdminMixin, moment_with_offset
from desk.forms import ArticleAdminForm
from desk.services import PUBLISH_PERMISSION, article_duplicate
from embargo.admin import EmbargoArticleAdminMixin

# Publishing and duplicating are offered on the list (for a selection) and on the change
# form (for the article at hand).
BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]

admin.site.index_title = "Press releases, reports, statements and the press office"
register_topic_admin()


class EstimatedCountPaginator(Paginator):
    """Counts a large list from PostgreSQL's estimate instead of a ``COUNT(*)``.

    Counting a million rows takes longer than showing the fifty on the page; staff need to
    know "many", and the page links past an over-estimate show an empty page, never an
    error. Small lists (and every list elsewhere than PostgreSQL) are counted exactly.
    """

    ESTIMATE_FROM = 1_000

    @cached_property
    def count(self):
        # An empty queryset (an unknown region) has no plan to read, and needs no count.
        if connection.vendor == "postgresql" and not self.object_list.query.is_empty():
            plan = json.loads(self.object_list.order_by().explain(format="json"))
            estimate = int(plan[0]["Plan"]["Plan Rows"])
            if estimate >= self.ESTIMATE_FROM:
                return estimate
        return super().count


class StateFilter(admin.SimpleListFilter):
    """The seven states staff see (``articles.states``), with the same definitions of
    scheduled and live as the public site."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return State.choices

    def queryset(self, request, queryset):
        return queryset.in_state(self.value()) if self.value() else queryset


class RegionFilter(admin.SimpleListFilter):
    """A grouping or a country, chosen from one grouped select (not ~255 links); choosing a
    grouping includes the articles on its countries."""

    title = "region"
    parameter_name = "region"
    template = "admin/articles/article/region_filter.html"

    def __init__(self, request, params, model, model_admin):
        # The select submits a form of its own: it carries every other active parameter
        # along (the page number aside, since the list changes).
        self.other_params = [
            (name, value)
            for name, values in request.GET.lists()
            for value in values
            if name not in (self.parameter_name, "p", "e")
        ]
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(region.slug, region.name) for region in region_index().values()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        value = self.value().strip().lower()
        # A region added a moment ago may not be in the cached index yet.
        region = region_index().get(value) or Region.objects.named([value]).first()
        if region is None:
            return queryset.none()
        return queryset.in_region(region)

    def choices(self, changelist):
        yield {
            "groups": region_choices(),
            "selected": self.value() or "",
            "other_params": self.other_params,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }


class TopicFilter(admin.SimpleListFilter):
    """Topics that are in use on at least one article."""

    title = "topic"
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        # EXISTS per tag (a few dozen index probes), not a DISTINCT over every tagging.
        used = Tag.objects.filter(Exists(TaggedArticle.objects.filter(tag=OuterRef("pk"))))
        return list(used.order_by("name").values_list("slug", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(topics__slug=self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(
    LanguagesAdminMixin,
    TranslationStatusAdminMixin,
    PendingChangesAdminMixin,
    EmbargoArticleAdminMixin,
    WorkflowAdminMixin,
    ArticleNotesAdminMixin,
    ArticleRevisionsAdminMixin,
    admin.ModelAdmin,
):
    form = ArticleAdminForm
    # Four columns fit a laptop (1280 px) beside the filters: the kind and regions go on a
    # line under the title, which gets the width to wrap a headline on two lines.
    list_display = ["thumbnail", "headline", "state_badge", "publication_time"]
    list_display_links = ["headline"]
    list_filter = ["kind", StateFilter, RegionFilter, TopicFilter]
    list_select_related = ["hero_photo"]
    list_per_page = 50
    # Counting 100,000 rows twice on every page load is wasted work for staff; the count
    # that remains is the planner's estimate when it is large (EstimatedCountPaginator).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    date_hierarchy = "published_at"
    search_fields = ["title", "summary", "reference_number"]
    search_help_text = (
        "Search titles, summaries and texts, slugs and report reference numbers; an exact "
        "title, slug or reference number comes first."
    )
    ordering = ["-published_at", "-id"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["regions", "hero_photo", "attachments", "related", "spokespeople"]
    save_on_top = True
    actions = ["submit_for_review", "publish_now", "unpublish", "duplicate"]
    readonly_fields = ["created_by", "created_at", "updated_by", "updated_at", "publication"]
    fieldsets = [
        ("Content", {"fields": ["kind", "title", "slug", "summary", "body"]}),
        (
            "Publishing",
            {
                # The state itself is told once, at the top of the form, with its buttons.
                "fields": ["publication", "substantively_updated_at"],
                "description": "Drafts are never public. The buttons at the top of the form "
                "submit for review, publish, schedule and unpublish; a scheduled article goes "
                "live on its own. With “two people for every publication” on (site settings), "
                "changes to a live article, an editor's included, wait for another editor's "
                "approval while the public keeps the live text. Times in the newsroom's time "
                f"zone ({settings.TIME_ZONE}).",
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
                "description": f"Times in the newsroom's time zone ({settings.TIME_ZONE}).",
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["articles/admin.css"]}

    def get_changelist(self, request, **kwargs):
        return BoundedDateChangeList

    @admin.display(description="Publication time")
    def publication(self, obj):
        """When the article is (or was, or will be) public; never its creation time."""
        if obj is None or obj.pk is None or obj.status == Article.Status.DRAFT:
            return "Not scheduled"
        moment = moment_with_offset(obj.published_at)
        if obj.status == Article.Status.UNPUBLISHED:
            return f"First published {moment}; unpublished now"
        return f"Scheduled for {moment}" if obj.is_scheduled else f"Live since {moment}"

    def get_queryset(self, request):
        # One query for every row's regions, whatever the page size.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("regions", queryset=Region.objects.only("name")))
        )

    def get_search_results(self, request, queryset, search_term):
        # The public search's full-text index rather than an icontains scan per field;
        # search_fields stays for Django's checks and the search box.
        return search_admin(queryset, search_term), False

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
        if not change or form.has_changed():  # pressing a workflow button edits nothing
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        """Only live articles have a public page to go to; the rest have Preview."""
        return obj.get_absolute_url() if obj.is_live else None

    # --- list columns -------------------------------------------------------------------

    @admin.display(description="Photo", empty_value="")
    def thumbnail(self, obj):
        thumb = obj.hero_photo.rendition("thumb") if obj.hero_photo_id else None
        if thumb is None:
            return ""
        return format_html(
            '<img class="article-thumb" src="{}" alt="" width="{}" height="{}" loading="lazy">',
            thumb.url,
            thumb.width,
            thumb.height,
        )

    @admin.display(description="State", ordering="status")
    def state_badge(self, obj):
        state = obj.state
        return format_html(
            '<span class="state-badge state-badge--{}">{}</span>', state, state.label
        )

    @admin.display(description=f"Publication time ({settings.TIME_ZONE})", ordering="published_at")
    def publication_time(self, obj):
        if obj.status == Article.Status.DRAFT:
            return "Not scheduled"  # the stored time is only when the draft was begun
        return date_format(timezone.localtime(obj.published_at), "DATETIME_FORMAT")

    @admin.display(description="Title", ordering="title")
    def headline(self, obj):
        regions = ", ".join(region.name for region in obj.regions.all())
        return format_html(
            '<span class="article-headline">{}</span><span class="article-meta">{}{}</span>',
            obj.title,
            obj.get_kind_display(),
            f" · {regions}" if regions else "",
        )

    # --- actions ------------------------------------------------------------------------

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
class RegionAdmin(ExactFirstSearchMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "iso_code", "report_code", "parent"]
    list_filter = [GroupingFilter]
    list_select_related = ["parent"]
    search_fields = ["name", "iso_code", "slug"]
    exact_search_fields = ("name", "iso_code", "slug")
    ordering = ["name"]
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "parent" in form.changed_data:
            # A country moved to another grouping: its articles' groupings move with it.
            sync_region_groupings([obj.pk])

    def delete_model(self, request, obj):
        self.delete_queryset(request, Region.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Deleting a country drops its articles' tags; their groupings must follow.
        article_ids = list(
            Article.regions.through.objects.filter(region__in=queryset).values_list(
                "article_id", flat=True
            )
        )
        super().delete_queryset(request, queryset)
        sync_groupings(article_ids)

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
