"""Every list page offers its RSS feed and e-mail alerts for the same filters."""

import re

import pytest
from django.contrib.auth.models import Group

from core.roles import PRESS_OFFICE
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def links(html):
    """The list's "Follow this list" links, by their visible text."""
    row = re.search(r'<ul class="subscribe"[^>]*>(.*?)</ul>', html, re.S).group(1)
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a class="subscribe__link" href="([^"]+)">(.*?)</a>', row)
    }


def test_a_filtered_list_links_alerts_prefilled_next_to_its_feed(client):
    ArticleFactory(regions=["mx"], topics=["Asylum"])
    html = client.get("/news/?region=MX&type=report&topic=asylum&page=1&sort=oldest").content
    found = links(html.decode())
    # The feed link leads to the page that explains how to follow the feed.
    assert found["RSS feed of this list"] == "/news/feed/about/?type=report&region=mx&topic=asylum"
    assert (
        found["Get e-mail alerts for this search"]
        == "/press/alerts/?type=report&region=mx&topic=asylum"
    )
    # The link leads to a form with those filters chosen.
    form = client.get(found["Get e-mail alerts for this search"]).content.decode()
    assert re.search(r'<option value="mx" selected', form)


def test_the_unfiltered_list_offers_alerts_for_everything(client):
    ArticleFactory()
    found = links(client.get("/news/").content.decode())
    assert found == {
        "RSS feed": "/news/feed/about/",
        "Get e-mail alerts for new articles": "/press/alerts/",
    }


def test_the_press_office_role_manages_subscribers():
    codenames = set(
        Group.objects.get(name=PRESS_OFFICE).permissions.values_list("codename", flat=True)
    )
    assert {"view_subscription", "change_subscription", "delete_subscription"} <= codenames
    assert "add_subscription" not in codenames
