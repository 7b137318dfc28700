from django.apps import AppConfig
from django.db.models.signals import post_save


class EmbargoConfig(AppConfig):
    name = "embargo"
    verbose_name = "Embargoes"

    def ready(self):
        from embargo.signals import article_saved  # noqa: PLC0415 - models load after apps

        post_save.connect(
            article_saved, sender="articles.Article", dispatch_uid="embargo_article_saved"
        )
