"""Template tags that show photos through their renditions, never the original file.

Built on the public renditions API (``Photo.rendition``/``Photo.rendition_set``), which
reads ``Photo.renditions`` (JSON on the photo row): rendering a list of cards makes no
database queries beyond loading the photos themselves. A photo whose renditions the
worker has not made yet renders nothing, never a broken image.

    {% load media_tags %}
    {% picture article.hero_photo "card" sizes="(min-width: 60rem) 30vw, 100vw" %}
"""

from django import template
from django.utils.html import format_html, format_html_join

from media_library.renditions import SPECS, rendition_set

register = template.Library()


def _srcset(files):
    return format_html_join(", ", "{} {}w", ((f.url, f.width) for f in files))


def _default_sizes(spec, widest):
    if spec is None:
        return "100vw"
    if spec.layout_width and widest < spec.layout_width:
        return spec.small_sizes.replace("{max}", str(widest))
    return spec.sizes


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
    jpegs = rendition_set(photo, spec, "jpeg")
    if not jpegs:
        return ""
    webps = rendition_set(photo, spec, "webp")
    if sizes is None:
        sizes = _default_sizes(SPECS.get(spec), jpegs[-1].width)
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
        fallback.url,
        _srcset(jpegs),
        sizes,
        fallback.width,
        fallback.height,
        alt,
        format_html(' class="{}"', css_class) if css_class else "",
        format_html(' fetchpriority="{}"', fetchpriority) if fetchpriority else "",
        loading,
    )
