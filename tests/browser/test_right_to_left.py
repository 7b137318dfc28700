"""Arabic pages in a real browser, at a phone's and a laptop's size: right to left
throughout, the first story above the fold, nothing wider than the screen, the language
switcher reachable from the keyboard, and nothing for axe-core to find.

Set SHOTS_DIR to keep a screenshot of each page looked at."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from media_library.services import photo_create
from tests.browser.conftest import assert_no_violations, axe_runner
from tests.factories import ArticleFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("multilingual"),
]

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])

TITLE = "السودان: يجب الإفراج فورًا عن الناشطين المحتجزين منذ الأسبوع الماضي"
SUMMARY = (
    "يجب على السلطات الإفراج فورًا ودون قيد أو شرط عن الناشطين الذين احتُجزوا بعد احتجاج سلمي. "
)
BODY = (
    "<p>احتُجز الناشطون بعد احتجاج سلمي في الخرطوم، ولم يُسمح لهم بالاتصال بمحامين.</p>"
    "<blockquote><p>«لم نفعل شيئًا سوى المطالبة بحقوقنا»، قالت إحدى المحتجزات.</p></blockquote>"
    "<h2>ما الذي يجب أن يحدث الآن</h2>"
    "<ul><li>الإفراج عن جميع المحتجزين.</li><li>التحقيق في سوء المعاملة.</li></ul>"
    "<table><tr><th>المدينة</th><th>عدد المحتجزين</th></tr>"
    "<tr><td>الخرطوم</td><td>٢٤</td></tr></table>"
)


@pytest.fixture
def arabic_newsroom():
    """Fourteen live Arabic articles, half with a photo, and one English one."""
    photo = photo_create(
        file=image_upload("crowd.jpg", width=1280, height=720),
        alt_text="حشد يسير حاملًا لافتات",
        credit="تصوير: جين دو / وكالة",
    )
    now = timezone.now()
    articles = [
        ArticleFactory(
            language="ar",
            slug=f"sudan-{n}",
            title=f"{TITLE} {n}",
            summary=SUMMARY * 2,
            body=BODY,
            published_at=now - timedelta(days=n + 1),
            hero_photo=photo if n % 2 == 0 else None,
            regions=["sd"],
        )
        for n in range(14)
    ]
    ArticleFactory(title="Release the activists")
    return articles[0]


@pytest.fixture
def at_size(browser, live_server, axe_source):
    contexts = []

    def open_page(viewport):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        return tab, axe_runner(tab, axe_source)

    yield open_page
    for context in contexts:
        context.close()


def keep_screenshot(tab, name):
    directory = os.environ.get("SHOTS_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def assert_right_to_left_and_in_the_screen(tab, viewport):
    assert tab.evaluate("document.documentElement.getAttribute('dir')") == "rtl"
    assert tab.evaluate("document.documentElement.lang") == "ar"
    assert tab.evaluate("getComputedStyle(document.body).direction") == "rtl"
    widths = tab.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= viewport["width"], f"the page is {widths[0]}px wide"
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


def assert_switcher_reached_by_tab(tab):
    tab.locator("body").focus()
    for _press in range(12):
        tab.keyboard.press("Tab")
        focused = tab.evaluate(
            "document.activeElement.closest('.language-switcher') ? "
            "document.activeElement.getAttribute('hreflang') : null"
        )
        if focused:
            break
    else:
        pytest.fail("twelve presses of Tab never reached the language switcher")
    assert focused == "en"  # the first of the site's languages
    outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused language has no visible focus"
    current = tab.locator(".language-switcher a[aria-current=true]")
    assert current.count() == 1
    assert current.get_attribute("hreflang") == "ar"


def x_of(tab, selector):
    box = tab.locator(selector).first.bounding_box()
    return box["x"], box["x"] + box["width"]


@SIZES
def test_the_arabic_list_reads_right_to_left(at_size, arabic_newsroom, viewport):
    tab, axe = at_size(viewport)
    tab.goto("/ar/news/")
    keep_screenshot(tab, f"ar-list-{viewport['width']}")

    assert_right_to_left_and_in_the_screen(tab, viewport)
    title = tab.locator(".cards > .card .card__title").first
    assert TITLE in title.inner_text()
    assert "Release the activists" not in tab.content()
    box = title.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], (
        f"the first card's title ends at y={box['y'] + box['height']:.0f}, "
        f"below the fold at {viewport['height']}"
    )
    # Mirrored: the site's name starts at the right, and the first card is on the
    # right of the second where they share a row.
    name_start, name_end = x_of(tab, ".site-name")
    assert viewport["width"] - name_end < name_start
    cards = tab.locator(".cards > .card")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    if round(first["y"]) == round(second["y"]):
        assert first["x"] > second["x"]
    # The site's mission, still in English here, reads left to right inside the Arabic
    # page, its full stop at its end.
    mission = tab.locator(".newsroom-head__mission")
    assert mission.evaluate("p => getComputedStyle(p).direction") == "ltr"
    assert_switcher_reached_by_tab(tab)
    assert_no_violations(axe, f"/ar/news/ at {viewport['width']}px")
    if viewport is PHONE:
        # The menu drops down under its button, which is at the left: inside the screen.
        tab.locator(".site-menu__button").click()
        menu = tab.locator(".site-nav").bounding_box()
        button = tab.locator(".site-menu__button").bounding_box()
        assert menu["x"] >= 0 and menu["x"] + menu["width"] <= viewport["width"]
        assert round(menu["x"]) == round(button["x"])
        keep_screenshot(tab, f"ar-list-{viewport['width']}-menu")
        assert_no_violations(axe, "/ar/news/ with its menu open on a phone")


@SIZES
def test_an_arabic_article_reads_right_to_left(at_size, arabic_newsroom, viewport):
    tab, axe = at_size(viewport)
    tab.goto(arabic_newsroom.get_absolute_url())
    keep_screenshot(tab, f"ar-article-{viewport['width']}")

    assert_right_to_left_and_in_the_screen(tab, viewport)
    heading = tab.locator("h1").first
    assert TITLE in heading.inner_text()
    box = heading.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"]
    # The quotation's rule is on its start side: the right.
    quote = tab.locator(".prose blockquote")
    assert quote.evaluate("q => getComputedStyle(q).borderRightWidth") == "4px"
    assert quote.evaluate("q => getComputedStyle(q).borderLeftWidth") == "0px"
    # Arabic text is never letter-spaced, and lines have room for its marks.
    assert tab.evaluate("getComputedStyle(document.querySelector('h1')).letterSpacing") in (
        "normal",
        "0px",
    )
    assert_switcher_reached_by_tab(tab)
    assert_no_violations(axe, f"an Arabic article at {viewport['width']}px")


@SIZES
def test_the_switcher_leads_to_the_same_page_in_another_language(
    at_size, arabic_newsroom, viewport
):
    tab, _axe = at_size(viewport)
    tab.goto("/ar/news/")
    tab.locator(".language-switcher a[hreflang=en]").click()

    tab.wait_for_url("**/news/")
    assert tab.evaluate("document.documentElement.getAttribute('dir')") == "ltr"
    assert "Release the activists" in tab.locator(".cards").inner_text()
    keep_screenshot(tab, f"en-list-{viewport['width']}")
