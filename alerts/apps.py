from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """E-mail alerts for journalists: subscriptions to a saved filter of the newsroom
    list, double opt-in, instant alerts and daily digests, sent by background tasks."""

    name = "alerts"
    verbose_name = "E-mail alerts"

    def ready(self):
        from django.db.models.signals import post_save, pre_save  # noqa: PLC0415

        from alerts import hooks  # noqa: PLC0415 - needs loaded apps
        from articles.signals import article_corrected, articles_written  # noqa: PLC0415

        Article = self.apps.get_model("articles", "Article")
        # An article is alerted when it goes live, whatever route publishes it: the
        # admin's form and actions, the services, the shell (model signals), and the
        # importer, whose bulk writes send a signal of their own.
        pre_save.connect(hooks.remember_state, sender=Article, dispatch_uid="alerts.state")
        post_save.connect(hooks.article_saved, sender=Article, dispatch_uid="alerts.saved")
        articles_written.connect(hooks.articles_imported, dispatch_uid="alerts.imported")
        # A correction an editor chose to announce goes to those who were sent the article.
        article_corrected.connect(hooks.article_corrected, dispatch_uid="alerts.corrected")
