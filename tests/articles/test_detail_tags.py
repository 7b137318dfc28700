"""The template filters behind the article page."""

import json

import pytest

from articles.templatetags.article_tags import file_size, json_ld, language_name, lower_first


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (830, "830 bytes"),
        (1024, "1.0 KB"),
        (14_540, "14.2 KB"),
        (int(2.3 * 1024 * 1024), "2.3 MB"),
        (5 * 1024**3, "5.0 GB"),
        (None, ""),
        ("junk", ""),
    ],
)
def test_file_size(size, expected):
    assert file_size(size) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "English"), ("es", "Spanish"), ("FR", "French"), ("ar", "Arabic"), ("xx", "xx")],
)
def test_language_name(code, expected):
    assert language_name(code) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Full report", "full report"), ("UN submission", "UN submission"), ("", "")],
)
def test_lower_first(title, expected):
    assert lower_first(title) == expected


def test_json_ld_escapes_what_could_end_a_script_element():
    value = {"headline": "</script><!-- & more"}
    out = json_ld(value)
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == value
