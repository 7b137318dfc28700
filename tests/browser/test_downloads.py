"""Journalists' downloads in a real browser: the report's PDF on a phone, the photo and
media-kit links (they download, with their names), and axe-core on each page."""

import pytest

from articles.models import Article
from media_library.services import photo_create
from press.models import MediaKit
from tests.browser.conftest import assert_no_violations
from tests.factories import ArticleFactory, DocumentFactory, image_upload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def report():
    """A live report with a downloadable photo and a PDF; the immediate task backend
    makes the photo's download and the media kit as the worker would."""
    photo = photo_create(
        file=image_upload("border.jpg", width=2400, height=1600),
        alt_text="Families wait at a border crossing",
        caption="Families wait to cross at dawn.",
        credit="Photo by Ana Ruiz / Agencia Sur",
        copyright="Agencia Sur",
        usage_rights="creative-commons",
        usage_notes="CC BY 4.0, with credit",
    )
    article = ArticleFactory(
        slug="facing-walls",
        kind=Article.Kind.REPORT,
        title="Facing Walls: USA and Mexico's violations of the rights of asylum-seekers",
        summary="An already dangerous journey has become even more perilous for people "
        "fleeing violence in Central America, as both countries push them back.",
        hero_photo=photo,
    )
    article.attachments.add(DocumentFactory(title="Full report"))
    assert MediaKit.objects.get(article=article).path, "the kit should be built by now"
    return article


def test_downloads_on_the_article_page_have_no_violations(page, axe, report):
    page.goto(report.get_absolute_url())
    assert page.get_by_role("link", name="Download high-resolution photo").is_visible()
    assert page.get_by_role("link", name="Media kit (ZIP,").is_visible()
    assert_no_violations(axe, "an article with downloads")


def test_links_download_files_with_their_names(page, report):
    page.goto(report.get_absolute_url())
    with page.expect_download() as photo:
        page.get_by_role("link", name="Download high-resolution photo").click()
    assert photo.value.suggested_filename == "facing-walls-01-ana-ruiz.jpg"
    assert photo.value.failure() is None

    with page.expect_download() as kit:
        page.get_by_role("link", name="Media kit (ZIP,").click()
    assert kit.value.suggested_filename == "facing-walls-media-kit.zip"
    assert kit.value.failure() is None


def test_kit_being_prepared_page_has_no_violations(page, axe, report):
    MediaKit.objects.filter(article=report).update(version="", queued_at=None)
    response = page.goto(f"{report.get_absolute_url()}media-kit.zip")
    assert response.status == 503
    assert page.get_by_role("heading", name="The media kit is being prepared").is_visible()
    assert_no_violations(axe, "the media kit being prepared")


def test_on_a_phone_the_report_is_the_first_thing_under_the_standfirst(
    browser, live_server, axe_source, report
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    phone = context.new_page()
    try:
        phone.goto(report.get_absolute_url())
        summary = phone.locator(".article__summary").bounding_box()
        # The side column lists it again, at the end of the page on a phone.
        link = phone.get_by_role("link", name="Download the full report (PDF,").first
        box = link.bounding_box()
        assert box is not None and link.is_visible()
        # Right under the standfirst, and within the first screen without scrolling.
        assert summary["y"] + summary["height"] <= box["y"] < summary["y"] + summary["height"] + 80
        assert box["y"] + box["height"] <= 844
        phone.add_script_tag(content=axe_source)
        violations = phone.evaluate(
            "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations"
            ".map(v => v.id)"
        )
        assert violations == []
    finally:
        context.close()
