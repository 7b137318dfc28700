"""The home page's offer of the other languages: in the markup, hidden, each in its own
language; none on an English-only site. Which one shows is the browser's choice
(tests/browser/test_language_offer.py)."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

pytestmark = pytest.mark.django_db


def test_each_other_language_is_offered_in_itself(client, multilingual):
    response = client.get("/es/")

    assertNotContains(response, 'data-language="es"')
    assertContains(response, 'lang="en" dir="ltr" data-language="en"')
    assertContains(response, "This newsroom also publishes in your language:")
    assertContains(response, 'lang="ar" dir="rtl" data-language="ar"')
    assertContains(response, "تنشر غرفة الأخبار هذه بلغتك أيضاً")
    assertContains(response, 'href="/ar/" hreflang="ar"')
    assertContains(response, "js/language-offer")
    assert "Vary" not in response or "Accept-Language" not in response["Vary"]


def test_an_english_only_home_page_offers_nothing(client):
    response = client.get("/")

    assertNotContains(response, "language-offer")
