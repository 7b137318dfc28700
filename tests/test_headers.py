"""Security headers on every public page, the admin's relaxed policy, and uploaded files."""

import re

import pytest
from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from newsroom.urls import urlpatterns as site_urlpatterns
from tests.factories import ArticleFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def serve_media(request, path):
    # MEDIA_ROOT is a per-test folder, so it is read at request time.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


# Django's development media server (first: the site's own list may already hold one bound
# to the real MEDIA_ROOT), then the site.
urlpatterns = [re_path(r"^media/(?P<path>.*)$", serve_media), *site_urlpatterns]

PUBLIC_PAGES = [
    "/",
    "/news/",
    "/news/?q=prison&type=report",
    "ARTICLE",
    "/news/feed/",
    "/news/feed/atom/",
    "/press/inquiry/",
    "/press/inquiry/thanks/",
    "/press/",
    "/sitemap.xml",
    "/robots.txt",
    "/no-such-page/",
]


def _csp(response):
    return dict(
        [*part.strip().split(" ", 1), ""][:2]
        for part in response["Content-Security-Policy"].split(";")
    )


@pytest.fixture
def article(db):
    return ArticleFactory(
        slug="release-the-activists", body="<p>Release them.</p>", summary="Release them."
    )


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_carry_the_strict_policy(client, article, path):
    url = article.get_absolute_url() if path == "ARTICLE" else path
    response = client.get(url)
    assert response.status_code in (200, 404), url

    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"].startswith("'self'")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert csp["style-src"] == "'self'"
    assert csp["img-src"].startswith("'self' data:")
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "browsing-topics=()"):
        assert feature in permissions


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_html_has_no_inline_script_or_style(client, article, path):
    url = article.get_absolute_url() if path == "ARTICLE" else path
    response = client.get(url)
    if not response["Content-Type"].startswith("text/html"):
        return
    html = response.content.decode()
    assert not re.search(r"\sstyle\s*=", html), url
    assert "<style" not in html, url
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for tag in re.findall(r"<script\b[^>]*>", html):
        # Every script is a same-origin file, a data block browsers never execute
        # (JSON-LD), or carries this response's nonce.
        if "application/ld+json" in tag:
            continue
        if "src=" in tag:
            assert re.search(r'src="/', tag), tag
        else:
            assert nonce and f'nonce="{nonce[1]}"' in tag, tag


def test_nonce_is_fresh_per_response(client, article):
    first = client.get(article.get_absolute_url())["Content-Security-Policy"]
    second = client.get(article.get_absolute_url())["Content-Security-Policy"]
    nonces = [re.search(r"'nonce-([^']+)'", policy) for policy in (first, second)]
    if all(nonces):
        assert nonces[0][1] != nonces[1][1]


def test_admin_gets_the_relaxed_policy_only(admin_client):
    response = admin_client.get("/admin/articles/article/add/")
    assert response.status_code == 200
    csp = _csp(response)
    assert "'unsafe-inline'" in csp["script-src"]
    assert "'unsafe-inline'" in csp["style-src"]
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert "Permissions-Policy" in response


@pytest.mark.urls(__name__)
class TestUploadedFiles:
    def write(self, name, content):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"/media/{name}"

    @pytest.mark.parametrize(
        "name",
        ["evil.html", "evil.svg", "evil.xml", "evil.js", "evil.htm", "noextension"],
    )
    def test_active_content_is_downloaded_never_rendered(self, client, name):
        url = self.write(name, b"<svg onload=alert(1)><script>alert(1)</script></svg>")
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert not response["Content-Type"].startswith(("text/html", "image/svg"))

    def test_photos_display_inline_but_sandboxed(self, client):
        from tests.factories import image_bytes

        response = client.get(self.write("photos/p.jpg", image_bytes(40, 30)))
        assert response["Content-Type"] == "image/jpeg"
        assert not response.get("Content-Disposition", "").startswith("attachment")
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_every_header_name_is_a_plain_string(self, client):
        # WSGI servers (wsgiref, gunicorn) refuse any other type, enums included: the
        # test client does not, so check what a server would be handed.
        from tests.factories import image_bytes

        response = client.get(self.write("photos/q.jpg", image_bytes(40, 30)))
        assert all(type(name) is str for name, _ in response.items())

    def test_documents_are_downloads(self, client, django_capture_on_commit_callbacks):
        document = DocumentFactory()
        with django_capture_on_commit_callbacks(execute=True):  # public once live
            ArticleFactory().attachments.add(document)
        response = client.get(document.file.url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment"
        assert response["Content-Type"] == "application/pdf"
