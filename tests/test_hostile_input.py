"""Odd input on the public side and in the request plumbing: never a 500.

Each case was found by a hostile run against production settings (gunicorn, Redis).
Page numbers, paths, Host ports and form charsets are checked through the test client,
and where the WSGI wrapper answers before Django (``core.http.refuse_unreadable_requests``)
through the real WSGI stack, on a real Redis too.
"""

from urllib.parse import unquote_to_bytes, urlencode, urlsplit

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client, RequestFactory

from core.http import refuse_unreadable_requests
from tests.factories import ArticleFactory
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

# --- page numbers ---------------------------------------------------------------------

# int() takes all of these (or fails on them with ValueError, "²" and "①" because
# str.isdigit() says yes): a page number is ASCII digits, or "last".
NOT_PAGE_NUMBERS = [
    "²",
    "①",
    "\u0662",  # ARABIC-INDIC DIGIT TWO: int() reads it as 2
    "\uff12",  # FULLWIDTH DIGIT TWO
    "\u0967",  # DEVANAGARI DIGIT ONE
    " 2",
    "2 ",
    "+2",
    "1_0",
    "2.0",
    "-1",
    "0x2",
    "2\x00",
    "9" * 5000,
    "0" * 4999 + "1",
]


@pytest.fixture
def two_pages():
    ArticleFactory.create_batch(21)


@pytest.mark.parametrize("page", NOT_PAGE_NUMBERS)
def test_a_page_that_is_not_ascii_digits_is_not_found(client, two_pages, page):
    response = client.get("/news/", {"page": page})

    assert response.status_code == 404


@pytest.mark.parametrize("page", ["2", "02", "last", ""])
def test_real_page_numbers_still_work(client, two_pages, page):
    response = client.get("/news/", {"page": page})

    assert response.status_code == 200


def test_a_page_beyond_the_last_is_not_found(client, two_pages):
    assert client.get("/news/", {"page": "3"}).status_code == 404
    assert client.get("/news/", {"page": "9" * 40}).status_code == 404


def test_refusing_a_page_number_costs_no_list_query(
    client, two_pages, django_assert_max_num_queries
):
    client.get("/news/")  # the site settings are cached
    with django_assert_max_num_queries(0):
        assert client.get("/news/", {"page": "²"}).status_code == 404


# Superscript one, Arabic-Indic one, fullwidth one: int() reads the last two as 1.
@pytest.mark.parametrize("page", ["\u00b9", "\u0661", "\uff11", "1 ", "9" * 5000])
def test_the_corrections_page_takes_ascii_digits_only(client, page):
    assert client.get("/news/corrections/").status_code == 200
    assert client.get("/news/corrections/", {"page": page}).status_code == 404


# Superscript one, Arabic-Indic one, fullwidth one: int() reads the last two as 1.
@pytest.mark.parametrize("page", ["\u00b9", "\u0661", "\uff11", "1 ", "9" * 5000])
def test_the_sitemap_takes_ascii_digits_only(client, page):
    ArticleFactory()
    assert client.get("/sitemap.xml", {"p": "1"}).status_code == 200
    assert client.get("/sitemap.xml", {"p": page}).status_code == 404


# --- Host ports -----------------------------------------------------------------------

HUGE_PORT = "127.0.0.1:" + "9" * 5000


@pytest.mark.parametrize("path", ["/healthz", "/", "/news/", "/press/inquiry/", "/no-such-page/"])
@pytest.mark.parametrize("port", ["9" * 5000, "0" * 4999 + "1", "000080", "9" * 20])
def test_a_port_no_host_can_have_is_a_bad_request(client, path, port):
    response = client.get(path, HTTP_HOST=f"127.0.0.1:{port}")

    assert response.status_code == 400
    assert port.encode() not in response.content


# --- form charsets --------------------------------------------------------------------

FORMS = {
    "/press/inquiry/": inquiry_data(),
    "/press/alerts/": {"email": "jane@example.com", "frequency": "instant"},
    "/admin/login/": {"username": "nobody", "password": "wrong"},
}


