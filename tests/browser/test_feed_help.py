"""Following a list by RSS in a real browser: the list's "RSS feed" link opens a page a
person can read (not raw XML, and no XSLT, which browsers are removing), with the
addresses to copy into a feed reader and a working copy button; axe-core finds nothing
at a laptop's and a phone's size."""

import pytest

from tests.browser.conftest import assert_no_violations
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def reports():
    ArticleFactory(kind="report", title="Facing walls at the border", regions=["mx"])
    ArticleFactory(title="A release on France", regions=["fr"])


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])
def test_following_a_list_by_rss(page, axe, live_server, reports, viewport):
    # As a person's browser allows a page after a click on its button.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size(viewport)
    page.goto("/news/?type=report&region=americas")
    page.get_by_role("link", name="RSS feed of this list").click()
    page.wait_for_url("**/news/feed/about/?type=report&region=americas")

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Follow “Report, Americas” in a feed reader"
    )
    assert page.get_by_role("heading", name="What is a feed reader?").is_visible()

    # The address in the field is the feed of this list, and a reader gets RSS there.
    rss = page.get_by_label("RSS", exact=True)
    address = rss.input_value()
    assert address == f"{live_server.url}/news/feed/?type=report&region=americas"
    feed = page.request.get(address)
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert "Facing walls at the border" in feed.text()
    assert "A release on France" not in feed.text()
    assert page.get_by_label("Atom").input_value().startswith(f"{live_server.url}/news/feed/atom/")

    # Copy: the button shows (the Clipboard API is there) and puts the address there.
    button = page.get_by_role("button", name="Copy the RSS address")
    assert button.is_visible()
    button.click()
    status = page.get_by_role("status").filter(has_text="copied")
    assert status.inner_text() == "RSS address copied. Paste it into your feed reader."
    assert page.evaluate("navigator.clipboard.readText()") == address

    alerts = page.get_by_role("link", name="Get e-mail alerts for this list")
    assert alerts.get_attribute("href") == "/press/alerts/?type=report&region=americas"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_no_violations(axe, f"the feed help page at {viewport['width']} px")

    page.get_by_role("link", name="Back to the list").click()
    page.wait_for_url("**/news/?type=report&region=americas")


def test_the_footer_and_corrections_lead_to_a_page_too(page, axe):
    page.goto("/news/")
    page.get_by_role("contentinfo").get_by_role("link", name="RSS feed").click()
    page.wait_for_url("**/news/feed/about/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Follow the newsroom in a feed reader"
    )
    page.goto("/news/corrections/")
    page.get_by_role("link", name="RSS", exact=True).click()
    page.wait_for_url("**/news/corrections/feed/about/")
    assert page.get_by_label("RSS", exact=True).input_value().endswith("/news/corrections/feed/")
    assert_no_violations(axe, "the corrections feed help page")
