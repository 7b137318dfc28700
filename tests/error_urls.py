"""The site's URLs plus a view that fails, for the error-reporting tests."""

from django.urls import path

from newsroom.urls import handler500
from newsroom.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def fail(request):
    raise RuntimeError("The view failed on purpose")


urlpatterns = [path("fail/", fail), *site_urlpatterns]
