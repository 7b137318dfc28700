"""The site's addresses come from one source each: absolute links from SITE_URL (through
``core.links.absolute_url``), the press office's e-mail from the site settings with
PRESS_OFFICE_EMAIL only as the fallback."""

import pytest
from django.core import mail

from core.links import absolute_url
from core.models import SiteSettings
from embargo.models import EmbargoLink
from press import emails
from press.media_kit import release_text
from tests.factories import ArticleFactory, MediaInquiryFactory, SpokespersonFactory

pytestmark = pytest.mark.django_db

BASE = "https://news.example.org"


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = BASE
    return BASE


def test_absolute_url_joins_the_configured_base(site_url):
    assert absolute_url("/news/a/") == f"{BASE}/news/a/"
    assert absolute_url("news/a/") == f"{BASE}/news/a/"


def test_every_link_leaving_the_site_uses_the_configured_base(site_url, client):
    article = ArticleFactory(slug="a-story")
    inquiry = MediaInquiryFactory()
    person = SpokespersonFactory(slug="ana")
    link, _ = EmbargoLink.issue(article=article, email="j@example.com")

    texts = {
        "inquiry notice": emails.inquiry_notification(inquiry).body,
        "vCard": client.get(f"/press/spokespeople/{person.slug}.vcf").content.decode(),
        "media kit": release_text(article, site=SiteSettings.load()),
        "embargo link": link.absolute_url,
    }
    for where, text in texts.items():
        assert f"{BASE}/" in text, where
        assert "localhost" not in text and "127.0.0.1" not in text, where


class TestPressAddress:
    def test_notices_go_to_the_press_address_the_site_advertises(self, client):
        row = SiteSettings.load()
        row.press_email = "desk@ngo.example"
        row.save()

        assert "mailto:desk@ngo.example" in client.get("/press/").content.decode()
        assert emails.inquiry_recipients() == ["desk@ngo.example"]

    def test_named_recipients_still_win_for_notices(self):
        row = SiteSettings.load()
        row.press_email = "desk@ngo.example"
        row.inquiry_recipients = "lead@ngo.example, night@ngo.example"
        row.save()
        assert emails.inquiry_recipients() == ["lead@ngo.example", "night@ngo.example"]

    def test_the_setting_is_the_fallback_until_site_settings_name_one(self, settings, client):
        settings.PRESS_OFFICE_EMAIL = "office@ngo.example"
        assert not SiteSettings.objects.exists()

        assert "mailto:office@ngo.example" in client.get("/press/").content.decode()
        assert emails.inquiry_recipients() == ["office@ngo.example"]
        ack = emails.inquiry_acknowledgement(MediaInquiryFactory())
        assert ack.reply_to == ["office@ngo.example"]

    def test_out_of_the_box_the_advertised_and_notified_addresses_agree(self, client):
        advertised = SiteSettings.load().press_email
        assert f"mailto:{advertised}" in client.get("/press/").content.decode()
        assert emails.inquiry_recipients() == [advertised]
        mail.outbox.clear()

    def test_a_spokesperson_without_direct_email_gives_the_press_address(self, client):
        row = SiteSettings.load()
        row.press_email = "desk@ngo.example"
        row.save()
        person = SpokespersonFactory(email="", phone="")
        card = client.get(f"/press/spokespeople/{person.slug}.vcf").content.decode()
        assert "EMAIL;TYPE=INTERNET,WORK:desk@ngo.example\r\n" in card
