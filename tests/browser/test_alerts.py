"""E-mail alerts in a real browser, as a journalist meets them: from a filtered list to
the subscribe form, the confirmation page, preferences and unsubscribing; axe-core on
every page, the form's error state included."""

import re

import pytest
from django.core import mail

from alerts.models import Subscription
from alerts.tokens import token_for
from tests.browser.conftest import assert_no_violations
from tests.factories import ArticleFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def link_in(message, kind):
    return re.search(rf"https?://\S+(/press/alerts/{kind}/\S+/)", message.body).group(1)


def test_subscribe_confirm_change_and_stop(page, axe, settings):
    mail.outbox = []
    ArticleFactory(title="Pushbacks at the border", regions=["mx"], topics=["Asylum"])

    page.goto("/news/?region=mx&topic=asylum")
    page.get_by_role("link", name="Get e-mail alerts for this search").click()
    page.wait_for_url(re.compile(r"/press/alerts/\?"))
    assert page.get_by_label("Region or country").input_value() == "mx"
    assert page.get_by_label("Topic").input_value() == "asylum"
    assert_no_violations(axe, "the subscribe form")

    # Sent empty: the errors are summarised, linked and announced.
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("alert").is_visible()
    assert_no_violations(axe, "the subscribe form with errors")

    page.get_by_label("Your e-mail address").fill("reporter@example.com")
    page.get_by_label("One daily digest").check()
    page.get_by_label("Time of the daily digest").select_option("07:00")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/press/alerts/check-your-inbox/")
    assert_no_violations(axe, "the check-your-inbox page")

    [confirmation] = mail.outbox
    page.goto(link_in(confirmation, "confirm"))
    assert Subscription.objects.get().status == Subscription.Status.PENDING
    assert_no_violations(axe, "the confirmation page")
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Your alerts are on").is_visible()
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED
    assert_no_violations(axe, "the confirmed page")

    page.get_by_role("link", name="Change what you receive").click()
    assert_no_violations(axe, "the preferences page")
    page.get_by_label("As soon as each article is published").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Saved.").is_visible()
    assert Subscription.objects.get().frequency == Subscription.Frequency.INSTANT

    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert_no_violations(axe, "the unsubscribed page")
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED


def test_the_unsubscribe_page_from_a_mail(page, axe):
    subscription = Subscription.objects.create(
        email="reporter@example.com",
        status=Subscription.Status.CONFIRMED,
        consent_text="…",
    )
    page.goto(f"/press/alerts/unsubscribe/{token_for(subscription, 'unsubscribe')}/")
    assert_no_violations(axe, "the unsubscribe page")
    page.goto("/press/alerts/unsubscribe/not-a-token/")
    assert page.get_by_role("heading", name="This link does not work").is_visible()
    assert_no_violations(axe, "the invalid link page")


# Every list item around a checkbox or radio button in the form, with its marker style.
CHOICE_MARKERS = """() => [...document.querySelectorAll('form li')]
    .filter(li => li.querySelector('input[type=checkbox], input[type=radio]'))
    .map(li => ({text: li.textContent.trim(), display: getComputedStyle(li).display,
                 listStyle: getComputedStyle(li).listStyleType,
                 marker: getComputedStyle(li, '::marker').content}))"""


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
)
def test_the_form_choices_have_no_bullets(page, axe, viewport):
    page.set_viewport_size(viewport)
    page.goto("/press/alerts/")
    choices = page.evaluate(CHOICE_MARKERS)
    # The three types and the two frequencies at least.
    assert len(choices) >= 5
    for choice in choices:
        assert choice["display"] != "list-item" or choice["listStyle"] == "none", choice
    # Each box sits at the form's left edge, not indented like a bulleted list.
    form_left = page.locator("form.alerts-form").bounding_box()["x"]
    box = page.get_by_label("Report").bounding_box()
    assert box["x"] - form_left < 8
    assert_no_violations(axe, "the subscribe form")
