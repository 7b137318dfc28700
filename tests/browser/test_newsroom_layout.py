"""The public newsroom's layout in a real browser: news above the fold at a laptop's and
a phone's size, the filter panel folded on a phone, the fallback card, heroes never
upscaled, a one-row header; and axe-core on each of these states."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from media_library.services import photo_create
from tests.browser.conftest import format_violations
from tests.factories import ArticleFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def newsroom():
    """24 live articles, half with a photo; reports on Mexico; one with a small photo."""
    photo = photo_create(
        file=image_upload("crowd.jpg", width=1280, height=720),
        alt_text="A crowd marches with placards",
        credit="Photo by Jane Doe / Agency",
    )
    small = photo_create(
        file=image_upload("small.jpg", width=800, height=500), alt_text="A small photo"
    )
    now = timezone.now()
    articles = [
        ArticleFactory(
            title=f"Press release number {n}",
            summary="The authorities must release the activists detained last week. " * 3,
            published_at=now - timedelta(days=n + 5),
            hero_photo=photo if n % 2 == 0 else None,
            regions=["fr"],
        )
        for n in range(20)
    ]
    for n in range(3):
        ArticleFactory(
            kind=Article.Kind.REPORT,
            title=f"Report on Mexico {n}",
            published_at=now - timedelta(days=n + 1),
            hero_photo=photo,
            regions=["mx"],
        )
    statement = ArticleFactory(
        kind=Article.Kind.STATEMENT, title="A statement without a photo", regions=["mx"]
    )
    with_small = ArticleFactory(title="With a small photo", hero_photo=small)
    return {"large": articles[0], "small": with_small, "statement": statement}


@pytest.fixture
def at_size(browser, live_server):
    """A page at a given viewport size, closed after the test."""
    contexts = []

    def open_page(viewport):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def run_axe(tab, axe_source):
    tab.add_script_tag(content=axe_source)
    violations = tab.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    n => n.target.join(' ') + ': ' + n.failureSummary)}));
        }"""
    )
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])
@pytest.mark.parametrize(
    "path", ["/news/", "/news/?type=report&region=mx&year=" + str(timezone.now().year)]
)
def test_the_first_card_is_above_the_fold(at_size, axe_source, newsroom, viewport, path):
    tab = at_size(viewport)
    tab.goto(path)
    title = tab.locator(".cards > .card .card__title").first
    box = title.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], (
        f"the first card's title ends at y={box['y'] + box['height']:.0f}, "
        f"below the fold at {viewport['height']}"
    )
    # Search and type are in view on a laptop without opening anything.
    if viewport is LAPTOP:
        assert tab.locator("input[name=q]").is_visible()
        assert tab.locator("input[name=type]").first.is_visible()
    run_axe(tab, axe_source)


def test_more_filters_open_only_when_one_of_them_is_set(at_size, newsroom):
    tab = at_size(LAPTOP)
    tab.goto("/news/?type=report")
    assert not tab.locator("select[name=region]").is_visible()
    assert tab.locator(".chips .chip", has_text="Report").is_visible()
    tab.goto("/news/?region=mx")
    assert tab.locator("select[name=region]").is_visible()
    assert tab.locator("select[name=region]").input_value() == "mx"


def test_the_filter_panel_is_folded_on_a_phone(at_size, axe_source, newsroom):
    tab = at_size(PHONE)
    tab.goto("/news/?type=report")
    toggle = tab.locator(".filter-panel > summary")
    assert toggle.is_visible()
    assert "Filter" in toggle.inner_text() and "1 active" in toggle.inner_text()
    assert not tab.locator("input[name=q]").is_visible()
    # The active filter still shows, as a chip that removes it.
    chip = tab.locator(".chips .chip", has_text="Report")
    assert chip.is_visible()
    assert chip.get_attribute("href") == "/news/"
    # This list's own feed is one tap away.
    feed = tab.get_by_role("link", name="RSS feed of this list")
    assert feed.is_visible() and feed.get_attribute("href") == "/news/feed/about/?type=report"

    toggle.click()
    assert tab.locator("input[name=q]").is_visible()
    run_axe(tab, axe_source)
    tab.locator("input[name=q]").fill("Mexico")
    tab.get_by_role("button", name="Apply filters").click()
    tab.wait_for_url("**q=Mexico**")
    assert tab.locator(".cards > .card").count() == 3


def test_a_card_without_a_photo_gets_its_kinds_panel(at_size, newsroom):
    tab = at_size(LAPTOP)
    tab.goto("/news/?type=statement")
    card = tab.locator(".cards > .card").first
    panel = card.locator(".card__media--fallback")
    assert panel.get_attribute("aria-hidden") == "true"
    assert panel.locator("svg").is_visible()
    box = panel.bounding_box()
    assert box["height"] > 100 and abs(box["width"] / box["height"] - 16 / 9) < 0.05
    colour = panel.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    # Cards with and without photos line up in the grid.
    tab.goto("/news/")
    tops = tab.eval_on_selector_all(
        ".cards > .card", "cards => cards.slice(0, 3).map(c => c.getBoundingClientRect().top)"
    )
    heights = tab.eval_on_selector_all(
        ".cards > .card .card__media",
        "media => media.slice(0, 3).map(m => Math.round(m.getBoundingClientRect().height))",
    )
    assert len(set(tops)) == 1 and len(set(heights)) == 1


