"""The public site in a real browser: browse, filter, paginate, read; keyboard and axe-core.

Each test gets a fresh page on the same headless Chromium. Data is built with the
factories; the live server runs in this process, so the database is shared through
transactions (``transaction=True``) and the migrations' regions and roles are restored
for every test (``serialized_rollback=True``).
"""

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.models import Article
from media_library.services import photo_create
from tests.browser.conftest import format_violations
from tests.factories import ArticleFactory, DocumentFactory, SpokespersonFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PRESS_RELEASES = 20
REPORTS_IN_MEXICO = 3


@pytest.fixture
def newsroom():
    """23 live articles (3 of them reports on Mexico), a draft, and one full article."""
    photo = photo_create(
        file=image_upload("crowd.jpg", width=1280, height=720),
        alt_text="A crowd marches with placards",
        caption="Thousands marched in the capital.",
        credit="Photo by Jane Doe / Agency",
    )
    now = timezone.now()
    for n in range(PRESS_RELEASES):
        ArticleFactory(
            title=f"Press release number {n}",
            published_at=now - timedelta(days=n + 10),
            hero_photo=photo if n % 3 == 0 else None,
            regions=["fr"],
            topics=["Freedom of expression"],
        )
    reports = [
        ArticleFactory(
            kind=Article.Kind.REPORT,
            title=f"Report on asylum in Mexico {n}",
            published_at=now - timedelta(days=n + 1),
            hero_photo=photo,
            regions=["mx"],
            topics=["Refugees and migrants"],
        )
        for n in range(REPORTS_IN_MEXICO)
    ]
    ArticleFactory(title="An unpublished draft", draft=True, regions=["mx"])
    featured = reports[0]
    featured.body = (
        "<h2>Findings</h2><p>Read the <a href='https://example.org/law'>law</a>.</p>"
        "<blockquote><p>We fled for our lives.</p></blockquote>"
    )
    featured.substantively_updated_at = now
    featured.save()
    featured.attachments.set([DocumentFactory(title="Full report", file_size=2_411_725)])
    featured.spokespeople.set([SpokespersonFactory(name="Erika Guevara", role="Director")])
    featured.related.set([reports[2]])
    return {"featured": featured, "reports": reports}


def cards(page):
    return page.locator(".cards > .card")


def assert_no_violations(page, axe, label):
    violations = axe()
    assert not violations, f"axe found problems on {label}:\n{format_violations(violations)}"


def test_browse_paginate_filter_and_read(page, newsroom):
    page.goto("/news/")
    assert page.locator("h1").inner_text() == "Newsroom"
    assert cards(page).count() == 20
    assert "23 results" in page.locator(".result-count").inner_text()

    page.locator(".pagination a[rel=next]").click()
    page.wait_for_url("**/news/?*page=2*")
    assert cards(page).count() == PRESS_RELEASES + REPORTS_IN_MEXICO - 20
    assert "page 2 of 2" in page.locator(".result-count").inner_text()

    page.goto("/news/")
    form = page.locator(".filters form")
    form.locator("input[name=type][value=report]").check()
    # Region, topic and dates are behind "More filters".
    assert not form.locator("select[name=region]").is_visible()
    form.locator(".filter-more > summary").click()
    form.locator("select[name=region]").select_option("mx")
    form.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/news/?*type=report*")
    assert "region=mx" in page.url
    assert cards(page).count() == REPORTS_IN_MEXICO
    assert {kind.strip() for kind in page.locator(".card__kind").all_text_contents()} == {"Report"}
    titles = page.locator(".card__title a").all_inner_texts()
    assert all(title.startswith("Report on asylum in Mexico") for title in titles)
    assert "An unpublished draft" not in page.content()

    page.locator(".card__title a").first.click()
    featured = newsroom["featured"]
    page.wait_for_url(f"**{featured.get_absolute_url()}")
    assert page.locator("h1").inner_text() == featured.title
    assert page.locator("figure figcaption").inner_text().startswith("Thousands marched")
    download = page.locator(".download__link")
    assert " ".join(download.inner_text().split()) == "Download the full report (PDF, 2.3 MB)"
    page.get_by_role("link", name="Mexico", exact=True).click()
    page.wait_for_url("**/news/?region=mx")
    assert cards(page).count() == REPORTS_IN_MEXICO


