"""The site's URLs plus a view that fails, for the error-reporting tests."""

from django.urls import path

from newsroom.urls import handler500
from newsroom.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def fail(request):
    raise RuntimeError("The view failed on purpose")


def fail_otherwise(request):
    raise KeyError("another error, somewhere else")


urlpatterns = [path("fail/", fail), path("fail-otherwise/", fail_otherwise), *site_urlpatterns]
