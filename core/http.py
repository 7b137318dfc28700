"""What a request may be before any view sees it: its method, its Host and its charset.

- **Methods.** Public pages are read with GET and HEAD; POST is taken only where a form
  lives (a class-based view with a ``post`` method, a function view marked with
  ``accepts_post``, and the admin). Everything else (OPTIONS, TRACE, PUT, DELETE, …) is
  answered 405 with an ``Allow`` header and an empty body, so no page is rendered, cached
  or echoed for a method nobody should use.
- **Host.** Django checks the host name against ALLOWED_HOSTS but not the port, and
  absolute URLs (feeds, sitemap, canonical and Open Graph links) are built from the
  Host header: ``Host: 127.0.0.1:99999`` would land in them. A port that cannot exist is
  answered 400, as Django answers a host it does not serve.
- **Charset.** Django reads the query string and a form's body in the charset the
  Content-Type names, so a charset must read the ASCII they are made of as that ASCII,
  with undecodable bytes replaced as Django does: one Python does not know, one that is
  not a text encoding ("hex", "zlib": a LookupError) or not ASCII-compatible ("utf-16",
  "punycode": UnicodeErrors) is a 400. A form (``application/x-www-form-urlencoded``)
  must be UTF-8, as Django requires (its refusal reads the form again in the 400 page's
  CSRF check and ends in a 500), and a form its declared UTF-8 cannot decode is a 400
  too. No charset, or UTF-8 by any of its names, is read as before. Django reads the
  query string while it builds the request, before any middleware, and fails there on
  an unreadable charset or a Content-Type it cannot parse: ``refuse_unreadable_requests``
  answers those 400 in front of it (``newsroom/wsgi.py``).
"""

import codecs
import logging

from django.conf import settings
from django.core.exceptions import BadRequest, DisallowedHost
from django.http import HttpResponseNotAllowed, QueryDict
from django.urls import Resolver404, resolve
from django.utils.http import parse_header_parameters

logger = logging.getLogger("django.request")

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
    (which still runs wherever the host is used): this runs on every request, and a host
    without a port needs no more than one lookup.
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


FORM = "application/x-www-form-urlencoded"
# Printable ASCII, and an escape the "unicode_escape" codecs would take for one of theirs.
ASCII_SAMPLE = bytes(byte for byte in range(0x20, 0x7F) if byte != ord("\\")) + b"\\u"


def readable_charset(charset) -> bool:
    """Whether Django can read a query string or form in ``charset``."""
    try:
        return ASCII_SAMPLE.decode(charset, "replace") == ASCII_SAMPLE.decode("ascii")
    except (LookupError, UnicodeError):
        return False


def check_charset(request):
    """Raise BadRequest (a 400) when the request declares a charset it cannot be read in.

    Reads the body only of a form that declares a charset (a form without one is read as
    UTF-8 by Django, with its usual leniency).
    """
    charset = request.content_params.get("charset")
    if charset is None:
        return
    if not readable_charset(charset):
        _refuse(request, "The request's charset cannot be read.")
    if request.method != "POST" or request.content_type != FORM:
        return
    if codecs.lookup(charset).name != "utf-8":
        _refuse(request, "A form must be sent in UTF-8.")
    # "utf8", "UTF_8": Django's form parser takes only the name "utf-8".
    request.encoding = "utf-8"
    if not _is_utf8(request.body):
        _refuse(request, "The form is not the UTF-8 it says it is.")


def _is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def unreadable(environ) -> str | None:
    """Why Django could not build a request from the WSGI ``environ``, or None."""
    try:
        params = parse_header_parameters(environ.get("CONTENT_TYPE", ""))[1]
    except ValueError:
        return "The Content-Type header cannot be parsed."
    charset = params.get("charset")
    if charset is not None and not readable_charset(charset):
        return "The request's charset cannot be read."
    return None


def refuse_unreadable_requests(application):
    """Wrap a WSGI ``application`` so that a request Django would fail to build (see
    the module docstring) is answered 400 before it, like a malformed request."""

    def serve(environ, start_response):
        reason = unreadable(environ)
        if reason is None:
            return application(environ, start_response)
        logger.warning("Bad Request: %s %s", environ.get("PATH_INFO", ""), reason)
        body = f"Bad Request: {reason}\n".encode()
        start_response(
            "400 Bad Request",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [body]

    return serve


def _refuse(request, reason):
    # The 400 page is rendered behind a CSRF check that reads request.POST: read in the
    # declared charset, the form would raise again and turn the 400 into a 500.
    request.encoding = None
    request.POST = QueryDict()
    raise BadRequest(reason)


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
        check_charset(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        allowed = allowed_methods(request.path, view_func)
        if request.method not in allowed:
            return not_allowed(allowed)
        return None
