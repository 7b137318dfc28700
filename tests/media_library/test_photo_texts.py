"""A photo's alt text and caption per language: shared by a story's versions, each
falling back to the default language's words, edited on the photo in the admin."""

import pytest
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from media_library.models import PhotoText, missing_languages, photo_text
from tests.factories import ArticleFactory, image_upload, make_photo

pytestmark = pytest.mark.django_db


def _photo(**kwargs):
    kwargs.setdefault("alt_text", "Families wait at a border crossing")
    kwargs.setdefault("caption", "Families wait to cross the border.")
    return make_photo(file=image_upload("p.jpg", width=1600, height=900), **kwargs)


def _form(photo, texts, initial=0):
    data = {
        "title": photo.title,
        "alt_text": photo.alt_text,
        "caption": photo.caption,
        "credit": photo.credit,
        "copyright": photo.copyright,
        "usage_rights": photo.usage_rights,
        "usage_notes": photo.usage_notes,
        "focal_x": "0.5",
        "focal_y": "0.5",
        "texts-TOTAL_FORMS": str(len(texts)),
        "texts-INITIAL_FORMS": str(initial),
        "texts-MIN_NUM_FORMS": "0",
        "texts-MAX_NUM_FORMS": "3",
    }
    for index, text in enumerate(texts):
        for name, value in text.items():
            data[f"texts-{index}-{name}"] = value
        data[f"texts-{index}-photo"] = str(photo.pk)
    return data


@pytest.mark.usefixtures("multilingual")
def test_a_language_without_a_text_reads_the_default_languages():
    photo = _photo()
    PhotoText.objects.create(photo=photo, language="es", alt_text="Familias esperan")

    assert photo_text(photo, "es") == ("Familias esperan", "Families wait to cross the border.")
    assert photo_text(photo, "ar") == (photo.alt_text, photo.caption)
    assert photo_text(photo, "en") == (photo.alt_text, photo.caption)


@pytest.mark.usefixtures("multilingual")
def test_one_text_per_photo_and_language():
    photo = _photo()
    PhotoText.objects.create(photo=photo, language="es", alt_text="Uno")
    with pytest.raises(IntegrityError), transaction.atomic():
        PhotoText.objects.create(photo=photo, language="es", alt_text="Dos")


@pytest.mark.usefixtures("multilingual")
def test_an_articles_caption_and_alt_are_in_its_language(client):
    photo = _photo()
    PhotoText.objects.create(
        photo=photo, language="es", alt_text="Familias esperan", caption="Familias en la frontera."
    )
    english = ArticleFactory(hero_photo=photo)
    spanish = ArticleFactory(language="es", translation_of=english, hero_photo=photo)
    french = ArticleFactory(language="fr", translation_of=english, hero_photo=photo)

    assert spanish.caption == "Familias en la frontera."
    assert spanish.hero_alt == "Familias esperan"
    assert french.caption == "Families wait to cross the border."
    assert english.caption == "Families wait to cross the border."

    page = client.get(spanish.get_absolute_url()).content.decode()
    assert 'alt="Familias esperan"' in page
    assert "Familias en la frontera." in page
    assert '"caption": "Familias en la frontera."' in page or "Familias en la frontera" in page
    assert (
        'alt="Families wait at a border crossing"'
        in client.get(english.get_absolute_url()).content.decode()
    )

    cards = client.get("/es/news/").content.decode()
    assert 'alt="Familias esperan"' in cards
    feed = client.get("/es/news/feed/").content.decode()
    assert "Familias esperan" in feed
    assert "Familias esperan" not in client.get("/news/feed/").content.decode()


@pytest.mark.usefixtures("multilingual")
def test_an_articles_own_caption_still_wins():
    photo = _photo()
    PhotoText.objects.create(photo=photo, language="es", caption="Familias en la frontera.")
    spanish = ArticleFactory(language="es", hero_photo=photo, hero_caption="Su propio pie.")
    assert spanish.caption == "Su propio pie."


@pytest.mark.usefixtures("multilingual")
def test_cards_read_the_texts_with_the_renditions(client):
    photo = _photo()
    PhotoText.objects.create(photo=photo, language="es", alt_text="Familias esperan")
    for _n in range(3):
        ArticleFactory(language="es", hero_photo=photo)
        ArticleFactory(language="en", hero_photo=photo)
    counts = {}
    for url in ("/news/", "/es/news/"):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    assert counts["/es/news/"] == counts["/news/"]
    assert 'alt="Familias esperan"' in client.get("/es/news/").content.decode()


@pytest.mark.usefixtures("multilingual")
def test_editors_write_the_texts_on_the_photo_and_see_what_is_missing(editor_client):
    photo = _photo()
    url = reverse("admin:media_library_photo_change", args=[photo.pk])

    page = editor_client.get(url).content.decode()
    assert "Español, Français, العربية" in page
    response = editor_client.post(
        url,
        _form(
            photo,
            [{"language": "es", "alt_text": "Familias esperan", "caption": "En la frontera."}],
        ),
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert photo_text(photo, "es") == ("Familias esperan", "En la frontera.")

    changelist = editor_client.get(reverse("admin:media_library_photo_changelist"))
    assert "Français, العربية" in changelist.content.decode()
    assert "Español, Français" not in changelist.content.decode()


@pytest.mark.usefixtures("multilingual")
def test_the_default_language_and_unknown_ones_are_not_offered(editor_client):
    photo = _photo()
    url = reverse("admin:media_library_photo_change", args=[photo.pk])
    for language in ("en", "de"):
        response = editor_client.post(
            url, _form(photo, [{"language": language, "alt_text": "x", "caption": ""}])
        )
        assert response.status_code == 200
    assert not PhotoText.objects.exists()


def test_an_english_only_newsroom_has_no_texts_to_write(editor_client):
    photo = _photo()
    page = editor_client.get(reverse("admin:media_library_photo_change", args=[photo.pk]))
    assert "Missing texts" not in page.content.decode()
    assert "texts-TOTAL_FORMS" not in page.content.decode()
    # Posted as before languages existed: no inline management form needed.
    response = editor_client.post(
        reverse("admin:media_library_photo_change", args=[photo.pk]),
        {k: v for k, v in _form(photo, []).items() if not k.startswith("texts-")},
    )
    assert response.status_code == 302


@pytest.mark.usefixtures("multilingual")
def test_only_what_the_default_language_has_can_be_missing():
    photo = make_photo(
        file=image_upload("d.jpg"),
        alt_text="",
        is_decorative=True,
        caption="A vigil.",
        generate_renditions=False,
    )
    PhotoText.objects.create(photo=photo, language="es", caption="Una vigilia.")

    assert missing_languages(photo) == ["fr", "ar"]
    photo.caption = ""
    assert missing_languages(photo) == []
