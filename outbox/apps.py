from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Every e-mail the site sends: queued as a row, sent by the worker, retried."""

    name = "outbox"
    default_auto_field = "django.db.models.BigAutoField"
