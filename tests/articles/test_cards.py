"""Cached article cards: fresh after every edit, and cheap when warm."""

import pytest
from django.core.cache import cache

from articles.cards import render_cards
from articles.models import Article
from articles.pagination import Listed
from core.cache import content_epoch, derived_key
from media_library.processing import photo_generate_renditions
from tests.factories import ArticleFactory, image_upload, make_photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo():
    return make_photo(file=image_upload("card.jpg", width=640, height=360), alt_text="A march")


def test_cards_render_photo_title_and_date(photo):
    ArticleFactory(title="Release the activists", hero_photo=photo)
    [card] = render_cards(Article.objects.live().for_cards(), eager=1)
    assert "Release the activists" in card
    assert 'alt="A march"' in card
    assert 'loading="eager"' in card


def test_a_cold_page_loads_deferred_renditions_in_one_query(photo, django_assert_num_queries):
    for _ in range(5):
        ArticleFactory(hero_photo=photo)
    articles = list(Article.objects.live().for_cards())
    content_epoch()  # looked up once per change, not per page
    with django_assert_num_queries(1):
        cards = render_cards(articles)
    assert all("<picture>" in card for card in cards)


def test_a_warm_page_makes_no_queries_and_renders_nothing(photo, django_assert_num_queries):
    for _ in range(5):
        ArticleFactory(hero_photo=photo)
    render_cards(Article.objects.live().for_cards())
    articles = list(Article.objects.live().for_cards())
    with django_assert_num_queries(0):
        cards = render_cards(articles)
    assert len(cards) == 5


def test_a_list_page_shows_kept_cards_by_id_alone(photo, django_assert_num_queries):
    articles = [ArticleFactory(hero_photo=photo) for _ in range(3)]
    render_cards(Article.objects.live().for_cards())
    with django_assert_num_queries(0):
        cards = render_cards([Listed(article.pk) for article in reversed(articles)])
    assert [articles[2].title in cards[0], articles[0].title in cards[2]] == [True, True]


def test_a_card_not_kept_reads_its_row_and_one_no_longer_live_is_left_out(
    photo, django_assert_num_queries
):
    shown, withdrawn = ArticleFactory(hero_photo=photo), ArticleFactory(title="Withdrawn")
    # Behind the cache's back (no signal): the card must still not be shown.
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    content_epoch()  # looked up once per change, not per page
    with django_assert_num_queries(2):  # the live rows, then their photos' renditions
        cards = render_cards([Listed(shown.pk), Listed(withdrawn.pk)])
    assert len(cards) == 1
    assert shown.title in cards[0] and "<picture>" in cards[0]


def test_an_edit_shows_at_once():
    article = ArticleFactory(title="First headline")
    render_cards(Article.objects.live().for_cards())
    article.title = "Corrected headline"
    article.save()
    [card] = render_cards(Article.objects.live().for_cards())
    assert "Corrected headline" in card
    assert "First headline" not in card


def test_a_new_photo_version_shows_at_once(photo):
    ArticleFactory(hero_photo=photo)
    [before] = render_cards(Article.objects.live().for_cards())
    photo.alt_text = "A march through the capital"
    photo.save()
    [after] = render_cards(Article.objects.live().for_cards())
    assert 'alt="A march through the capital"' in after
    assert before != after


def test_list_page_uses_cached_cards(client):
    ArticleFactory(title="Cached card")
    client.get("/news/")
    [article] = Article.objects.live().for_cards()
    assert cache.get(derived_key("card", article.pk, True)) is not None
    assert "Cached card" in client.get("/news/").content.decode()


def test_renditions_made_later_show_on_a_cached_card():
    # An import creates photos first and makes their renditions in a later step.
    photo = make_photo(
        file=image_upload("late.jpg", width=640, height=360),
        alt_text="A late photo",
        generate_renditions=False,
    )
    ArticleFactory(hero_photo=photo)
    [before] = render_cards(Article.objects.live().for_cards())
    assert "<picture>" not in before
    photo_generate_renditions(photo=photo)
    [after] = render_cards(Article.objects.live().for_cards())
    assert "<picture>" in after
