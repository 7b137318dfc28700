"""Which articles to suggest under an article: the editor's picks, then close neighbours."""

from django.db.models import Exists, OuterRef

from articles.models import Article, TaggedArticle


def related_articles(*, article: Article, limit: int = 4) -> list[Article]:
    """Up to ``limit`` live articles to read next, in two queries at most.

    The editor's explicit choices come first; the rest are the most recent live articles
    sharing a region or a topic with ``article``. Reads the article's regions and topics
    from its prefetch cache when the view has prefetched them.
    """
    picks = list(
        Article.objects.live()
        .filter(related_from=article)
        .exclude(pk=article.pk)
        .select_related("hero_photo")
        .defer("body")[:limit]
    )
    wanted = limit - len(picks)
    region_ids = [region.pk for region in article.regions.all()]
    topic_ids = [topic.pk for topic in article.topics.all()]
    if wanted <= 0 or not (region_ids or topic_ids):
        return picks

    # EXISTS rather than joins: an article sharing two topics must still appear once.
    shares_region = Exists(
        Article.regions.through.objects.filter(article_id=OuterRef("pk"), region_id__in=region_ids)
    )
    shares_topic = Exists(
        TaggedArticle.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=topic_ids)
    )
    neighbours = (
        Article.objects.live()
        .filter(shares_region | shares_topic)
        .exclude(pk__in=[article.pk, *(pick.pk for pick in picks)])
        .select_related("hero_photo")
        .defer("body")[:wanted]
    )
    return picks + list(neighbours)
