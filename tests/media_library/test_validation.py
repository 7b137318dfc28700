"""Upload checks: only real, complete, reasonably sized JPEG/PNG/WebP/GIF and PDFs."""

import pytest
from django.core.exceptions import ValidationError

from media_library.validation import validate_document_file, validate_image_file
from tests.factories import image_bytes
from tests.media_library import images

pytestmark = pytest.mark.django_db


def _error(file):
    with pytest.raises(ValidationError) as excinfo:
        validate_image_file(file)
    return excinfo.value


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_accepts_the_four_formats_by_content(fmt):
    # A misleading name does not matter: the decoded format does.
    info = validate_image_file(images.upload("photo.bin", image_bytes(320, 200, fmt=fmt)))
    assert (info.format, info.width, info.height) == (fmt, 320, 200)


def test_accepts_an_animated_gif_and_a_transparent_png():
    validate_image_file(images.upload("a.gif", images.animated_gif()))
    validate_image_file(images.upload("a.png", images.transparent_png()))


def test_refuses_a_text_file_renamed_jpg():
    error = _error(images.upload("notes.jpg", b"Meeting notes, not a photo.\n" * 20))
    assert error.code == "unsupported_format"
    assert "JPEG, PNG, WebP, GIF" in error.messages[0]


def test_refuses_svg_by_name():
    error = _error(images.upload("logo.jpg", images.SVG))
    assert error.code == "unsupported_format"
    assert error.messages[0].startswith("SVG files are not accepted")


@pytest.mark.parametrize(("fmt", "name"), [("TIFF", "TIFF"), ("BMP", "BMP")])
def test_refuses_tiff_and_bmp(fmt, name):
    error = _error(images.upload("scan.jpg", images.other_format(fmt)))
    assert error.code == "unsupported_format"
    assert error.messages[0].startswith(f"{name} files are not accepted")


def test_refuses_a_corrupt_png():
    error = _error(images.upload("broken.png", images.corrupt_png()))
    assert error.code == "corrupt_image"
    assert "damaged or incomplete" in error.messages[0]


def test_refuses_a_truncated_jpeg():
    error = _error(images.upload("cut.jpg", images.truncated_jpeg()))
    assert error.code == "corrupt_image"


def test_refuses_an_empty_file():
    assert _error(images.upload("empty.jpg", b"")).code == "empty"


def test_refuses_a_file_over_the_size_limit(settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1000
    error = _error(images.upload("big.jpg", image_bytes(400, 300)))
    assert error.code == "file_too_large"
    assert "1000\xa0bytes" in error.messages[0]


def test_refuses_too_many_pixels(settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    error = _error(images.upload("wide.png", image_bytes(200, 100, fmt="PNG")))
    assert error.code == "too_many_pixels"
    assert "200 x 100 pixels" in error.messages[0]


def test_refuses_a_decompression_bomb():
    data = images.png_bomb(20_000, 20_000)
    assert len(data) < 100_000  # tiny on disk, 400 megapixels once decoded
    error = _error(images.upload("bomb.png", data))
    assert error.code == "decompression_bomb"
    assert "decompression bomb" in error.messages[0]


def test_pillows_bomb_warning_is_an_error_too(settings):
    # 100 megapixels is past Pillow's warning threshold but under its hard error; with
    # our own pixel limit lifted, the warning alone must refuse the file.
    settings.PHOTO_MAX_PIXELS = 10**10
    error = _error(images.upload("bomb.png", images.png_bomb(10_000, 10_000)))
    assert error.code == "decompression_bomb"


def test_documents_must_be_pdf(settings):
    validate_document_file(images.upload("report.pdf", b"%PDF-1.7\n%test\n"))
    with pytest.raises(ValidationError, match="Only PDF"):
        validate_document_file(images.upload("report.pdf", b"<html>not a pdf</html>"))
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError, match="at most 10"):
        validate_document_file(images.upload("report.pdf", b"%PDF-1.7\n%test\n"))
