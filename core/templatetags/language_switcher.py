"""The public header's language switcher: the site's languages by their own names, each
linking to this page in that language where there is one.

A view that knows the page's own translations (an article's versions) puts them in its
context as ``translations``, a list of ``(code, name, url)``; every other language links
to the same view in that language when the view takes no arguments (the list, the
corrections, the inquiry form…), else to that language's news list.
"""

from django import template
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

from core.languages import (
    current_language,
    default_language,
    is_multilingual,
    is_rtl,
    language_choices,
    language_codes,
    unprefixed,
)

register = template.Library()

FALLBACK_VIEW = "articles:list"


def _address(match, code, current):
    """The view of ``match`` in language ``code``; that language's news list when the
    view takes arguments, or does not change address with the language (the embargo
    pages are outside the language prefixes: one address for every language)."""
    if match is not None and match.view_name and not match.args and not match.kwargs:
        try:
            with translation.override(code):
                there = reverse(match.view_name)
            with translation.override(current):
                here = reverse(match.view_name)
        except NoReverseMatch:
            there = here = None
        if there is not None and there != here:
            return there
    with translation.override(code):
        return reverse(FALLBACK_VIEW)


def _in_every_language(path, current):
    """Whether ``path`` is a page of the language tree (``/news/…``, ``/es/press/…``),
    not one with a single address for all (an embargo link, a file)."""
    # A language with a prefix: under the default's empty one every path resolves.
    other = next(code for code in language_codes() if code != default_language())
    with translation.override(other):
        prefix = reverse("home").rstrip("/")
        try:
            resolve(prefix + unprefixed(path))
        except Resolver404:
            return False
    return True


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Nothing at all on a site in one language, nor on a page outside the language
    tree (an embargoed article's personal link is in its own language only)."""
    if not is_multilingual():
        return {"links": []}
    request = context.get("request")
    current = current_language()
    if request is not None and not _in_every_language(request.path_info, current):
        return {"links": []}
    match = getattr(request, "resolver_match", None)
    given = {code: url for code, _name, url in context.get("translations") or ()}
    links = []
    for code, name in language_choices():
        if code == current and request is not None:
            url = request.path  # this page, also where it is a preview or embargoed
        elif code in given:
            url = given[code]
        else:
            url = _address(match, code, current)
        links.append(
            {
                "code": code,
                "name": name,
                "dir": "rtl" if is_rtl(code) else "ltr",
                "url": url,
                "current": code == current,
            }
        )
    return {"links": links}
