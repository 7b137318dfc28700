"""Odd input on the public side and in the request plumbing: never a 500.

Each case was found by a hostile run against production settings (gunicorn, Redis, the
page cache on). Page numbers, paths, Host ports and form charsets are checked through
the test client, and where the page cache answers before Django
(``core.cache.serve_page_cache_hits``) through the real WSGI stack on a real Redis.
"""

import pytest

from tests.factories import ArticleFactory

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
