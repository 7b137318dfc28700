"""Methods and hosts: what a public path takes, and a Host that cannot exist."""

import pytest
from django.test import RequestFactory
from django.views.generic import FormView, TemplateView

from core.http import accepts_post, allowed_methods, check_host_port
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

READ_ONLY = ["/", "/news/", "/news/feed/", "/news/feed/atom/", "/sitemap.xml", "/robots.txt"]
READ_ONLY += ["/press/", "/healthz", "/news/corrections-that-do-not-exist/"]
REFUSED = ["OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "PROPFIND"]


@pytest.fixture
def article():
    return ArticleFactory(slug="facing-walls")


def send(client, method, path, **extra):
    return client.generic(method, path, **extra)


@pytest.mark.parametrize("method", REFUSED)
@pytest.mark.parametrize("path", [*READ_ONLY, "/news/facing-walls/", "/no-such-page/"])
def test_other_methods_are_refused_with_no_body(client, article, method, path):
    response = send(client, method, path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.content == b""


@pytest.mark.parametrize("method", REFUSED)
def test_the_form_and_the_admin_name_post_as_allowed(client, method):
    for path in ["/press/inquiry/", "/admin/", "/admin/login/"]:
        response = send(client, method, path)
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, POST"
        assert response.content == b""


@pytest.mark.parametrize("path", READ_ONLY)
def test_post_where_no_form_lives_is_refused(client, article, path):
    response = client.post(path, {"q": "x"})

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.content == b""


def test_refusing_costs_no_query(client, article, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert send(client, "OPTIONS", "/news/facing-walls/").status_code == 405
        assert client.post("/news/").status_code == 405


def test_refused_even_when_the_page_is_cached(client, article):
    assert client.get("/news/").status_code == 200
    assert client.get("/news/").status_code == 200

    response = send(client, "OPTIONS", "/news/")
    assert (response.status_code, response.content) == (405, b"")


@pytest.mark.parametrize("path", [*READ_ONLY, "/news/facing-walls/"])
def test_reading_still_works(client, article, path):
    assert client.get(path).status_code in (200, 404)
    assert client.head(path).status_code in (200, 404)


def test_the_admin_still_takes_its_forms(admin_client):
    response = admin_client.post("/admin/logout/")
    assert response.status_code == 200


class TestAllowedMethods:
    def view(self, cls):
        return cls.as_view()

    def test_class_based_views_with_a_post_method_take_posts(self):
        assert "POST" in allowed_methods("/x/", self.view(FormView))
        assert "POST" not in allowed_methods("/x/", self.view(TemplateView))

    def test_function_views_take_posts_only_when_marked(self):
        def view(request):
            raise AssertionError

        assert allowed_methods("/x/", view) == ("GET", "HEAD")
        assert allowed_methods("/x/", accepts_post(view)) == ("GET", "HEAD", "POST")

    def test_everything_under_the_admin_takes_posts(self, settings):
        settings.ADMIN_URL = "back-office/"
        assert "POST" in allowed_methods("/back-office/login/", lambda r: None)
        assert "POST" not in allowed_methods("/admin/login/", lambda r: None)


class TestHost:
    @pytest.mark.parametrize(
        "path", ["/", "/news/", "/news/facing-walls/", "/news/feed/", "/sitemap.xml"]
    )
    @pytest.mark.parametrize(
        "host", ["127.0.0.1:99999", "127.0.0.1:0", "localhost:65536", "[::1]:70000"]
    )
    def test_an_impossible_port_is_a_bad_request(self, client, article, path, host):
        response = client.get(path, HTTP_HOST=host)

        assert response.status_code == 400
        assert host.encode() not in response.content

    def test_a_real_port_is_kept(self, client, article):
        response = client.get("/news/facing-walls/", HTTP_HOST="127.0.0.1:8000")

        assert response.status_code == 200
        assert 'href="http://127.0.0.1:8000/news/facing-walls/"' in response.content.decode()

    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost:1", "[::1]", "[::1]:65535"])
    def test_possible_ports_and_ipv6_literals_are_served(self, client, host):
        assert client.get("/healthz", HTTP_HOST=host).status_code == 200

    def test_a_host_outside_allowed_hosts_is_still_refused(self, client):
        assert client.get("/", HTTP_HOST="evil.example").status_code == 400

    def test_checked_before_the_https_redirect(self, client, settings):
        settings.SECURE_SSL_REDIRECT = True
        response = client.get("/news/", HTTP_HOST="127.0.0.1:99999")
        assert response.status_code == 400
        assert "Location" not in response


def test_request_factory_requests_have_a_valid_default_host():
    """The check reads Host through Django's own parsing: no header means SERVER_NAME."""
    check_host_port(RequestFactory().get("/"))
