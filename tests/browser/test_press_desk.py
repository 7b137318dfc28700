"""The press desk in a real browser: the press contacts page a journalist opens, and the
inquiry page where the press office reads the thread and replies; axe-core on both."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from articles.models import Region
from core.models import SiteSettings
from media_library.services import photo_create
from outbox.models import Message
from press.models import InquiryMessage, MediaInquiry
from press.tasks import send_inquiry_message
from tests.browser.conftest import assert_no_violations
from tests.factories import (
    MediaInquiryFactory,
    PressContactFactory,
    SpokespersonFactory,
    image_upload,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"


def test_press_contacts_page(page, axe):
    row = SiteSettings.load()
    row.out_of_hours_phone = "+1 212 555 0199"
    row.save()
    photo = photo_create(
        file=image_upload("portrait.jpg", width=800, height=800),
        alt_text="Portrait of Ana Rivera",
        caption="",
        credit="Photo by Jane Doe",
    )
    person = SpokespersonFactory(
        name="Ana Rivera",
        slug="ana-rivera",
        role="Americas Director",
        languages="English, Spanish",
        topics="Refugees and migrants",
        email="ana@example.org",
        phone="+52 55 1234 5678",
        photo=photo,
    )
    person.regions.set(Region.objects.filter(slug="mx"))
    PressContactFactory(name="Sam Okafor", phone="+234 201 234 5678")

    page.goto("/press/")
    assert page.get_by_role("heading", name="Ana Rivera").is_visible()
    assert page.get_by_text("Out of hours:").is_visible()
    link = page.get_by_role(
        "link", name="Save Ana Rivera\N{RIGHT SINGLE QUOTATION MARK}s contact card (vCard)"
    )
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "ana-rivera.vcf"
    assert_no_violations(axe, "the press contacts page")


def test_inquiry_page_with_its_thread_and_reply_form(page, axe, press_officer, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    inquiry = MediaInquiryFactory(
        phone="+1 212 555 0100", deadline=timezone.now() - timedelta(minutes=30)
    )
    failed = InquiryMessage.objects.create(
        inquiry=inquiry,
        kind=InquiryMessage.Kind.REPLY,
        author=press_officer,
        recipient=inquiry.email,
        body="A first answer that could not be sent.",
    )
    # Queued and failed once, in one transaction: the delivery nudged when it commits
    # finds the mail waiting for its retry, not due.
    with transaction.atomic():
        send_inquiry_message.call(failed.pk)
        Message.objects.about(failed).update(
            state=Message.State.RETRYING,
            attempts=1,
            last_error="ConnectionRefusedError(111, 'Connection refused')",
            next_attempt_at=timezone.now() + timedelta(minutes=5),
        )
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(press_officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto("/admin/press/mediainquiry/")
    assert page.get_by_text("overdue by 30 min").is_visible()
    assert_no_violations(axe, "the inquiry list")

    page.goto(f"/admin/press/mediainquiry/{inquiry.pk}/change/")
    assert page.get_by_text("Failed, retrying at").is_visible()
    assert_no_violations(axe, "the inquiry page with its reply form")

    page.get_by_label("Reply to the journalist").fill("Our director can speak at 3 pm.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(f"**/admin/press/mediainquiry/{inquiry.pk}/change/#thread")
    assert page.get_by_text("Our director can speak at 3 pm.").is_visible()
    inquiry.refresh_from_db()
    assert inquiry.status == MediaInquiry.Status.ANSWERED
    assert_no_violations(axe, "the inquiry page after a reply")