FILE_WIDTH = """async img => {
    const probe = new Image();
    probe.src = img.currentSrc;
    await probe.decode();
    return {rendered: img.getBoundingClientRect().width, file: probe.naturalWidth,
            dpr: window.devicePixelRatio};
}"""


@pytest.mark.parametrize("which", ["large", "small"])
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])
def test_the_hero_is_never_upscaled(at_size, newsroom, which, viewport):
    tab = at_size(viewport)
    tab.goto(newsroom[which].get_absolute_url())
    img = tab.locator(".article__hero img")
    img.evaluate("img => img.decode()")
    sizes = img.evaluate(FILE_WIDTH)
    assert sizes["rendered"] * sizes["dpr"] <= sizes["file"] + 1, sizes
    # And it fills the column when the file is wide enough, unless its height is capped
    # (at 75% of the window, so the text below shows).
    column, height = tab.locator(".article__hero").evaluate(
        """el => {
            const style = getComputedStyle(el);
            const width = el.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return [width, el.querySelector('img').getBoundingClientRect().height];
        }"""
    )
    if sizes["file"] >= column and height < 0.75 * viewport["height"] - 1:
        assert sizes["rendered"] >= column - 1, (sizes, column)


def test_the_header_is_one_row_on_a_phone(at_size, axe_source, newsroom):
    tab = at_size(PHONE)
    tab.goto("/news/")
    header = tab.locator(".site-header").bounding_box()
    name = tab.locator(".site-name").bounding_box()
    button = tab.locator(".site-menu__button").bounding_box()
    assert header["height"] < 80
    assert abs((name["y"] + name["height"] / 2) - (button["y"] + button["height"] / 2)) < 4
    nav = tab.get_by_role("navigation", name="Main")
    assert not nav.is_visible()
    tab.locator(".site-menu__button").click()
    assert nav.is_visible()
    assert tab.locator(".site-header").bounding_box()["height"] == header["height"]
    run_axe(tab, axe_source)
    nav.get_by_role("link", name="Press contacts").click()
    tab.wait_for_url("**/press/")


def test_the_header_shows_its_links_on_a_laptop(at_size, newsroom):
    tab = at_size(LAPTOP)
    tab.goto("/")
    assert not tab.locator(".site-menu__button").is_visible()
    links = tab.get_by_role("navigation", name="Main").get_by_role("link")
    assert links.count() == 4
    tops = {round(links.nth(n).bounding_box()["y"]) for n in range(4)}
    assert len(tops) == 1


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])
def test_home_has_a_lead_story_and_no_accessibility_violations(
    at_size, axe_source, newsroom, viewport
):
    tab = at_size(viewport)
    tab.goto("/")
    lead = tab.locator(".lead-story__title a")
    assert lead.is_visible()
    assert lead.bounding_box()["y"] < viewport["height"]
    assert tab.get_by_role("link", name="Send a media inquiry").count() == 1
    run_axe(tab, axe_source)


# Titles of reports on the Americas as long as real ones: three lines on a card at 1280.
AMERICAS_TITLES = [
    "Defending the forest: attacks on Indigenous land defenders in the Brazilian Amazon "
    "and the state's failure to protect them",
    "Facing walls: how border policies push asylum-seekers into danger in Mexico",
    "Locked up and forgotten: prison conditions in El Salvador under the state of emergency",
]


@pytest.fixture
def americas_reports():
    """Reports on countries of the Americas with photos and long titles, and news elsewhere."""
    photo = photo_create(
        file=image_upload("forest.jpg", width=1280, height=720),
        alt_text="Land defenders stand at the edge of a cleared forest",
        credit="Photo by Jane Doe / Agency",
    )
    now = timezone.now()
    for n, title in enumerate(AMERICAS_TITLES):
        ArticleFactory(
            kind=Article.Kind.REPORT,
            title=title,
            summary="Our researchers documented the attacks over two years. " * 4,
            published_at=now - timedelta(days=n + 1),
            hero_photo=photo,
            regions=[["br"], ["mx", "us"], ["sv"]][n],
        )
    ArticleFactory(title="A press release on France", regions=["fr"])


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])
def test_a_filtered_lists_first_title_is_above_the_fold(
    at_size, axe_source, americas_reports, viewport
):
    tab = at_size(viewport)
    tab.goto("/news/?type=report&region=americas")
    assert tab.locator(".chips .chip", has_text="Americas").is_visible()
    title = tab.locator(".cards > .card .card__title").first
    assert title.inner_text() == AMERICAS_TITLES[0]
    box = title.bounding_box()
    if viewport is LAPTOP:
        # The whole title, however long, with the filters open above it.
        assert tab.locator("select[name=region]").is_visible()
        assert box["y"] + box["height"] <= viewport["height"], (
            f"the first card's title ends at y={box['y'] + box['height']:.0f}, "
            f"below the fold at {viewport['height']}"
        )
    else:
        # On a phone the photo comes first: the title starts on the first screen.
        assert box["y"] + 24 <= viewport["height"], f"the title starts at y={box['y']:.0f}"
    # Nothing overflows sideways.
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    run_axe(tab, axe_source)
