"""Page-cache hits answered before Django's handler (``core.cache.serve_page_cache_hits``).

Each test runs the real WSGI stack (the wrapper around Django's handler with the whole
middleware chain) and records whether Django was reached, so "answered early" and
"left to Django" are both checked, not assumed.
"""

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import RequestFactory

from core.cache import serve_page_cache_hits
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


class Stack:
    """The production WSGI application, counting the requests that reached Django."""

    def __init__(self):
        django = get_wsgi_application()
        self.reached_django = 0

        def counted(environ, start_response):
            self.reached_django += 1
            return django(environ, start_response)

        self.application = serve_page_cache_hits(counted)

    def get(self, path, *, method="GET", secure=False, **headers):
        environ = RequestFactory().generic(method, path, secure=secure, headers=headers).environ
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

    def hit_answered_early(self, path, **kwargs):
        """Request ``path``; True if the cache answered it without reaching Django."""
        before = self.reached_django
        answer = self.get(path, **kwargs)
        return answer["headers"].get("X-Page-Cache") == "HIT" and before == self.reached_django


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's handler closes old database connections when a request starts and ends,
    which would close the test's transaction on PostgreSQL; the test client disconnects
    that handler the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.SECURE_HSTS_SECONDS = 3600
    return settings


@pytest.fixture
def stack(page_cache_on):
    ArticleFactory(title="Detained lawyers released")
    return Stack()


def test_a_hit_is_answered_before_django_with_the_stored_bytes_and_headers(stack):
    miss = stack.get("/news/", secure=True)
    assert miss["headers"]["X-Page-Cache"] == "MISS"
    assert stack.reached_django == 1

    hit = stack.get("/news/", secure=True)
    assert stack.reached_django == 1
    assert hit["status"] == 200
    assert hit["headers"]["X-Page-Cache"] == "HIT"
    assert hit["body"] == miss["body"]
    assert b"Detained lawyers released" in hit["body"]
    for header in (
        "Content-Type",
        "Content-Length",
        "ETag",
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
    ):
        assert hit["headers"][header] == miss["headers"][header], header
    assert hit["headers"]["Cache-Control"].startswith("public, max-age=0, must-revalidate")


def test_the_early_hit_has_the_headers_of_a_hit_through_the_middleware(stack, client):
    stack.get("/news/", secure=True)
    through_middleware = client.get("/news/", secure=True)
    assert through_middleware["X-Page-Cache"] == "HIT"
    early = stack.get("/news/", secure=True)
    assert stack.reached_django == 1
    assert early["headers"] == dict(through_middleware.items())
    assert early["body"] == through_middleware.content


def test_the_early_hit_uses_the_canonical_key(stack):
    stack.get("/news/?type=report&region=mx")
    assert stack.hit_answered_early("/news/?region=mx&type=report&utm_source=x")
    assert stack.hit_answered_early("/news/?type=report&region=mx&page=1")
    assert not stack.hit_answered_early("/news/?type=report")


def test_a_content_change_is_never_answered_from_the_old_page(
    stack, django_capture_on_commit_callbacks
):
    stack.get("/news/")
    assert stack.hit_answered_early("/news/")
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="A new statement")
    answer = stack.get("/news/")
    assert answer["headers"]["X-Page-Cache"] == "MISS"
    assert b"A new statement" in answer["body"]


def test_a_logged_in_editor_is_never_given_the_public_page(stack, client):
    stack.get("/news/")
    editor = UserFactory(is_staff=True)
    client.force_login(editor)
    session = client.cookies["sessionid"].value

    before = stack.reached_django
    answer = stack.get("/news/", cookie=f"sessionid={session}")
    assert stack.reached_django == before + 1
    assert "X-Page-Cache" not in answer["headers"]
    assert answer["headers"]["Cache-Control"] == "private, no-store"


def test_pending_messages_are_never_answered_from_the_cache(stack):
    stack.get("/news/")
    before = stack.reached_django
    answer = stack.get("/news/", cookie="messages=pending")
    assert stack.reached_django == before + 1
    assert answer["headers"].get("X-Page-Cache") != "HIT"


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("HEAD", {}),
        ("POST", {}),
        ("GET", {"if-none-match": '"anything"'}),
        ("GET", {"if-modified-since": "Thu, 01 Jan 2026 00:00:00 GMT"}),
    ],
)
def test_other_methods_and_conditional_requests_are_left_to_django(stack, method, headers):
    stack.get("/news/")
    before = stack.reached_django
    stack.get("/news/", method=method, **headers)
    assert stack.reached_django == before + 1


def test_a_revalidation_still_gets_its_304_from_django(stack):
    etag = stack.get("/news/")["headers"]["ETag"]
    answer = stack.get("/news/", if_none_match=etag)
    assert answer["status"] == 304
    assert answer["body"] == b""


@pytest.mark.parametrize(
    ("host", "status"), [("attacker.example", 400), ("testserver:99999", 400)]
)
def test_a_host_django_refuses_is_refused_as_before(stack, host, status):
    stack.get("/news/")
    answer = stack.get("/news/", host=host)
    assert answer["status"] == status
    assert "X-Page-Cache" not in answer["headers"]


def test_an_https_redirect_is_not_skipped(stack, page_cache_on):
    stack.get("/news/")
    page_cache_on.SECURE_SSL_REDIRECT = True
    stack = Stack()  # SecurityMiddleware reads the setting when built
    answer = stack.get("/news/")
    assert answer["status"] == 301
    assert answer["headers"]["Location"] == "https://testserver/news/"


def test_only_a_trusted_proxy_may_say_the_request_was_https(stack, page_cache_on):
    page_cache_on.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    page_cache_on.TRUSTED_PROXIES = ["10.0.0.0/8"]
    stack.get("/news/", secure=True, host="testserver")
    page_cache_on.SECURE_SSL_REDIRECT = True
    stack = Stack()

    def get(remote_addr):
        environ_extra = {"x-forwarded-proto": "https", "host": "testserver"}
        answer = {}
        environ = RequestFactory().get("/news/", headers=environ_extra).environ
        environ["REMOTE_ADDR"] = remote_addr
        answer_body = stack.application(
            environ,
            lambda status, headers, exc_info=None: answer.update(
                status=int(status.split()[0]), headers=dict(headers)
            ),
        )
        b"".join(answer_body)
        if hasattr(answer_body, "close"):
            answer_body.close()
        return answer

    trusted = get("10.1.2.3")
    assert (trusted["status"], trusted["headers"]["X-Page-Cache"]) == (200, "HIT")
    assert stack.reached_django == 0
    spoofed = get("203.0.113.9")
    assert spoofed["status"] == 301
    assert stack.reached_django == 1


@pytest.mark.parametrize("path", ["/admin/", "/press/inquiry/", "/no-such-page/"])
def test_private_and_unknown_paths_go_to_django(stack, page_cache_on, path):
    page_cache_on.ADMIN_URL = "admin/"
    stack.get(path)
    before = stack.reached_django
    stack.get(path)
    assert stack.reached_django == before + 1


def test_with_the_page_cache_off_everything_goes_to_django(stack, page_cache_on):
    stack.get("/news/")
    page_cache_on.PAGE_CACHE = False
    before = stack.reached_django
    answer = stack.get("/news/")
    assert stack.reached_django == before + 1
    assert "X-Page-Cache" not in answer["headers"]
