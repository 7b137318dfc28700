"""Which articles to suggest under an article: the editor's picks, then close neighbours."""

from django.db.models import Exists, OuterRef

from articles.models import Article, TaggedArticle


def related_articles(*, article: Article, limit: int = 4, picks=None) -> list[Article]:
    """Up to ``limit`` live articles to read next, in two queries at most.

    The editor's explicit choices come first; the rest are the most recent live articles
    sharing a region or a topic with ``article``. Reads the article's regions and topics
    from its prefetch cache when the view has prefetched them. ``picks`` replaces the
    stored choices (a preview of unsaved changes passes the form's).
    """
    if picks is None:
        picks = Article.objects.listed().filter(related_from=article)
    picks = list(picks.exclude(pk=article.pk).select_related("hero_photo").defer("body")[:limit])
    wanted = limit - len(picks)
    regions = list(article.regions.all())
    topic_ids = [topic.pk for topic in article.topics.all()]
    if wanted <= 0 or not (regions or topic_ids):
        return picks

    # A neighbour shares a region (an article on a grouping shares it with the articles on
    # its countries) or a topic; EXISTS rather than joins, so each appears once.
    live = Article.objects.listed()
    shares_region = live.in_regions(regions) if regions else live.none()
    shares_topic = (
        live.filter(
            Exists(
                TaggedArticle.objects.filter(
                    content_object_id=OuterRef("pk"), tag_id__in=topic_ids
                )
            )
        )
        if topic_ids
        else live.none()
    )
    neighbours = (
        (shares_region | shares_topic)
        .exclude(pk__in=[article.pk, *(pick.pk for pick in picks)])
        .select_related("hero_photo")
        .defer("body")[:wanted]
    )
    return picks + list(neighbours)
