"""The database gone: a page that says so, instead of a server error.

A view that stores what a visitor typed catches the outage itself and gives the form
back as typed (``not_saved`` pages). Everything else that needs the database on its way
(a list's region names on a cold cache, a form's choices while it validates, a page the
edge has not kept) ends here: 503 with ``Retry-After``, which tells a visitor the truth,
tells nginx to serve its last good copy where it has one (``proxy_cache_use_stale
http_503``) and is never stored by it.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.utils.cache import add_never_cache_headers

from core.models import SiteSettings

logger = logging.getLogger(__name__)

# What a driver raises when the server is down, restarting or unreachable. Not
# ProgrammingError or IntegrityError: those are bugs and bad data, and stay 500s.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 60
# A database back after a restart or a failover: a few minutes.
NOT_SAVED_RETRY_SECONDS = 120


def unavailable_response(request):
    """The standalone 503 page (it queries nothing: there is nothing to query)."""
    response = SimpleTemplateResponse(
        "503.html",
        {"posted": request.method not in ("GET", "HEAD")},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database under a view or its template into the 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.warning(
            "%s %s answered 503: the database is unavailable (%s)",
            request.method,
            request.path,
            exception,
        )
        return unavailable_response(request)


def not_saved(view, form, *, what: str) -> TemplateResponse:
    """503 for a form the database could not take (``view`` is its ``FormView``): the
    same page with everything typed, and a notice that ``what`` was not saved and how
    else to reach the press office.

    The site settings come from the cache when they are there; otherwise their defaults,
    with the ``PRESS_OFFICE_EMAIL`` setting as the address.
    """
    logger.error("A %s was not saved: the database is unavailable", what, exc_info=True)
    try:
        site_settings = SiteSettings.load()
    except DATABASE_UNAVAILABLE:
        site_settings = SiteSettings(pk=1, press_email=settings.PRESS_OFFICE_EMAIL)
    context = view.get_context_data(form=form) | {
        "site_settings": site_settings,
        "not_saved": what,
    }
    response = TemplateResponse(view.request, view.get_template_names(), context, status=503)
    response["Retry-After"] = str(NOT_SAVED_RETRY_SECONDS)
    return response
