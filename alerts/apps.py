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
        # Confirmations sent, addresses refused for good (bounces).
        from outbox.signals import message_refused, message_sent  # noqa: PLC0415

        message_sent.connect(hooks.mail_sent, dispatch_uid="alerts.mail_sent")
        message_refused.connect(hooks.mail_refused, dispatch_uid="alerts.mail_refused")
        # Lost fan-outs, owed alerts and digest slots, caught up by the worker.
        from alerts.tasks import catch_up  # noqa: PLC0415
        from outbox import sweeps  # noqa: PLC0415

        sweeps.register("alerts", catch_up, every=60)
