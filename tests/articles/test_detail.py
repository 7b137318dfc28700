"""The public article page, /news/<slug>/, as a visitor (and a search engine) sees it."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from articles.models import Article
from articles.views import ArticleDetailView
from core.models import SiteSettings
from tests.factories import (
    ArticleFactory,
    DocumentFactory,
    SpokespersonFactory,
    image_upload,
)
from tests.factories import make_photo as make_library_photo

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
MB = 1024 * 1024


def url_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def make_photo(**kwargs):
    defaults = {
        "alt_text": "Families wait at the border crossing",
        "caption": "Families wait at the border.",
        "credit": "Photo by Ana Ruiz / Agency",
    }
    return make_library_photo(
        file=image_upload("border.jpg", width=1600, height=900), **{**defaults, **kwargs}
    )


def json_ld_of(response):
    match = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    assert match, "no JSON-LD script on the page"
    return json.loads(match.group(1))


def meta(response, attribute, name):
    match = re.search(
        rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', response.content.decode()
    )
    return match.group(1) if match else None


@pytest.fixture
def full_article(django_capture_on_commit_callbacks):
    """An article carrying everything the page can show."""
    # Committed, so its photo and PDFs are public as a live article's are.
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(
            kind=Article.Kind.REPORT,
            title="Facing Walls: USA and Mexico's violations of the rights of asylum-seekers",
            slug="facing-walls",
            summary="An already dangerous journey is made more dangerous by new policies.",
            body="<p>People fleeing violence <strong>deserve protection</strong>.</p>",
            published_at=datetime(2017, 6, 15, 9, 0, tzinfo=NEW_YORK),
            hero_photo=make_photo(),
            regions=["americas", "mx", "us"],
            topics=["Refugees and migrants", "Asylum", "Border control"],
        )
        article.attachments.set(
            [
                DocumentFactory(title="Full report", language="en", file_size=int(2.3 * MB)),
                DocumentFactory(title="Informe completo", language="es", file_size=1_500_000),
            ]
        )
        article.spokespeople.set(
            [
                SpokespersonFactory(
                    name="Erika Guevara", slug="erika-guevara", role="Americas Director"
                ),
                SpokespersonFactory(name="Tom Baker", slug="tom-baker", role="Researcher"),
            ]
        )
        article.related.set(
            [
                ArticleFactory(
                    title="Related one", published_at=timezone.now() - timedelta(days=3)
                ),
                ArticleFactory(
                    title="Related two", published_at=timezone.now() - timedelta(days=2)
                ),
                ArticleFactory(
                    title="Related three", published_at=timezone.now() - timedelta(days=1)
                ),
            ]
        )
    return article


class TestArticlePage:
    def test_query_budget(self, client, full_article, django_assert_max_num_queries):
        SiteSettings.load()
        # Neighbours sharing regions and topics, so the "recent related" query runs too.
        ArticleFactory.create_batch(3, regions=["mx"], topics=["Asylum"])
        with django_assert_max_num_queries(10):
            response = client.get(full_article.get_absolute_url())
        assert response.status_code == 200
        assert len(response.context["related_articles"]) == 4

    def test_query_count_does_not_grow_with_what_the_article_carries(
        self, client, django_assert_max_num_queries
    ):
        SiteSettings.load()
        article = ArticleFactory(regions=["mx"], topics=["Asylum"])
        with django_assert_max_num_queries(10):
            assert client.get(article.get_absolute_url()).status_code == 200

    def test_headline_kind_dates_summary_and_body(self, client, full_article):
        full_article.substantively_updated_at = datetime(2017, 7, 2, 12, 0, tzinfo=NEW_YORK)
        full_article.save()
        response = client.get(full_article.get_absolute_url())
        content = response.content.decode()
        assert content.count("<h1") == 1
        assertInHTML(f'<h1 class="article__title">{full_article.title}</h1>', content)
        assertContains(response, '<p class="kind kind--report">Report</p>', html=True)
        assertContains(
            response, '<time datetime="2017-06-15T09:00:00-04:00">June 15, 2017</time>', html=True
        )
        assertInHTML(
            '<span class="article__updated">Updated '
            '<time datetime="2017-07-02T12:00:00-04:00">July 2, 2017</time></span>',
            content,
        )
        assertContains(response, full_article.summary)
        assertContains(response, "<strong>deserve protection</strong>", html=True)
        assertContains(response, "<title>Facing Walls: USA and Mexico&#x27;s violations of")

    def test_no_updated_line_when_never_substantively_updated(self, client, full_article):
        assertNotContains(client.get(full_article.get_absolute_url()), "Updated")

    def test_hero_photo_in_a_figure_with_caption_and_credit(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        content = response.content.decode()
        figure = re.search(r'<figure class="article__hero[^"]*">(.*?)</figure>', content, re.S)
        assert figure, "no hero figure"
        assert 'alt="Families wait at the border crossing"' in figure.group(1)
        assert "/renditions/" in figure.group(1)
        assert full_article.hero_photo.image.name not in content, "the original is never served"
        # The caption, then the credit, in the figure's caption (which also holds the
        # photo's download and usage terms for journalists).
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure.group(1), re.S)
        assert caption, "no figcaption"
        assertInHTML(
            '<span class="article__caption">Families wait at the border.</span>', caption.group(1)
        )
        assertInHTML(
            '<span class="article__credit">Photo by Ana Ruiz / Agency</span>', caption.group(1)
        )
        assert caption.group(1).index("article__caption") < caption.group(1).index(
            "article__credit"
        )

    def test_caption_override(self, client, full_article):
        full_article.hero_caption = "A caption for this article only."
        full_article.save()
        response = client.get(full_article.get_absolute_url())
        assertContains(response, "A caption for this article only.")
        assertNotContains(response, "Families wait at the border.")

    def test_article_without_photo_has_no_figure(self, client):
        article = ArticleFactory()
        response = client.get(article.get_absolute_url())
        assertNotContains(response, "<figure")
        assert meta(response, "name", "twitter:card") == "summary"
        assert "image" not in json_ld_of(response)

    def test_regions_and_topics_link_to_the_filtered_list(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        for href, name in [
            ("/news/?region=americas", "Americas"),
            ("/news/?region=mx", "Mexico"),
            ("/news/?region=us", "United States"),
            ("/news/?topic=refugees-and-migrants", "Refugees and migrants"),
            ("/news/?topic=asylum", "Asylum"),
            ("/news/?topic=border-control", "Border control"),
        ]:
            assertContains(response, f'<a class="chip" href="{href}">', count=1)
            assertContains(response, name)

    def test_attachments_are_downloads_with_format_size_and_language(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
        assert "Download the full report (PDF, 2.3 MB)" in re.sub(r"\( ", "(", text)
        assert "Download the informe completo (PDF, 1.4 MB)" in re.sub(r"\( ", "(", text)
        assertContains(response, "In English")
        assertContains(response, "In Spanish")
        for document in full_article.attachments.all():
            assertContains(response, f'href="{document.file.url}" download hreflang=')

    def test_spokespeople_with_role_and_contacts_link(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        assertContains(response, "Erika Guevara")
        assertContains(response, "Americas Director")
        contacts = url_or_none("press:contacts")
        if contacts:
            assertContains(response, f'href="{contacts}#erika-guevara"')
        else:
            assertContains(response, '<span class="spokesperson__name">Erika Guevara</span>')

    def test_inactive_spokesperson_is_named_but_not_linked(self, client, full_article):
        full_article.spokespeople.filter(slug="tom-baker").update(is_active=False)
        response = client.get(full_article.get_absolute_url())
        assertContains(response, '<span class="spokesperson__name">Tom Baker</span>', html=True)

    def test_media_box_links_the_form_and_the_press_email(self, client, full_article):
        settings_row = SiteSettings.load()
        settings_row.press_email = "media@example.org"
        settings_row.press_phone = "+1 212 555 0100"
        settings_row.save()
        response = client.get(full_article.get_absolute_url())
        assertContains(response, "For media inquiries")
        assertContains(response, 'href="mailto:media@example.org"')
        assertContains(response, 'href="tel:+12125550100"')
        inquiry = url_or_none("press:inquiry")
        if inquiry:
            assertContains(response, f'href="{inquiry}"')

    def test_open_graph_twitter_description_and_canonical(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        page_url = "http://testserver/news/facing-walls/"
        assertContains(response, f'<link rel="canonical" href="{page_url}">')
        assert meta(response, "name", "description") == full_article.summary
        assert meta(response, "property", "og:type") == "article"
        assert meta(response, "property", "og:url") == page_url
        assert meta(response, "property", "og:title").startswith("Facing Walls")
        og_image = meta(response, "property", "og:image")
        assert og_image.startswith("http://testserver/media/photos/renditions/")
        assert "/og-1200-" in og_image
        assert meta(response, "property", "og:image:width") == "1200"
        assert meta(response, "property", "og:image:alt") == "Families wait at the border crossing"
        assert meta(response, "name", "twitter:card") == "summary_large_image"
        assert meta(response, "name", "twitter:image") == og_image
        assert meta(response, "property", "article:published_time") == "2017-06-15T09:00:00-04:00"

    def test_json_ld_news_article(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        data = json_ld_of(response)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == full_article.title
        assert data["datePublished"] == "2017-06-15T09:00:00-04:00"
        assert data["dateModified"] == data["datePublished"]
        assert data["image"][0]["url"] == meta(response, "property", "og:image")
        assert data["publisher"]["name"] == "Newsroom"
        assert data["mainEntityOfPage"]["@id"] == "http://testserver/news/facing-walls/"
        assert set(data["keywords"]) == {"Refugees and migrants", "Asylum", "Border control"}

    def test_json_ld_date_modified_follows_substantive_updates(self, client, full_article):
        full_article.substantively_updated_at = datetime(2017, 7, 2, 12, 0, tzinfo=NEW_YORK)
        full_article.save()
        data = json_ld_of(client.get(full_article.get_absolute_url()))
        assert data["dateModified"] == "2017-07-02T12:00:00-04:00"

    def test_no_inline_scripts_or_styles(self, client, full_article):
        content = client.get(full_article.get_absolute_url()).content.decode()
        assert "style=" not in content
        assert "<style" not in content
        for tag in re.findall(r"<script[^>]*>", content):
            assert 'type="application/ld+json"' in tag or " src=" in tag, tag

    def test_share_links(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        encoded = "http%3A%2F%2Ftestserver%2Fnews%2Ffacing-walls%2F"
        assertContains(response, f"https://www.facebook.com/sharer/sharer.php?u={encoded}")
        assertContains(response, "mailto:?subject=Facing%20Walls")


class TestRelated:
    def test_explicit_first_then_recent_neighbours_up_to_four(self, client):
        old = timezone.now() - timedelta(days=30)
        article = ArticleFactory(regions=["mx"], topics=["Asylum"])
        pick = ArticleFactory(title="Editor's pick", published_at=old)
        article.related.set([pick])
        neighbours = [
            ArticleFactory(
                title=f"Neighbour {n}",
                published_at=timezone.now() - timedelta(days=n + 1),
                regions=["mx"] if n % 2 else [],
                topics=[] if n % 2 else ["Asylum"],
            )
            for n in range(5)
        ]
        ArticleFactory(title="Unrelated", regions=["fr"], topics=["Death penalty"])
        ArticleFactory(title="Draft neighbour", draft=True, regions=["mx"])
        ArticleFactory(title="Scheduled neighbour", scheduled=True, topics=["Asylum"])
        related = client.get(article.get_absolute_url()).context["related_articles"]
        assert related == [pick, *neighbours[:3]]

    def test_neighbour_sharing_region_and_topic_appears_once(self, client):
        article = ArticleFactory(regions=["mx", "us"], topics=["Asylum", "Refugees"])
        twin = ArticleFactory(regions=["mx", "us"], topics=["Asylum", "Refugees"])
        related = client.get(article.get_absolute_url()).context["related_articles"]
        assert related == [twin]

    def test_unpublished_explicit_pick_is_left_out(self, client):
        article = ArticleFactory()
        article.related.set([ArticleFactory(draft=True), ArticleFactory(scheduled=True)])
        response = client.get(article.get_absolute_url())
        assert response.context["related_articles"] == []
        assertNotContains(response, "Related</h2>")

    def test_related_cards_link_to_the_articles(self, client, full_article):
        response = client.get(full_article.get_absolute_url())
        for item in full_article.related.all():
            assertContains(response, f'<a href="{item.get_absolute_url()}">{item.title}</a>')


class TestVisibility:
    def test_draft_is_404(self, client):
        article = ArticleFactory(draft=True)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assertNotContains(response, article.title, status_code=404)

    def test_scheduled_is_404_until_its_time(self, client):
        article = ArticleFactory(scheduled=True)
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_unknown_slug_shows_the_friendly_404(self, client, django_assert_max_num_queries):
        SiteSettings.load()  # the row exists on any real site; the page names the site
        with django_assert_max_num_queries(3):
            response = client.get("/news/no-such-article/")
        assert response.status_code == 404
        assertContains(response, "find that page", status_code=404)
        assertContains(response, '<main id="main"', status_code=404)
        assertContains(response, 'action="/news/"', status_code=404)

    def test_old_slug_redirects_permanently(self, client):
        article = ArticleFactory(slug="old-address")
        article.slug = "new-address"
        article.save()
        response = client.get("/news/old-address/")
        assert response.status_code == 301
        assert response["Location"] == "/news/new-address/"

    def test_preview_banner_only_in_preview(self, client, full_article):
        assertNotContains(client.get(full_article.get_absolute_url()), "Preview — not published")

        class PreviewView(ArticleDetailView):
            def get_queryset(self):
                return Article.objects.prefetch_related(
                    "regions", "topics", "attachments", "spokespeople"
                ).select_related("hero_photo")

            def get_context_data(self, **kwargs):
                return super().get_context_data(is_preview=True, **kwargs)

        draft = ArticleFactory(draft=True, title="Not yet out")
        request = RequestFactory().get("/preview/")
        response = PreviewView.as_view()(request, slug=draft.slug)
        response.render()
        assertContains(response, "Preview — not published")
        assertContains(response, "is draft")
        assertContains(response, '<meta name="robots" content="noindex, nofollow">')


class TestEscaping:
    def test_markup_in_title_summary_caption_and_credit_is_escaped(self, client):
        evil = '<script>alert("x")</script>'
        photo = make_photo(caption=f"Caption {evil}", credit=f"Credit {evil}", alt_text=evil)
        article = ArticleFactory(
            title=f"Title {evil}</title>",
            summary=f"Summary {evil} & more",
            hero_photo=photo,
            topics=[f"Topic {evil}"],
        )
        response = client.get(article.get_absolute_url())
        content = response.content.decode()
        assert "<script>alert" not in content
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
        # Inside JSON-LD, "</script>" must not be able to close the element.
        data = json_ld_of(response)
        assert data["headline"] == f"Title {evil}</title>"
        ld_source = re.search(r"ld\+json[^>]*>(.*?)</script>", content, re.S).group(1)
        assert "<" not in ld_source and ">" not in ld_source
        assert "\\u003C/script\\u003E" in ld_source

    def test_body_is_sanitised_on_save_and_shown_as_html(self, client):
        article = ArticleFactory(body='<p onclick="steal()">Hi <script>bad()</script></p>')
        content = client.get(article.get_absolute_url()).content.decode()
        assert "onclick" not in content
        assert "bad()" not in content


class TestErrorPages:
    def test_500_renders_without_touching_the_database(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            html = render_to_string("500.html")
        assert "Something went wrong" in html
        assert '<html lang="en" dir="ltr">' in html
        assert "<main" in html

    def test_layout_landmarks_and_navigation(self, client):
        content = client.get(ArticleFactory().get_absolute_url()).content.decode()
        assert '<html lang="en" dir="ltr">' in content
        assert '<a class="skip-link" href="#main">' in content
        for landmark in (
            '<header class="site-header">',
            '<nav class="site-nav"',
            "<main ",
            "<footer",
        ):
            assert landmark in content
        assert '<a href="/">Home</a>' in content
        assert '<a href="/news/" aria-current="true">News</a>' in content
        contacts = url_or_none("press:contacts")
        if contacts:
            assert f'<a href="{contacts}">Press contacts</a>' in content
        inquiry = url_or_none("press:inquiry")
        if inquiry:
            assert f'<a href="{inquiry}">Media inquiries</a>' in content


class TestStaticFiles:
    def test_pages_link_hashed_static_files(self, client, settings, tmp_path):
        settings.STATIC_ROOT = tmp_path / "static"
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            },
        }
        call_command("collectstatic", interactive=False, verbosity=0)
        content = client.get(ArticleFactory().get_absolute_url()).content.decode()
        assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', content)
        assert re.search(r'src="/static/js/share\.[0-9a-f]{12}\.js"', content)
        assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css", render_to_string("500.html"))
        css = next((tmp_path / "static" / "css").glob("site.*.css")).read_text()
        assert re.search(r"icon-document\.[0-9a-f]{12}\.svg", css)
