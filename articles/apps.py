from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from media_library.usage import register_usage  # noqa: PLC0415 - apps are loaded

        Article = self.get_model("Article")
        # Deleting a photo or document an article shows is refused, with a link here.
        register_usage(Article, "hero_photo", label_field="title")
        register_usage(Article, "attachments", label_field="title")
