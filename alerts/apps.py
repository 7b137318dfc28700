from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """E-mail alerts for journalists: subscriptions to a saved filter of the newsroom
    list, double opt-in, instant alerts and daily digests, sent by background tasks."""

    name = "alerts"
    verbose_name = "E-mail alerts"

    def ready(self):
        from alerts import hooks  # noqa: PLC0415 - needs loaded apps
        from articles.changes import article_changed  # noqa: PLC0415
        from articles.signals import article_corrected  # noqa: PLC0415

        # An article is alerted when it goes live, whatever route publishes it: every
        # write of an article, bulk ones included, is announced by article_changed.
        article_changed.connect(hooks.article_changed, dispatch_uid="alerts.changed")
        # A correction an editor chose to announce goes to those who were sent the article.
        article_corrected.connect(hooks.article_corrected, dispatch_uid="alerts.corrected")
