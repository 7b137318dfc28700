"""Screenshots of the public pages at a phone, tablet and laptop width, for review.

    python scripts/screenshots.py http://127.0.0.1:8000 shots/

Uses Debian's Chromium through Playwright (as the browser tests do). Takes home, the
list, a filtered list, an article (the newest with a photo) and a report.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTHS = {"390": (390, 844), "768": (768, 1024), "1280": (1280, 800)}


def pages(base, browser):
    """The paths to shoot: the article and report are the first of each on the list."""
    tab = browser.new_page()
    tab.goto(f"{base}/news/?type=press-release")
    article = tab.locator(".card:has(img) .card__title a").first.get_attribute("href")
    tab.goto(f"{base}/news/?type=report")
    report = tab.locator(".card__title a").first.get_attribute("href")
    tab.close()
    return {
        "home": "/",
        "list": "/news/",
        "filtered": "/news/?type=report&region=americas",
        "article": article,
        "report": report,
    }


def main(base, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless"]
        )
        for name, path in pages(base, browser).items():
            for label, (width, height) in WIDTHS.items():
                tab = browser.new_page(viewport={"width": width, "height": height})
                tab.goto(f"{base}{path}", wait_until="networkidle")
                slug = re.sub(r"\W+", "-", name)
                tab.screenshot(path=out / f"{slug}-{label}.png")
                tab.screenshot(path=out / f"{slug}-{label}-full.png", full_page=True)
                tab.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
