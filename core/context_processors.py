from django.utils.functional import SimpleLazyObject

from core.models import SiteSettings


def site_settings(request):
    """``site_settings`` in every template, so no view loads it by hand, with its texts
    in the page's language (``SiteSettings.localised``). Lazy: a page that never shows
    it (most of the admin) never reads it."""
    return {"site_settings": SimpleLazyObject(lambda: SiteSettings.load().localised())}
