"""Answers shared by the public forms of several apps."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.template.response import TemplateResponse

from core.models import SiteSettings

logger = logging.getLogger(__name__)

# What Django raises when the database cannot be reached or drops the connection. Other
# database errors (a bad query, a broken constraint) are bugs, or handled where they occur.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# A database back after a restart or a failover: a few minutes.
NOT_SAVED_RETRY_SECONDS = 120


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
