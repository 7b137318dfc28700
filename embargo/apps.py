from django.apps import AppConfig
from django.db.models.signals import post_save


class EmbargoConfig(AppConfig):
    name = "embargo"
    verbose_name = "Embargoes"

    def ready(self):
        from articles.signals import articles_written  # noqa: PLC0415
        from embargo.signals import article_saved, articles_imported  # noqa: PLC0415

        post_save.connect(
            article_saved, sender="articles.Article", dispatch_uid="embargo_article_saved"
        )
        # Bulk writes send no post_save: the importer's own signal stands in for it.
        articles_written.connect(articles_imported, dispatch_uid="embargo_articles_imported")
