import pytest

from articles.sanitize import html_to_text, sanitize_html
from tests.factories import ArticleFactory

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="/media/x.jpg" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="behavior:url(x.htc)">x</p>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<details open ontoggle=alert(1)>",
    "<style>body{background:red}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<<script>script>alert(1)<</script>/script>",
    '<img src="https://tracker.example/pixel.gif">',
    "<!--<script>alert(1)</script>-->",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<base href="https://evil.example/">',
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_inert(payload):
    cleaned = sanitize_html(f"<p>before</p>{payload}<p>after</p>").lower()
    for dangerous in (
        "<script", "onerror", "onload", "ontoggle", "javascript:", "vbscript:", "data:text",
        "<iframe", "<svg", "<object", "<embed", "<form", "<style", "<meta", "<base",
        "style=", "tracker.example",
    ):  # fmt: skip
        assert dangerous not in cleaned
    assert "before" in cleaned and "after" in cleaned


def test_editorial_markup_survives():
    html = (
        "<h2>Findings</h2><p>Text with <strong>bold</strong>, <em>emphasis</em> and "
        '<a href="https://example.org/report">a link</a>.</p><ul><li>one</li></ul>'
        "<ol><li>first</li></ol><blockquote><p>A quote</p></blockquote>"
        '<p><img src="/media/photos/x.jpg" alt="A photo"></p>'
    )
    cleaned = sanitize_html(html)
    kept = ["<h2>", "<strong>", "<em>", 'href="https://example.org/report"', "<ul>", "<ol>",
            "<blockquote>", 'src="/media/photos/x.jpg"', 'alt="A photo"']  # fmt: skip
    for markup in kept:
        assert markup in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


def test_empty_editor_paragraph_becomes_empty():
    assert sanitize_html("<p></p>") == ""


@pytest.mark.django_db
def test_body_is_sanitised_on_save():
    article = ArticleFactory(body='<p>Hi<script>alert(1)</script><img src=x onerror="a()"></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"


class TestHtmlToText:
    """One plain-text reading of rich text: search and meta descriptions take it on one
    line, the media kit's release and the revision diff with its paragraphs."""

    BODY = (
        "<h2>Findings</h2><p>An already <a href='https://example.org/x'>dangerous</a>"
        "  journey,\n across <strong>three</strong>&nbsp;borders &amp; more.</p>"
        "<ul><li>First finding</li><li>Second<br>line</li></ul>"
        "<table><tr><th>Year</th><td>2024</td></tr></table>"
    )

    def test_one_line(self):
        assert html_to_text(self.BODY) == (
            "Findings An already dangerous journey, across three borders & more. "
            "First finding Second line Year 2024"
        )

    def test_words_in_separate_blocks_are_not_glued(self):
        assert html_to_text("<p>one</p><p>two</p>") == "one two"

    def test_paragraphs(self):
        assert html_to_text(self.BODY, paragraphs=True) == (
            "Findings\n\nAn already dangerous journey, across three borders & more.\n\n"
            "- First finding\n- Second\nline\n\nYear 2024"
        )

    def test_link_targets(self):
        text = html_to_text(self.BODY, paragraphs=True, links=True)
        assert "An already dangerous (https://example.org/x) journey," in text

    @pytest.mark.parametrize("value", [None, "", "<p></p>", "<p> &nbsp; </p>"])
    def test_empty(self, value):
        assert html_to_text(value) == "" and html_to_text(value, paragraphs=True) == ""
