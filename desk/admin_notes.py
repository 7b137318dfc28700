"""The article admin's part in public corrections and topic choice.

``ArticleNotesAdminMixin`` adds to ``ArticleAdmin``: the recording of the answer to the
question asked when a live article's content changes (``desk.corrections``; the
question itself is a step of saving, see ``admin_pending``), the article's published notes
(editable by editors, for a note's own typo), the "New topics" field for those who may
create topics, and no change-form menu on the add form.
"""

from django.contrib import admin

from articles.notes import ArticleNote
from articles.topics import ADD_TOPIC_PERMISSION
from desk.corrections import article_record_change


class ArticleNoteInline(admin.TabularInline):
    """The notes published with an article. They are added through the change form's
    question, never here; editors may correct a note's own wording or remove it."""

    model = ArticleNote
    fields = ["kind", "text", "published_at", "created_by"]
    readonly_fields = ["created_by"]
    extra = 0
    verbose_name_plural = "Published notes (corrections, clarifications, updates)"

    def has_add_permission(self, request, obj=None):
        return False


class ArticleNotesAdminMixin:
    def get_inlines(self, request, obj):
        # Only where there is something to show: most articles have no note.
        if obj is not None and obj.notes.exists():
            return [*super().get_inlines(request, obj), ArticleNoteInline]
        return super().get_inlines(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.can_add_topics = request.user.has_perm(ADD_TOPIC_PERMISSION)
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, dict(options)) for name, options in super().get_fieldsets(request, obj)
        ]
        if request.user.has_perm(ADD_TOPIC_PERMISSION):
            for _name, options in fieldsets:
                if "topics" in options.get("fields", ()):
                    fields = list(options["fields"])
                    fields.insert(fields.index("topics") + 1, "new_topics")
                    options["fields"] = fields
        # The corrections question is not a fieldset of the form: it is asked as a step
        # of saving, at the top (``admin_pending``'s ``change_question``).
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Set by the answer to the question above, not typed in.
        return [*super().get_readonly_fields(request, obj), "substantively_updated_at"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and getattr(form, "change_request", None):
            kind, text, notify = form.change_request
            article_record_change(
                article=form.instance,
                user=request.user,
                kind=kind,
                text=text,
                notify_subscribers=notify,
            )

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if action_location != admin.ActionLocation.CHANGE_FORM:
            return actions
        # The change form's menu is for the article at hand: none on the add form.
        # Publishing and unpublishing are not in it: the workflow's buttons under the
        # form offer them as the article's state allows (``admin_workflow``).
        if self._action_object(request) is None:
            return {}
        return actions

    def _action_object(self, request):
        match = request.resolver_match
        object_id = match.kwargs.get("object_id") if match else None
        if object_id is None:
            return None
        cached = getattr(request, "_action_article", None)
        if cached is None or str(cached.pk) != str(object_id):
            cached = self.get_object(request, object_id)
            request._action_article = cached
        return cached


@admin.register(ArticleNote)
class ArticleNoteAdmin(admin.ModelAdmin):
    """Every public note, to find one again. Notes are added from the article form."""

    list_display = ["article", "kind", "published_at", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["article", "created_by"]
    search_fields = ["text", "article__title"]
    date_hierarchy = "published_at"
    fields = ["article", "kind", "text", "published_at", "created_by"]
    readonly_fields = ["article", "created_by"]
    ordering = ["-published_at", "-id"]

    def has_add_permission(self, request):
        return False
