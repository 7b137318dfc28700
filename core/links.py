"""Absolute links to the site, from one setting.

Mails, contact cards, media-kit texts and anything else read away from a page cannot use
a relative link, nor the Host of a request they may not have (a background task has
none). ``absolute_url`` is the one way to make such a link: the configured ``SITE_URL``
(``make run`` sets it to where it serves; production sets its public address) and a path.
"""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``/news/a/`` → ``https://news.example.org/news/a/``."""
    return f"{settings.SITE_URL}/{path.lstrip('/')}"
