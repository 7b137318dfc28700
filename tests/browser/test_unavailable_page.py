"""The page a visitor sees while the database is down: readable, styled, and without
accessibility problems at a laptop's and a phone's size (axe-core)."""

import pytest
from django.test import RequestFactory

from core.outage import unavailable_response
from tests.browser.conftest import assert_no_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_unavailable_page(page, axe, live_server, method, width, height):
    request = getattr(RequestFactory(), method)("/press/alerts/")
    response = unavailable_response(request).render()
    # The page as the app answers it; its stylesheet from the running site.
    page.route(
        "**/press/alerts/",
        lambda route: route.fulfill(
            status=503, body=response.content, content_type="text/html; charset=utf-8"
        ),
    )
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/press/alerts/")

    assert page.get_by_role("heading", level=1).inner_text() == (
        "This page is briefly unavailable"
    )
    said_not_saved = page.get_by_text("not saved").count() > 0
    assert said_not_saved is (method == "post")
    # The site's stylesheet applied: the header is laid out, not raw HTML.
    assert page.locator(".site-header").evaluate("el => getComputedStyle(el).display") != "inline"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    assert_no_violations(axe, f"the unavailable page ({method}, {width}px)")
