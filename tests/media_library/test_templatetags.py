"""{% picture %} and {% rendition_url %}: responsive markup from stored renditions only."""

import re

import pytest
from django.template import Context, Template

from tests.factories import PhotoFactory, SpokespersonFactory, image_upload, make_photo

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load media_tags %}" + source).render(Context(context))


@pytest.fixture
def photo(django_capture_on_commit_callbacks):
    """A public photo: a spokesperson's portrait, so its renditions are public files."""
    photo = make_photo(
        file=image_upload("p.jpg", width=2000, height=1200),
        alt_text='Protesters hold a banner reading "Free them"',
        credit="Photo by Jane Doe / Agency",
    )
    with django_capture_on_commit_callbacks(execute=True):
        SpokespersonFactory(photo=photo)
    photo.refresh_from_db()
    return photo


def test_picture_markup(photo, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render(
            '{% picture photo "card" sizes="(min-width: 60rem) 30vw, 100vw" '
            'css_class="card__img" %}',
            photo=photo,
        )
    assert html.startswith('<picture><source type="image/webp" srcset="')
    assert html.endswith("</picture>")
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', html)[1]
    assert [part.rsplit(" ", 1)[1] for part in webp.split(", ")] == [
        "320w",
        "480w",
        "640w",
        "960w",
        "1280w",
        "1920w",
    ]
    assert all(f"/media/photos/renditions/{photo.pk}/card-" in part for part in webp.split(", "))
    img = re.search(r"<img [^>]+>", html)[0]
    assert re.search(r'src="/media/photos/renditions/\d+/card-1920-\w+\.jpg"', img)
    assert 'srcset="/media/photos/renditions/' in img and ".jpg 320w" in img
    assert 'sizes="(min-width: 60rem) 30vw, 100vw"' in img
    assert 'width="1920" height="1080"' in img
    assert 'alt="Protesters hold a banner reading &quot;Free them&quot;"' in img
    assert 'class="card__img"' in img
    assert 'loading="lazy" decoding="async"' in img
    assert "/photos/originals/" not in html


def test_picture_hero_eager_with_default_sizes(photo):
    html = render('{% picture photo "hero" loading="eager" fetchpriority="high" %}', photo=photo)
    assert 'loading="eager"' in html and 'fetchpriority="high"' in html
    assert "1600w" in html and 'width="2000" height="1200"' in html
    assert 'sizes="(min-width: 75rem) 71rem, 100vw"' in html


def test_a_small_heros_sizes_never_lay_it_out_wider_than_its_file():
    small = make_photo(file=image_upload("s.jpg", width=800, height=600), alt_text="Small")
    html = render('{% picture photo "hero" %}', photo=small)
    assert 'sizes="(min-width: 800px) 800px, 100vw"' in html and 'width="800"' in html


def test_alt_is_empty_for_decorative_photos_and_can_be_overridden(photo):
    photo.is_decorative = True
    assert 'alt=""' in render('{% picture photo "card" %}', photo=photo)
    html = render('{% picture photo "card" alt="Custom" %}', photo=photo)
    assert 'alt="Custom"' in html


def test_nothing_without_photo_or_renditions():
    assert render('{% picture photo "card" %}', photo=None) == ""
    # A photo saved straight to the database has no renditions yet: never the original.
    unprocessed = PhotoFactory()
    assert render('{% picture photo "card" %}', photo=unprocessed) == ""
    assert unprocessed.rendition("og") is None
    assert unprocessed.rendition_set("card", "webp") == []
    assert render('{% picture photo "nope" %}', photo=None) == ""


def test_public_renditions_api(photo, django_assert_num_queries):
    with django_assert_num_queries(0):
        og = photo.rendition("og")
        card = photo.rendition("card")
        webps = photo.rendition_set("card", "webp")
    assert re.fullmatch(rf"/media/photos/renditions/{photo.pk}/og-1200-\w+\.jpg", og.url)
    assert (og.width, og.height, og.format) == (1200, 630, "jpeg")
    assert card.url.endswith(".jpg") and "card-1920-" in card.url
    assert [w.width for w in webps] == sorted(w.width for w in webps)
    assert all(w.url.endswith(".webp") for w in webps)
    assert photo.rendition("og", "webp") is None  # og is made as JPEG only
    assert photo.rendition("nope") is None
    assert not photo.renditions_pending
