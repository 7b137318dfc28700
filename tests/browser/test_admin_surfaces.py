"""The admin's own surfaces in a real browser, as a new editor meets them: a header whose
buttons keep to one line at laptop width and stay usable on a phone, styled breadcrumbs
on the embargo page, and a body editor that reads as a text area before anything is
typed into it."""

import pytest

from tests.browser.conftest import assert_no_violations
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# The vertical middle of each visible element matching the selector.
MIDDLES = """sel => [...document.querySelectorAll(sel)]
    .filter(e => e.offsetParent !== null)
    .map(e => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); })"""


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


@pytest.fixture
def scheduled():
    """A scheduled article: its change form has every object tool, embargo included."""
    return ArticleFactory(
        title="Human Rights Day: defenders everywhere deserve protection",
        scheduled=True,
        regions=["mx"],
    )


@pytest.fixture
def desk_editor(editor):
    # A real name is longer than "user3", and it is what the header greets.
    editor.first_name = "Maria Fernanda"
    editor.save()
    return editor


def test_the_admin_header_keeps_to_one_line_at_laptop_width(page, desk_editor, scheduled):
    page.set_viewport_size(LAPTOP)
    log_in(page, desk_editor)
    page.goto(f"/admin/articles/article/{scheduled.pk}/change/")

    # Welcome, View site, Change password, Log out and the theme toggle: one line.
    user_tools = "#user-tools a, #user-tools button, #user-tools strong"
    middles = page.evaluate(MIDDLES, user_tools)
    assert len(middles) >= 5
    assert max(middles) - min(middles) <= 3, middles
    assert page.locator("#header").bounding_box()["height"] <= 60

    # Preview as saved, Revisions, Share under embargo, History, View on site: one row.
    tools = page.locator(".object-tools a")
    names = [name.strip().lower() for name in tools.all_inner_texts()]
    assert "share under embargo" in names and "history" in names
    middles = page.evaluate(MIDDLES, ".object-tools a")
    assert max(middles) - min(middles) <= 3, dict(zip(names, middles, strict=True))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_admin_header_stays_usable_on_a_phone(page, desk_editor, scheduled):
    page.set_viewport_size(PHONE)
    log_in(page, desk_editor)
    page.goto(f"/admin/articles/article/{scheduled.pk}/change/")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for control in page.locator("#user-tools a, #user-tools button, .object-tools a").all():
        if not control.is_visible():
            continue
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
        assert box["height"] >= 24, control  # WCAG 2.2 target size
    page.locator(".object-tools").get_by_role("link", name="Share under embargo").click()
    page.wait_for_url(f"**/admin/articles/article/{scheduled.pk}/embargo/")


def test_the_embargo_page_has_the_admins_breadcrumbs(page, axe, desk_editor, scheduled):
    page.set_viewport_size(LAPTOP)
    log_in(page, desk_editor)
    page.goto(f"/admin/articles/article/{scheduled.pk}/change/")
    change_form = page.locator(".breadcrumbs").evaluate("e => getComputedStyle(e).backgroundColor")
    page.goto(f"/admin/articles/article/{scheduled.pk}/embargo/")

    crumbs = page.get_by_role("navigation", name="Breadcrumbs").locator("ol.breadcrumbs")
    assert crumbs.evaluate("e => getComputedStyle(e).backgroundColor") == change_form
    assert change_form != "rgba(0, 0, 0, 0)"
    items = crumbs.locator("li")
    assert items.all_inner_texts()[0].startswith("Home")
    assert items.last.get_attribute("aria-current") == "page"
    # In a row, like every other admin page's, not a bulleted list.
    tops = {round(box["y"]) for box in (item.bounding_box() for item in items.all())}
    assert len(tops) == 1
    assert items.first.evaluate("e => getComputedStyle(e).display") == "inline-block"
    assert_no_violations(axe, "the embargo page")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x800", "390x844"])
def test_the_empty_body_editor_reads_as_a_text_area(page, desk_editor, viewport):
    page.set_viewport_size(viewport)
    log_in(page, desk_editor)
    page.goto("/admin/articles/article/add/")

    body = page.get_by_role("textbox", name="Body")
    body.wait_for()
    line = body.evaluate(
        """e => { const style = getComputedStyle(e);
                  return parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize); }"""
    )
    assert body.bounding_box()["height"] >= 20 * line - 1
    # It is the editing area itself: a click anywhere in it puts the caret there.
    body.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = body.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 10)
    page.keyboard.type("Twenty lines of room.")
    assert "Twenty lines of room." in body.inner_text()
