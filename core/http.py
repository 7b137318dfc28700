"""What a request may be before any view sees it: its method and its Host.

- **Methods.** Public pages are read with GET and HEAD; POST is taken only where a form
  lives (a class-based view with a ``post`` method, a function view marked with
  ``accepts_post``, and the admin). Everything else (OPTIONS, TRACE, PUT, DELETE, …) is
  answered 405 with an ``Allow`` header and an empty body, so no page is rendered, cached
  or echoed for a method nobody should use.
- **Host.** Django checks the host name against ALLOWED_HOSTS but not the port, and
  absolute URLs (feeds, sitemap, canonical and Open Graph links) are built from the
  Host header: ``Host: 127.0.0.1:99999`` would land in them. A port that cannot exist is
  answered 400, as Django answers a host it does not serve.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseNotAllowed
from django.urls import Resolver404, resolve

READ = ("GET", "HEAD")
READ_AND_POST = ("GET", "HEAD", "POST")


def accepts_post(view):
    """Mark a function view that takes a form's POST (class-based views with a ``post``
    method need nothing)."""
    view.accepts_post = True
    return view


def allowed_methods(path, view_func):
    """The methods ``view_func`` answers at ``path``."""
    if path.startswith(f"/{settings.ADMIN_URL}"):
        return READ_AND_POST
    if getattr(view_func, "accepts_post", False):
        return READ_AND_POST
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None and hasattr(view_class, "post"):
        return READ_AND_POST
    return READ


def check_host_port(request):
    """Raise DisallowedHost (a 400) when the Host header's port cannot exist.

    Reads the header Django's ``get_host()`` reads, without its ALLOWED_HOSTS check
    (which still runs wherever the host is used): this runs on every request, page-cache
    hits included, and a host without a port needs no more than one lookup.
    """
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in request.META:
        host = request.META["HTTP_X_FORWARDED_HOST"]
    else:
        host = request.META.get("HTTP_HOST", "")
    if ":" not in host or host.endswith("]"):  # no port, or a bare IPv6 literal
        return
    port = host.rpartition(":")[2]
    # At most five digits before int(): it refuses 4,301 and more with a ValueError.
    if port and not (
        port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) < 65536
    ):
        raise DisallowedHost(f"Invalid port in HTTP_HOST header: {port[:20]!r}.")


def not_allowed(allowed):
    response = HttpResponseNotAllowed(allowed)
    # Nothing to cache or revalidate: the answer is the same whatever the page.
    response["Cache-Control"] = "no-store"
    return response


class AllowedRequestMiddleware:
    """Early in the chain, so a refused request costs no session, cache or database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        check_host_port(request)
        if request.method not in READ_AND_POST:
            try:
                view_func = resolve(request.path_info).func
            except Resolver404:
                return not_allowed(READ)
            return not_allowed(allowed_methods(request.path, view_func))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        allowed = allowed_methods(request.path, view_func)
        if request.method not in allowed:
            return not_allowed(allowed)
        return None
