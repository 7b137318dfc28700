"""The outbox in the admin: what is queued, failing or given up, and two actions.

Recipients' addresses are personal data: the press office and superusers see this
(``core.roles``), nobody edits a message, and only the outbox's own actions change one.
"""

from django.contrib import admin, messages

from outbox import services
from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipients_display",
        "subject",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error_display",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["recipients"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    actions = ["send_again_now", "give_up"]
    list_per_page = 100
    fields = [
        "kind",
        "state",
        "recipients",
        "from_email",
        "reply_to",
        "subject",
        "body",
        "html_body",
        "headers",
        "attempts",
        "next_attempt_at",
        "leased_by",
        "leased_until",
        "last_error",
        "sent_at",
        "created_at",
        "content_type",
        "object_id",
        "dedup_key",
    ]
    readonly_fields = fields

    @admin.display(description="to", ordering="recipients")
    def recipients_display(self, message):
        return ", ".join(message.recipient_list)

    @admin.display(description="last error")
    def last_error_display(self, message):
        return message.last_error[:120]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again now", permissions=["change"])
    def send_again_now(self, request, queryset):
        count = services.send_again(queryset)
        self.message_user(request, f"{count} e-mail(s) queued to be sent again now.")

    @admin.action(description="Give up (do not send)", permissions=["change"])
    def give_up(self, request, queryset):
        reason = f"given up by {request.user.get_username()}"
        count = services.give_up(queryset, reason=reason)
        self.message_user(request, f"{count} e-mail(s) given up.", messages.WARNING)
