from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The editorial desk: workflow, pending versions, revisions, edit locks, preview,
    correction notes' editing and the Article admin."""

    name = "desk"
    verbose_name = "Editorial desk"

    def ready(self):
        from articles.changes import article_changed  # noqa: PLC0415 - imports models
        from desk import revisions, translation_status  # noqa: PLC0415 - imports models

        # A write by any other route than the desk's own (a shell save, a script's
        # regions.set(), an import) gets its revision once the transaction commits.
        article_changed.connect(revisions.record_outside_changes, dispatch_uid="revisions")
        # A translation made by any route records the source revision it is based on.
        article_changed.connect(translation_status.record_bases, dispatch_uid="translation-bases")
