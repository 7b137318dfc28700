"""The home page offers the visitor's language once, in that language, and never
redirects: the page is the same for everyone."""

import pytest

from tests.browser.conftest import axe_runner, format_violations
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("multilingual"),
]


@pytest.fixture
def visitor(browser, live_server, axe_source):
    """A Spanish-speaking visitor's browser."""
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,
        locale="es-ES",
        viewport={"width": 390, "height": 844},
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab, axe_runner(tab, axe_source)
    context.close()


def test_a_spanish_browser_is_offered_spanish_once(visitor):
    tab, axe = visitor
    ArticleFactory(title="Release the activists")

    response = tab.goto("/")

    assert response.url.endswith("/")  # never redirected
    offer = tab.locator(".language-offer:visible")
    assert offer.count() == 1
    assert offer.get_attribute("lang") == "es"
    assert "Esta sala de prensa también publica en su idioma" in offer.inner_text()
    assert offer.get_by_role("link", name="Español").get_attribute("href") == "/es/"
    violations = axe()
    assert not violations, format_violations(violations)

    tab.reload()
    assert tab.locator(".language-offer:visible").count() == 0  # asked once

    tab.goto("/es/")
    assert tab.locator(".language-offer:visible").count() == 0


def test_the_offer_is_dismissed_by_keyboard(visitor):
    tab, _axe = visitor
    tab.goto("/")
    dismiss = tab.get_by_role("button", name="No, gracias")
    dismiss.focus()
    tab.keyboard.press("Enter")

    assert tab.locator(".language-offer:visible").count() == 0


def test_a_visitor_reading_the_page_language_first_is_offered_nothing(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        tab = context.new_page()
        tab.goto("/")
        assert tab.locator(".language-offer:visible").count() == 0
        assert tab.locator(".language-offer").count() == 3  # es, fr, ar: all hidden
    finally:
        context.close()
