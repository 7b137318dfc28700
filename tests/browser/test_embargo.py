"""The embargo page in a real browser: the banner, the watermark, working images and
downloads, no accessibility violations, and the real Content-Security-Policy."""

import pytest

from tests.browser.conftest import format_violations
from tests.embargo.conftest import SECRET_TITLE, make_embargoed, share

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def token():
    # Committed for real here: its media are withheld as in production.
    return share(make_embargoed(), "reporter@example.com")[0]


def test_the_embargo_page_reads_well_and_passes_axe(page, axe, token):
    response = page.goto(f"/embargo/{token}/")
    assert response.ok
    assert response.headers["x-robots-tag"] == "noindex, noarchive"

    banner = page.locator(".embargo-banner")
    assert banner.is_visible()
    assert "Embargoed until" in banner.inner_text()
    assert "not for publication before then" in banner.inner_text()
    assert page.locator("h1").inner_text() == SECRET_TITLE

    hero = page.locator(".article__hero img")
    hero.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.article__hero img').naturalWidth > 0")
    watermark = page.evaluate(
        "() => getComputedStyle(document.querySelector('.article__hero picture'), '::after')"
        ".content"
    )
    assert "EMBARGOED" in watermark

    pdf = page.locator(".download__link").first
    href = pdf.get_attribute("href")
    assert href.startswith(f"/embargo/{token}/file/document/")
    download = page.request.get(href)
    assert download.ok
    assert download.body().startswith(b"%PDF")

    violations = axe()
    assert not violations, f"axe found problems:\n{format_violations(violations)}"


def test_the_embargo_page_fits_a_phone_and_keeps_to_the_csp(browser, live_server, token):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    phone = context.new_page()
    try:
        response = phone.goto(f"/embargo/{token}/")
        assert response.ok
        assert "content-security-policy" in response.headers
        overflow = phone.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the embargo page scrolls sideways by {overflow}px"
        assert phone.evaluate("() => window.__cspViolations") == []
    finally:
        context.close()
