"""The languages the newsroom publishes in, and which one a request is in.

``settings.LANGUAGES`` (from the ``LANGUAGES`` environment variable) names them, the
first being the default. A page's language comes from its URL and nothing else: the
default language's pages keep their unprefixed addresses (``/news/``), every other
language has the same tree under its code (``/es/news/``). Nobody is redirected by a
guess from ``Accept-Language`` or a cookie: a shared link means the same page for
everyone, and a page's URL alone decides what a shared cache (nginx) keeps for it, so no
``Vary`` is needed.

Django's ``LocaleMiddleware`` reads the cookie and ``Accept-Language`` for unprefixed
paths, and varies its answers on them; ``LanguageMiddleware`` below is the few lines of
the part we want.
"""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.utils import translation
from django.utils.http import escape_leading_slashes


def default_language() -> str:
    return settings.LANGUAGE_CODE


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def is_multilingual() -> bool:
    return len(settings.LANGUAGES) > 1


def language_name(code: str) -> str:
    """A language's own name for itself ("Español", "العربية"), as a switcher shows it."""
    return dict(settings.LANGUAGES).get(code, code)


def current_language() -> str:
    """The active language if the newsroom publishes in it, else the default."""
    code = translation.get_language()
    return code if code in language_codes() else default_language()


def is_rtl(code: str) -> bool:
    return translation.get_language_info(code)["bidi"]


def split_language(path: str) -> tuple[str | None, str]:
    """``("es", "/news/")`` for ``/es/news/``; ``(None, path)`` when ``path`` has no
    prefix of a configured language (the default's own code included)."""
    first, slash, rest = path.lstrip("/").partition("/")
    if slash and first in language_codes():
        return first, "/" + rest
    return None, path


def unprefixed(path: str) -> str:
    """``path`` without its language prefix: the page it is, whatever its language."""
    return split_language(path)[1]


def language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


def other_languages() -> list[tuple[str, str]]:
    """Every language but the default: those a shared object (a photo, a topic, the
    site's texts) has texts in beside its own, the default language's."""
    return [(code, name) for code, name in language_choices() if code != default_language()]


class LanguageMiddleware:
    """Activates the language a path is in (the default when it has no prefix) for the
    request, and says it in ``Content-Language``. ``/en/news/`` (the default's own code)
    is a permanent redirect to ``/news/``: one address per page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code, rest = split_language(request.path_info)
        if code == default_language():
            query = request.META.get("QUERY_STRING", "")
            target = escape_leading_slashes(request.META.get("SCRIPT_NAME", "") + rest)
            return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))
        language = code or default_language()
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
