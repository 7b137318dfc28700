from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The editorial desk: workflow, pending versions, revisions, edit locks, preview,
    correction notes' editing and the Article admin."""

    name = "desk"
    verbose_name = "Editorial desk"
