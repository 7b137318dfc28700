"""schema.org data about an article, for search engines (rendered as JSON-LD)."""

from django.templatetags.static import static
from django.utils import timezone

from articles.models import Article
from articles.topic_names import topic_name
from articles.versions import Version
from core.models import SiteSettings


def _iso(moment):
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _work(version: Version, request) -> dict:
    url = request.build_absolute_uri(version.path)
    return {"@type": "NewsArticle", "@id": url, "url": url, "inLanguage": version.language}


def translation_links(article: Article, versions: list[Version], request) -> dict:
    """``workTranslation`` on a source (its live translations), ``translationOfWork``
    on a translation (its source, when live): only live versions are ever named."""
    others = [version for version in versions if version.pk != article.pk]
    if article.translation_of_id is None:
        translations = [_work(version, request) for version in others]
        return {"workTranslation": translations} if translations else {}
    source = next((version for version in others if version.pk == article.translation_of_id), None)
    return {"translationOfWork": _work(source, request)} if source else {}


def news_article_json_ld(*, article: Article, request, versions=()) -> dict:
    """A schema.org ``NewsArticle`` for ``article``, with absolute URLs, linked to the
    other live ``versions`` of its story (``articles.versions.live_versions``).

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
        "inLanguage": article.language,
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
    data |= translation_links(article, list(versions), request)
    keywords = [topic_name(topic, article.language) for topic in article.topics.all()]
    if keywords:
        data["keywords"] = keywords
    return data
