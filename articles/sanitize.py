"""The one allow-list for article rich text.

Everything an editor, an import or an API writes into an article body passes through
``sanitize_html`` before it reaches the database (``SanitizedHTMLField.pre_save``), so the
public templates can print the body as it is.
"""

import re
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.utils.html import strip_tags

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "s", "sub",
    "sup", "ul", "ol", "li", "blockquote", "a", "img", "figure", "figcaption", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "abbr", "cite", "q", "code",
    "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "width", "height", "title"},
    "ol": {"start", "type"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _is_library_image(src):
    """Images in a body must come from our own media library, never a third party."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        media = urlsplit(settings.MEDIA_URL)
        return (
            bool(media.netloc)
            and (parts.scheme, parts.netloc)
            == (
                media.scheme,
                media.netloc,
            )
            and parts.path.startswith(media.path)
        )
    return parts.path.startswith(settings.MEDIA_URL)


def _attribute_filter(tag, attribute, value):
    if tag == "img" and attribute == "src" and not _is_library_image(value):
        return None
    if attribute in {"width", "height", "colspan", "rowspan", "start"} and not value.isdigit():
        return None
    return value


_TAG = re.compile(r"<[^>]*>")
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\bsrc=)[^>]*>")
_cleaner = None


def _get_cleaner():
    global _cleaner  # noqa: PLW0603 - built once, lazily, because it reads settings
    if _cleaner is None:
        _cleaner = nh3.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            attribute_filter=_attribute_filter,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    return _cleaner


def sanitize_html(html):
    """Return ``html`` with scripts, handlers, unsafe URLs and unknown tags removed."""
    if not html:
        return ""
    cleaned = _get_cleaner().clean(html).strip()
    # An image whose source was refused is dropped whole rather than left empty.
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned)
    # An editor leaves "<p></p>" in an empty field: store it as empty.
    # The output is already well-formed, so a regex finds any text left (strip_tags' HTML
    # parser would cost more than the cleaning itself on a large import).
    return "" if not _TAG.sub("", cleaned).strip() and "<img" not in cleaned else cleaned


def html_to_text(html):
    """Plain text of a body, for search and meta descriptions."""
    return " ".join(strip_tags(html or "").split())
