"""schema.org data about an article, for search engines (rendered as JSON-LD)."""

from django.templatetags.static import static
from django.utils import timezone

from articles.models import Article
from articles.topic_names import topic_name
from core.models import SiteSettings


def _iso(moment):
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def news_article_json_ld(*, article: Article, request) -> dict:
    """A schema.org ``NewsArticle`` for ``article``, with absolute URLs.

    Rendered by the ``json_ld`` filter, which escapes it for a ``<script>`` element.
    """
    url = request.build_absolute_uri(article.get_absolute_url())
    published = _iso(article.published_at)
    modified = (
        _iso(article.substantively_updated_at) if article.substantively_updated_at else published
    )
    organisation = {
        "@type": "Organization",
        "name": SiteSettings.load().text("name", article.language),
        "url": request.build_absolute_uri("/"),
        "logo": {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(static("img/logo.svg")),
        },
    }
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": published,
        "dateModified": modified,
        "articleSection": article.get_kind_display(),
        "author": organisation,
        "publisher": organisation,
    }
    image = article.hero_photo.rendition("og") if article.hero_photo_id else None
    if image is not None:
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": request.build_absolute_uri(image.url),
                "width": image.width,
                "height": image.height,
                # In the article's language, falling back to the default language's.
                **({"caption": article.caption} if article.caption else {}),
            }
        ]
    corrections = [
        {"@type": "CorrectionComment", "text": note.text, "datePublished": _iso(note.published_at)}
        for note in article.notes.all()
        if note.at_top
    ]
    if corrections:
        data["correction"] = corrections
    keywords = [topic_name(topic, article.language) for topic in article.topics.all()]
    if keywords:
        data["keywords"] = keywords
    return data
