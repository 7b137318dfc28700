"""Template tags that show photos through their renditions, never the original file.

Everything comes from ``Photo.renditions`` (JSON on the photo row), so rendering a list
of cards makes no database queries beyond loading the photos themselves.

    {% load media_tags %}
    {% picture article.hero_photo "card" sizes="(min-width: 60rem) 30vw, 100vw" %}
    <meta property="og:image" content="{% rendition_url photo "og" %}">
"""

from django import template
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join

from media_library.renditions import SPECS, variants

register = template.Library()


def _variants(photo, spec_name, fmt):
    if photo is None:
        return []
    return variants(getattr(photo, "renditions", None), spec_name, fmt)


def _srcset(entries):
    return format_html_join(
        ", ", "{} {}w", ((default_storage.url(e["path"]), e["width"]) for e in entries)
    )


@register.simple_tag
def picture(
    photo,
    spec="card",
    sizes=None,
    loading="lazy",
    alt=None,
    css_class="",
    fetchpriority="",
):
    """A responsive ``<picture>``: WebP sources plus a JPEG ``<img>`` fallback.

    ``alt`` defaults to the photo's alt text ("" when the photo is decorative).
    ``css_class`` goes on the ``<img>``. Use ``loading="eager" fetchpriority="high"`` for
    the largest image at the top of a page. Renders nothing when there is no photo or
    its renditions have not been made yet.
    """
    jpegs = _variants(photo, spec, "jpeg")
    if not jpegs:
        return ""
    webps = _variants(photo, spec, "webp")
    if sizes is None:
        sizes = SPECS[spec].sizes if spec in SPECS else "100vw"
    if alt is None:
        alt = "" if photo.is_decorative else photo.alt_text
    fallback = jpegs[-1]
    source = (
        format_html('<source type="image/webp" srcset="{}" sizes="{}">', _srcset(webps), sizes)
        if webps
        else ""
    )
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"'
        '{}{} loading="{}" decoding="async"></picture>',
        source,
        default_storage.url(fallback["path"]),
        _srcset(jpegs),
        sizes,
        fallback["width"],
        fallback["height"],
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
        format_html(' fetchpriority="{}"', fetchpriority) if fetchpriority else "",
        loading,
    )


@register.simple_tag
def rendition_url(photo, spec="og"):
    """URL of the largest JPEG of a spec (for og:image, downloads), or '' if none."""
    jpegs = _variants(photo, spec, "jpeg")
    return default_storage.url(jpegs[-1]["path"]) if jpegs else ""


@register.simple_tag
def rendition(photo, spec="og"):
    """The largest JPEG entry of a spec as a dict with url, width and height, or None.

    For ``og:image:width``/``og:image:height`` and similar:
    ``{% rendition photo "og" as og %}{{ og.url }} {{ og.width }}``.
    """
    jpegs = _variants(photo, spec, "jpeg")
    if not jpegs:
        return None
    entry = jpegs[-1]
    return {
        "url": default_storage.url(entry["path"]),
        "width": entry["width"],
        "height": entry["height"],
    }
