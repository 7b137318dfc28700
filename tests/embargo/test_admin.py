"""The press office's side: share, revoke, and see who opened what."""

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains

from embargo.models import EmbargoLink, JournalistContact
from tests.embargo.conftest import share

pytestmark = pytest.mark.django_db


def embargo_url(article):
    return f"/admin/articles/article/{article.pk}/embargo/"


@pytest.fixture(params=["editor", "press_officer"])
def sharer_client(request, client):
    client.force_login(request.getfixturevalue(request.param))
    return client


def test_editors_and_the_press_office_share_by_pasting_and_picking(
    sharer_client, embargoed, django_capture_on_commit_callbacks
):
    contact = JournalistContact.objects.create(
        name="Lena Ortiz", outlet="Daily Example", email="lena@example.net"
    )
    page = sharer_client.get(embargo_url(embargoed))
    assertContains(page, "Share under embargo")
    assertContains(page, "Lena Ortiz (Daily Example)")

    with django_capture_on_commit_callbacks(execute=True):
        response = sharer_client.post(
            embargo_url(embargoed),
            {
                "action": "share",
                "recipients": "ana@example.com\nBob <bob@example.org>, ana@example.com",
                "contacts": [contact.pk],
            },
        )

    assert response.status_code == 302
    assert sorted(EmbargoLink.objects.values_list("email", flat=True)) == [
        "ana@example.com",
        "bob@example.org",
        "lena@example.net",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.com",
        "bob@example.org",
        "lena@example.net",
    ]
    assert EmbargoLink.objects.filter(created_by__isnull=False).count() == 3


def test_a_contact_and_a_pasted_spelling_of_their_address_get_one_link(
    editor_client, embargoed, django_capture_on_commit_callbacks
):
    contact = JournalistContact.objects.create(name="Lena Ortiz", email="lena@xn--exmple-cua.net")
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            embargo_url(embargoed),
            {"action": "share", "recipients": "LENA@EXÄMPLE.net", "contacts": [contact.pk]},
        )
    assert list(EmbargoLink.objects.values_list("email", flat=True)) == ["LENA@xn--exmple-cua.net"]
    assert [m.to for m in mail.outbox] == [["LENA@xn--exmple-cua.net"]]


def test_contacts_are_stored_normalised_and_once_per_mailbox(editor_client):
    add = "/admin/embargo/journalistcontact/add/"
    response = editor_client.post(add, {"name": "Lena Ortiz", "email": "Lena@EXÄMPLE.net"})
    assert response.status_code == 302
    assert JournalistContact.objects.get().email == "Lena@xn--exmple-cua.net"

    response = editor_client.post(add, {"name": "Lena O.", "email": "lena@xn--exmple-cua.NET"})
    assert response.status_code == 200
    assertContains(response, "Lena Ortiz already has this address")
    response = editor_client.post(add, {"name": "Lena O.", "email": "lena@[192.0.2.1]"})
    assertContains(response, "not at an IP address")
    assert JournalistContact.objects.count() == 1


def test_every_bad_address_is_named_and_nothing_is_lost(editor_client, embargoed):
    pasted = "ana@example.com\nnot-an-address\nbob@example.org, also wrong@"

    response = editor_client.post(
        embargo_url(embargoed), {"action": "share", "recipients": pasted}
    )

    assert response.status_code == 200
    assertContains(response, "“not-an-address” is not an e-mail address.")
    assertContains(response, "“wrong@” is not an e-mail address.")
    assertContains(response, "“also” is not an e-mail address.")
    # The text comes back as typed, and no one was sent anything.
    assertContains(response, "ana@example.com\nnot-an-address\nbob@example.org, also wrong@")
    assert not EmbargoLink.objects.exists()
    assert mail.outbox == []


def test_an_empty_form_asks_for_someone(editor_client, embargoed):
    response = editor_client.post(embargo_url(embargoed), {"action": "share", "recipients": ""})

    assertContains(response, "Paste at least one address or pick a saved contact.")


def test_writers_cannot_share(writer_client, writer, embargoed):
    assert writer_client.get(embargo_url(embargoed)).status_code == 403
    response = writer_client.post(
        embargo_url(embargoed), {"action": "share", "recipients": "a@example.com"}
    )
    assert response.status_code == 403
    assert not EmbargoLink.objects.exists()
    change = writer_client.get(f"/admin/articles/article/{embargoed.pk}/change/")
    assertNotContains(change, embargo_url(embargoed))
    assertNotContains(change, "Embargo links")


def test_revoke_one_then_all(editor_client, embargoed):
    share(embargoed, "a@example.com", "b@example.com", "c@example.com")
    link = EmbargoLink.objects.get(email="b@example.com")

    editor_client.post(embargo_url(embargoed), {"action": "revoke", "link": link.pk})
    assert list(
        EmbargoLink.objects.filter(revoked_at__isnull=False).values_list("email", flat=True)
    ) == ["b@example.com"]

    editor_client.post(embargo_url(embargoed), {"action": "revoke-all"})
    assert not EmbargoLink.objects.filter(revoked_at__isnull=True).exists()


@pytest.mark.parametrize("value", ["", "²", "9" * 5000, "9" * 25])
def test_an_odd_link_id_revokes_nothing_and_says_so(editor_client, embargoed, value):
    share(embargoed, "a@example.com")
    response = editor_client.post(embargo_url(embargoed), {"action": "revoke", "link": value})
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["That link was already revoked."]
    assert EmbargoLink.objects.get().revoked_at is None


def test_the_change_page_lists_who_was_sent_a_link_and_who_opened_it(
    client, editor, embargoed, token
):
    share(embargoed, "never@example.com")
    client.get(f"/embargo/{token}/", HTTP_USER_AGENT="Mozilla/5.0 TestBrowser")
    client.force_login(editor)

    response = client.get(f"/admin/articles/article/{embargoed.pk}/change/")

    assertContains(response, "Share under embargo")
    assertContains(response, "reporter@example.com")
    assertContains(response, "Mozilla/5.0 TestBrowser")
    assertContains(response, "never@example.com")
    assertContains(response, "not opened")


def test_a_live_or_draft_article_cannot_be_shared(editor_client, embargoed):
    from articles.models import Article

    Article.objects.filter(pk=embargoed.pk).update(status=Article.Status.DRAFT)

    page = editor_client.get(embargo_url(embargoed))
    assertContains(page, "only a published article whose publication time is still ahead")
    assertNotContains(page, 'value="Send personal links"')
    editor_client.post(embargo_url(embargoed), {"action": "share", "recipients": "a@example.com"})
    assert not EmbargoLink.objects.exists()
    change = editor_client.get(f"/admin/articles/article/{embargoed.pk}/change/")
    assertNotContains(change, f'href="{embargo_url(embargoed)}">Share under embargo')


def test_the_links_and_contacts_admin_pages(editor_client, embargoed, token):
    JournalistContact.objects.create(name="Lena Ortiz", email="lena@example.net")

    assertContains(editor_client.get("/admin/embargo/embargolink/"), "reporter@example.com")
    assertContains(editor_client.get("/admin/embargo/journalistcontact/"), "Lena Ortiz")
    assert editor_client.get("/admin/embargo/embargolink/add/").status_code == 403
