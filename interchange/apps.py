from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Articles in and out of the interchange format: import, export, the demo newsroom."""

    name = "interchange"
    verbose_name = "Import and export"
