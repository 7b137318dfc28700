from django.apps import AppConfig


class EmbargoConfig(AppConfig):
    name = "embargo"
    verbose_name = "Embargoes"

    def ready(self):
        from articles.changes import article_changed  # noqa: PLC0415
        from embargo.signals import articles_changed  # noqa: PLC0415

        # Every write of an article, by any route (bulk ones included), is announced here.
        article_changed.connect(articles_changed, dispatch_uid="embargo_articles_changed")
