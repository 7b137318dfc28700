from django.apps import AppConfig


def next_publication(now):
    """When the next scheduled article goes live: public pages change then."""
    from articles.models import Article  # noqa: PLC0415 - called once apps are ready

    return (
        Article.objects.scheduled(at=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from taggit.models import Tag  # noqa: PLC0415 - models load after apps

        from core.cache import invalidate_on_change, publications_scheduled_by  # noqa: PLC0415

        invalidate_on_change(
            self.get_model("Article"),
            self.get_model("Region"),
            self.get_model("SlugRedirect"),
            self.get_model("TaggedArticle"),
            Tag,
            # Shown on every public page. Moves to the core app with the model.
            self.get_model("NewsroomSettings"),
        )
        publications_scheduled_by(next_publication)