def post_form(path, *, charset, body=None, fields=None):
    """POST the form at ``path`` as a browser would, with its CSRF token (so CSRF
    checks run as in production), declaring ``charset`` and sending ``body`` or the
    fields encoded in it."""
    client = Client(enforce_csrf_checks=True)
    client.get(path)
    token = client.cookies["csrftoken"].value
    if body is None:
        fields = {**(fields or FORMS[path]), "csrfmiddlewaretoken": token, "x": "é 日"}
        body = urlencode(fields).encode(charset if charset else "utf-8")
    content_type = "application/x-www-form-urlencoded"
    if charset is not None:
        content_type += f"; charset={charset}"
    # generic(): post() would re-encode the body in the declared charset.
    return client.generic("POST", path, body, content_type=content_type)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(
    "charset",
    [
        "utf-16",  # what the hostile run sent
        "utf-32",
        "utf-16-le",
        "latin-1",
        "cp500",  # EBCDIC
        "punycode",
        "no-such-charset",
        "hex",  # codecs.lookup() knows these, but they are not text encodings
        "rot13",
        "zlib",
    ],
)
def test_a_form_in_a_charset_other_than_utf8_is_a_bad_request(path, charset):
    try:
        encoded = "x=1".encode(charset)
    except LookupError:
        encoded = b"x=1"
    response = post_form(path, charset=charset, body=encoded)

    assert response.status_code == 400


@pytest.mark.parametrize("path", FORMS)
def test_a_body_that_its_declared_charset_cannot_decode_is_a_bad_request(path):
    response = post_form(path, charset="utf-8", body=b"name=\xff\xfe&email=\xc3")

    assert response.status_code == 400


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("charset", [None, "utf-8", "UTF-8", "utf8", '"utf-8"'])
def test_utf8_forms_and_forms_with_no_charset_still_work(path, charset):
    response = post_form(path, charset=charset)

    assert response.status_code in (200, 302, 303)


def test_an_inquiry_sent_in_utf8_with_a_charset_is_stored(django_capture_on_commit_callbacks):
    from press.models import MediaInquiry

    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            "/press/inquiry/", charset="utf8", fields=inquiry_data(name="Zoë Ngọc 日")
        )

    assert response.status_code == 303
    assert MediaInquiry.objects.get().name == "Zoë Ngọc 日"


@pytest.mark.parametrize("charset", ["hex", "rot13", "no-such-charset", "utf-16"])
def test_a_body_in_a_charset_that_cannot_be_read_is_a_bad_request(client, charset):
    response = client.generic(
        "POST", "/press/inquiry/", b"\x00x", content_type=f"text/plain; charset={charset}"
    )

    assert response.status_code == 400


# --- paths outside Latin-1, and everything through the real WSGI stack ---------------

NON_LATIN_1_PATHS = [
    "/news/%E6%97%A5/",
    "/static/%F0%9F%92%A9.css",
    "/%E6%97%A5",
    "/news/feed/%F0%9F%92%A9",
    "/press/%D0%96/",
]


@pytest.mark.parametrize("path", NON_LATIN_1_PATHS)
def test_a_path_outside_latin1_is_not_found_through_the_client(client, path):
    for method in ("GET", "HEAD", "POST"):
        assert client.generic(method, path).status_code == 404, method
    for method in ("PUT", "DELETE", "OPTIONS"):  # refused on any path, as documented
        assert client.generic(method, path).status_code == 405, method


class Stack:
    """The production WSGI application (``newsroom.wsgi``: the wrapper refusing what
    Django cannot read, around Django's handler),
    recording the ``PATH_INFO`` each request reached Django with."""

    def __init__(self):
        django = get_wsgi_application()
        self.paths_reaching_django = []

        def recorded(environ, start_response):
            self.paths_reaching_django.append(environ["PATH_INFO"])
            return django(environ, start_response)

        self.application = refuse_unreadable_requests(recorded)

    def request(self, method, path, *, body=b"", content_type="", **headers):
        environ = (
            RequestFactory()
            .generic(method, path, body, content_type=content_type, headers=headers)
            .environ
        )
        # What a WSGI server passes (PEP 3333): the path's bytes as Latin-1. Building
        # the factory's request has put a decoded path in its place.
        environ["PATH_INFO"] = unquote_to_bytes(urlsplit(path).path).decode("iso-8859-1")
        if content_type:  # the factory sets it only with a body
            environ["CONTENT_TYPE"] = content_type
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(response_headers)

        body = self.application(environ, start_response)
        try:
            answer["body"] = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        return answer


