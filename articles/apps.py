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


def _live(articles):
    return articles.live()


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from taggit.models import Tag  # noqa: PLC0415 - models load after apps

        from articles import changes, regions, translations  # noqa: PLC0415 - imports models
        from articles.filters import ArticleFilterSet  # noqa: PLC0415 - imports models
        from core.cache import (  # noqa: PLC0415
            invalidate_on_change,
            invalidate_on_signal,
            public_pages,
            publications_scheduled_by,
        )
        from media_library.usage import register_usage  # noqa: PLC0415 - apps are loaded

        # Every write of an article, by any route, is announced once (articles.changes);
        # this app's own followers: the stored groupings and the caches (the desk
        # keeps the revisions, from its own ready()).
        changes.connect_model_signals(self.get_model("Article"))
        changes.article_changed.connect(regions.groupings_follow, dispatch_uid="groupings")
        # Translations share their source's kind, photo, regions and topics.
        changes.article_changed.connect(
            translations.share_from_source, dispatch_uid="translations-share"
        )
        invalidate_on_signal(changes.article_changed)
        invalidate_on_change(
            self.get_model("Region"),
            self.get_model("SlugRedirect"),
            self.get_model("TaggedArticle"),
            self.get_model("ArticleNote"),
            Tag,
            self.get_model("TopicName"),
        )
        publications_scheduled_by(next_publication)
        # The list and its feeds understand what the FilterSet declares (and the list its
        # page): a filter added there is understood here too.
        filters = ArticleFilterSet.parameters()
        public_pages(r"^/news/$", (*filters, "page"))
        # The feeds, and how to follow a list in a feed reader (one page per list).
        public_pages(r"^/news/feed/(atom/|about/)?$", filters)
        public_pages(r"^/news/corrections/$", ("page",))
        public_pages(r"^/news/")  # articles, the corrections feed

        Article = self.get_model("Article")
        # Deleting a photo or document an article shows is refused, with a link here;
        # a live article makes them public, no other does (media_library.gating).
        for field_name in ("hero_photo", "attachments"):
            register_usage(Article, field_name, label_field="title", public=_live)
