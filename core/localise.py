"""Dates and numbers as a visitor of the public site reads them, in the page's language.

Django's own formats are per language but not per reader: ``{{ d|date:"F j, Y" }}``
writes "junio 15, 2017" on a Spanish page. The long date and the decimal number come
from CLDR through Babel instead: "15 de junio de 2017", "15 juin 2017", "15 يونيو 2017";
"1.234" in Spanish, "1 234" in French. English stays "June 15, 2017" and "1,234".

Arabic keeps Latin digits: CLDR's ``ar`` (the locale without a country, which this site
publishes in) uses the ``latn`` numbering system, as newspapers across the Maghreb and
most of the Gulf do. The same digits appear in the page's addresses and in the
machine-readable ``<time datetime>`` values, so a date reads the same in both.
"""

from datetime import date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from django.conf import settings
from django.utils import timezone, translation


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        # A language CLDR does not know (or a malformed code) reads like the default.
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def babel_locale(language: str | None = None) -> Locale:
    """The CLDR locale of ``language``, or of the active language (the page's)."""
    return _locale(language or translation.get_language() or settings.LANGUAGE_CODE)


def public_date(value, language: str | None = None, *, form: str = "long") -> str:
    """A date, or a datetime seen in the newsroom's time zone, in the long form of the
    language ("June 15, 2017"); ``form="medium"`` is the short one ("Jun 15, 2017"),
    ``form="day"`` the short one without the year ("Jun 15"); "" for anything else (a
    missing date renders nothing, not an error)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    elif not isinstance(value, date):
        return ""
    if form == "day":
        return format_skeleton("MMMd", value, locale=babel_locale(language))
    return format_date(value, form, locale=babel_locale(language))


def public_number(value, language: str | None = None) -> str:
    """A count as the language groups its digits; anything not a number is shown as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return format_decimal(value, locale=babel_locale(language))
