"""Template helpers for the public article pages."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info

from articles.cards import render_cards
from articles.regions import region_name as localised_region_name
from articles.topic_names import topic_name as name_of_topic
from core.cache import cached

register = template.Library()

# The same escapes as Django's json_script: inside <script>, "</script>" or "<!--" in a
# headline must not end the element or open a comment.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(value):
    """``value`` as JSON that is safe to place inside a ``<script>`` element."""
    return mark_safe(json.dumps(value, cls=DjangoJSONEncoder).translate(_SCRIPT_ESCAPES))


@register.filter
def topic_name(topic, language=None):
    """A topic's name in ``language`` (the page's by default), else its own name."""
    return name_of_topic(topic, language or None)


@register.filter
def region_name(region):
    """``{{ region|region_name }}``: the region's name in the page's language."""
    return localised_region_name(region)


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


class CachedFragmentNode(template.Node):
    def __init__(self, name, parts, nodelist):
        self.name, self.parts, self.nodelist = name, parts, nodelist

    def render(self, context):
        parts = [part.resolve(context) for part in self.parts]
        if None in parts:
            # No parts to name it by (a preview of unsaved content): never kept.
            return self.nodelist.render(context)
        return cached(
            f"fragment-{self.name.resolve(context)}", lambda: self.nodelist.render(context), *parts
        )


@register.tag
def cached_fragment(parser, token):
    """``{% cached_fragment "name" part… %}…{% endcached_fragment %}``: the block's HTML,
    kept through ``core.cache.cached``, so it is keyed by the content epoch and never
    stale. The parts name whatever else the block depends on; a part that is None means
    the block is rendered every time and never kept."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name")
    nodelist = parser.parse(("endcached_fragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], nodelist
    )
