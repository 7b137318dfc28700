"""The public pages' chrome: the header's row (the site's name and the navigation) and
the footer, the same HTML on every page of a language.

``{% page_chrome "includes/site_footer.html" %}`` renders its template once per worker
for each combination of all that it shows (the language, the site's name, the page's
place in the navigation, the year) and reuses the HTML after that. Nothing of the
newsroom's content is in it, only the site's name, which is part of the key: an edit of
the site settings shows on the next request, in every worker, with nothing to
invalidate. Rendered on every request, the two cost a dozen translated strings and nine
URL reversals: an eighth of a warm article page's time (bench/RESULTS.md).

In development (``DEBUG``) they are rendered every time, so an edited template shows
without a restart.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

register = template.Library()

# The navigation's entries, by the view a page is: its link is the current page.
SECTIONS = {
    "home": "home",
    "articles:list": "news",
    "press:contacts": "contacts",
    "press:inquiry": "inquiry",
}


def section_of(request) -> str:
    """Where a page sits in the navigation: an entry's own page ("news"), any other
    page of the news ("articles": its entry is marked as the current section), or ""."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.view_name in SECTIONS:
        return SECTIONS[match.view_name]
    return "articles" if match.app_name == "articles" else ""


def _render(template_name, language, section, site_name, year):
    with translation.override(language):
        html = get_template(template_name).render(
            {"section": section, "site_name": site_name, "year": year}
        )
    return mark_safe(html)  # our own template, its values escaped by it


_rendered = lru_cache(maxsize=256)(_render)


@register.simple_tag(takes_context=True)
def page_chrome(context, template_name):
    site_settings = context.get("site_settings")
    parts = (
        template_name,
        translation.get_language() or settings.LANGUAGE_CODE,
        section_of(context.get("request")),
        str(getattr(site_settings, "name", "") or ""),
        timezone.localdate().year,
    )
    return _render(*parts) if settings.DEBUG else _rendered(*parts)
