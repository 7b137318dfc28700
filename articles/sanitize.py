"""The one allow-list for article rich text.

Everything an editor, an import or an API writes into an article body passes through
``sanitize_html`` before it reaches the database (``SanitizedHTMLField.pre_save``), so the
public templates can print the body as it is.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.conf import settings

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


class _TextExtractor(HTMLParser):
    """Sanitised rich text to readable plain text: blocks, list items and line breaks
    kept as markers (cut into lines by ``html_to_text``), link targets kept aside."""

    BLOCKS = {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure",
        "figcaption", "pre", "table", "tr", "ul", "ol", "hr",
    }  # fmt: skip

    def __init__(self, *, bullets, links):
        super().__init__(convert_charrefs=True)
        self.bullet = "\n- " if bullets else "\n"
        self.links = links
        self.parts: list[str] = []
        self.href = None

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append(self.bullet)
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a" and self.links:
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.href:
            self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data):
        # Typed line breaks are white space, like any other: only markup makes lines.
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html, *, paragraphs=False, links=False):
    """Plain text of rich text (an article body), the one reading of it everywhere.

    By default one line, white space collapsed: for search and meta descriptions.
    ``paragraphs=True`` keeps the structure a reader of plain text needs: blocks
    (paragraphs, headings, tables) separated by a blank line, list items as "- " lines,
    ``<br>`` a line break; for the media kit's release and the revision diff.
    ``links=True`` writes each link's target after its text, "(https://…)", for text
    where nothing can be clicked.
    """
    parser = _TextExtractor(bullets=paragraphs, links=links)
    parser.feed(html or "")
    parser.close()
    text = "".join(parser.parts)
    if not paragraphs:
        return " ".join(text.split())
    blocks = ("\n".join(_lines(block)) for block in re.split(r"\n\s*\n", text))
    return "\n\n".join(block for block in blocks if block)


def _lines(block):
    lines = (" ".join(line.split()) for line in block.split("\n"))
    return [line for line in lines if line and line != "-"]