@pytest.fixture
def _keep_the_test_connection():
    """Django's handler closes old connections as a request starts and ends, which
    would end the test's transaction; the test client disconnects it the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def production(settings, tmp_path, _keep_the_test_connection):
    """Production's answers: no debug, WhiteNoise serving a collected static folder
    from its index (as with DEBUG off), security headers."""
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 3600
    settings.STATIC_ROOT = tmp_path / "static"
    (settings.STATIC_ROOT / "css").mkdir(parents=True)
    (settings.STATIC_ROOT / "css" / "site.css").write_text("body{}")
    settings.WHITENOISE_AUTOREFRESH = False
    return settings


@pytest.fixture
def stack_on_redis(redis_cache, production):
    ArticleFactory(title="Detained lawyers released")
    return Stack()


@pytest.fixture
def stack_on_files(production):
    ArticleFactory(title="Detained lawyers released")
    return Stack()


@pytest.fixture(params=["stack_on_redis", "stack_on_files"])
def stack(request):
    return request.getfixturevalue(request.param)


def test_the_stack_serves_pages_and_static_files(stack):
    assert stack.request("GET", "/news/")["status"] == 200
    again = stack.request("GET", "/news/")
    assert again["status"] == 200
    assert b"Detained lawyers released" in again["body"]
    assert stack.request("GET", "/static/css/site.css")["body"] == b"body{}"


@pytest.mark.parametrize("path", NON_LATIN_1_PATHS)
def test_a_path_outside_latin1_is_not_found_through_the_wsgi_stack(stack, path):
    stack.request("GET", path)  # a miss first, so a second GET could be a hit
    for method in ("GET", "GET", "HEAD", "POST"):
        assert stack.request(method, path)["status"] == 404, method
    for method in ("PUT", "DELETE", "OPTIONS"):
        assert stack.request(method, path)["status"] == 405, method


def test_django_is_handed_the_path_as_the_server_gave_it(stack_on_redis):
    """The WSGI wrapper reads the request before Django does; Django must still see the
    server's PATH_INFO (WSGI's bytes as Latin-1), not one decoded already."""
    stack_on_redis.request("GET", "/news/%C3%A9t%C3%A9/")

    assert stack_on_redis.paths_reaching_django == ["/news/\u00c3\u00a9t\u00c3\u00a9/"]


@pytest.mark.parametrize("path", ["/healthz", "/news/", "/"])
def test_a_huge_host_port_is_a_bad_request_through_the_wsgi_stack(stack, path):
    stack.request("GET", path)
    assert stack.request("GET", path, host=HUGE_PORT)["status"] == 400
    assert stack.request("HEAD", path, host=HUGE_PORT)["status"] == 400


UNREADABLE_CHARSETS = ["hex", "rot13", "no-such-charset", "utf-16", "punycode", "idna"]


@pytest.mark.parametrize("charset", UNREADABLE_CHARSETS)
def test_a_read_declaring_a_charset_its_query_cannot_be_read_in_is_a_bad_request(stack, charset):
    """Django decodes the query string in the declared charset while it builds the
    request, before any middleware could refuse it."""
    stack.request("GET", "/news/?q=asylum")
    answer = stack.request(
        "GET", "/news/?q=asylum%20%C3%A9", content_type=f"text/plain; charset={charset}"
    )

    assert answer["status"] == 400
    assert answer["headers"]["Cache-Control"] == "no-store"


@pytest.mark.parametrize("charset", ["utf-8", "latin-1", "windows-1252", "shift_jis"])
def test_a_read_declaring_an_ascii_compatible_charset_is_served(stack, charset):
    answer = stack.request("GET", "/news/?q=asylum", content_type=f"text/plain; charset={charset}")

    assert answer["status"] == 200


@pytest.mark.parametrize(
    "content_type",
    ["text/plain; charset*=no-such-charset''x", "text/plain; a=" + "x" * 10_000],
)
def test_a_content_type_django_cannot_parse_is_a_bad_request(stack, content_type):
    for method in ("GET", "POST"):
        assert stack.request(method, "/news/?q=a", content_type=content_type)["status"] == 400


def test_the_production_entry_point_refuses_what_django_cannot_read():
    from newsroom.wsgi import application

    environ = RequestFactory().get("/news/").environ
    environ |= {"QUERY_STRING": "q=a", "CONTENT_TYPE": "text/plain; charset=hex"}
    answer = {}
    body = application(environ, lambda status, headers: answer.update(status=status))

    assert answer["status"] == "400 Bad Request"
    assert b"".join(body).startswith(b"Bad Request")


def test_a_utf16_form_is_a_bad_request_through_the_wsgi_stack(stack):
    body = urlencode(inquiry_data()).encode("utf-16")
    answer = stack.request(
        "POST",
        "/press/inquiry/",
        body=body,
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )

    assert answer["status"] == 400
