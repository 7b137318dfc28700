"""Headless Chromium for the end-to-end tests, one browser for the whole session.

Uses Debian's Chromium (never a browser downloaded by Playwright) and axe-core vendored
by ``scripts/install-browser``. When either is missing the tests skip with a message, or
fail when the ``CI`` environment variable is set, so a CI run cannot pass by skipping.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _unavailable(reason):
    message = f"{reason} Run ./scripts/install-browser to install it."
    if os.environ.get("CI"):
        pytest.fail(f"Browser tests cannot run in CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is missing ({CHROMIUM}).")
    if not AXE.exists():
        _unavailable(f"axe-core is missing ({AXE}).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("The playwright Python package is not installed.")
    # Playwright's synchronous API keeps an event loop in this thread; the test code
    # itself is synchronous, so Django's guard against ORM calls from async code would
    # otherwise stop the factories.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Django keeps database connections per context, and Playwright's event loop makes a
    # new one: hand the new connections the snapshot of migrated data (regions, roles)
    # that serialized_rollback restores before each test, or only the first test has it.
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, snapshot in snapshots.items():
            connections[alias]._test_serialized_contents = snapshot
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: axe is injected as an inline script, which the site's CSP forbids.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def axe_source():
    return AXE.read_text(encoding="utf-8")


def axe_runner(tab, axe_source):
    """A function that runs axe-core on ``tab`` as it is then and returns its WCAG 2.2 AA
    violations (for a page from a context of a test's own, e.g. with another time zone)."""

    def run():
        if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
            tab.add_script_tag(content=axe_source)
        return tab.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(
                        n => n.target.join(' ') + ': ' + n.failureSummary),
                }));
            }""",
            WCAG_TAGS,
        )

    return run


@pytest.fixture
def axe(page, axe_source):
    """Run axe-core on the page as it is now; return its WCAG 2.2 AA violations."""
    return axe_runner(page, axe_source)


def format_violations(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_no_violations(axe, label):
    """Fail with axe-core's findings, readably, if the page has any."""
    violations = axe()
    assert not violations, f"axe found problems on {label}:\n{format_violations(violations)}"
