"""Template helpers for the public article pages."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info

from articles.cards import render_cards

register = template.Library()

# The same escapes as Django's json_script: inside <script>, "</script>" or "<!--" in a
# headline must not end the element or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(value):
    """``value`` as JSON that is safe to place inside a ``<script>`` element."""
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES))


@register.filter
def file_size(num_bytes):
    """A file size for people: "830 bytes", "14.2 KB", "2.3 MB" (one decimal, 1024-based)."""
    try:
        size = float(num_bytes)
    except (TypeError, ValueError):
        return ""
    if size < 1024:
        count = int(size)
        return f"{count} byte" if count == 1 else f"{count} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"
    return ""  # pragma: no cover - the loop always returns


@register.filter
def language_name(code):
    """The English name of a language code ("es" -> "Spanish"); the code if unknown."""
    if not code:
        return ""
    try:
        return get_language_info(str(code).lower())["name"]
    except KeyError:
        return str(code)


@register.filter
def lower_first(text):
    """Lower-case the first letter, so a title reads inside a sentence: "the full report".

    Leaves acronyms alone ("UN submission" stays as it is).
    """
    text = str(text)
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


@register.simple_tag
def article_cards(articles, eager=3):
    """The cards of ``articles`` (see articles.cards), each from the cache when it can be."""
    return mark_safe("".join(render_cards(articles, eager=eager)))