@pytest.mark.parametrize(
    ("label", "path"),
    [
        ("the newsroom list", "/news/"),
        ("a filtered list", "/news/?type=report&region=mx&topic=refugees-and-migrants"),
        ("an empty result", "/news/?q=nothing-matches-this"),
        ("the second page", "/news/?page=2"),
        ("the home page", "/"),
        ("the 404 page", "/news/no-such-article/"),
    ],
)
def test_pages_have_no_accessibility_violations(page, axe, newsroom, label, path):
    page.goto(path)
    assert_no_violations(page, axe, label)


def test_article_has_no_accessibility_violations(page, axe, newsroom):
    page.goto(newsroom["featured"].get_absolute_url())
    assert page.locator("h1").count() == 1
    assert_no_violations(page, axe, "an article")


def test_article_on_a_phone_fits_the_screen(browser, live_server, axe_source, newsroom):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    phone = context.new_page()
    try:
        for path in (newsroom["featured"].get_absolute_url(), "/news/"):
            phone.goto(path)
            overflow = phone.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px wide"
    finally:
        context.close()


def test_inquiry_form_has_no_accessibility_violations(page, axe):
    try:
        path = reverse("press:inquiry")
    except NoReverseMatch:
        pytest.skip("The media inquiry form (/press/inquiry/) does not exist yet.")
    response = page.goto(path)
    if response.status == 404:
        pytest.skip("The media inquiry form (/press/inquiry/) answers 404.")
    assert_no_violations(page, axe, "the media inquiry form")
    # The same form showing its errors must be accessible too.
    submit = page.locator("main form [type=submit]").first
    page.locator("main form").first.evaluate("form => form.setAttribute('novalidate', '')")
    submit.click()
    page.wait_for_load_state()
    assert_no_violations(page, axe, "the media inquiry form with errors")


FOCUS_STATE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        name: el.getAttribute('name'),
        inFilters: !!el.closest('.filters'),
        firstCardLink: el === document.querySelector('.cards .card a'),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none',
        text: (el.innerText || el.value || '').trim().slice(0, 40),
    };
}"""


def test_keyboard_reaches_filters_and_cards_with_visible_focus(page, newsroom):
    # With a region set, "More filters" is open and its fields are in the tab order.
    page.goto("/news/?region=fr")
    reached_filters = set()
    reached_first_card = False
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        assert state["tag"] != "body", "focus fell back to the page body"
        assert state["outline"] or state["shadow"], f"no visible focus on {state}"
        if state["inFilters"] and state["name"]:
            reached_filters.add(state["name"])
        if state["firstCardLink"]:
            reached_first_card = True
            break
    assert {"q", "type", "region", "topic"} <= reached_filters
    assert reached_first_card, "Tab never reached the first card's link"


def test_skip_link_moves_to_the_main_content(page, newsroom):
    page.goto(newsroom["featured"].get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.evaluate("() => document.activeElement.textContent.trim()")
    assert skip == "Skip to main content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0, "skip link stays off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_pages_keep_to_the_content_security_policy(browser, live_server, newsroom):
    """No inline script or style slipped into a template: the real CSP is enforced here."""
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    tab = context.new_page()
    try:
        for path in (newsroom["featured"].get_absolute_url(), "/news/?type=report", "/"):
            response = tab.goto(path)
            assert response.ok, path
            assert "content-security-policy" in response.headers, path
            assert tab.evaluate("() => window.__cspViolations") == [], path
    finally:
        context.close()
