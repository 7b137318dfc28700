"""The outbox in the admin: the press office sees what is queued, failing or given up."""

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from outbox import services
from outbox.models import Message
from tests.outbox.helpers import delivered

pytestmark = pytest.mark.django_db

URL = "/admin/outbox/message/"


@pytest.fixture
def messages():
    for n, state in enumerate(["queued", "retrying", "gave_up", "sent"]):
        row = services.enqueue(
            EmailMessage(f"Mail {n}", "Body", to=[f"reader{n}@example.com"]),
            kind="alerts.alert" if n % 2 else "press.reply",
        )
        sent_at = timezone.now() if state == "sent" else None
        Message.objects.filter(pk=row.pk).update(
            state=state, last_error=f"error {n}", sent_at=sent_at
        )
    return Message.objects.order_by("pk")


def test_the_press_office_filters_and_searches(client, press_officer, messages):
    client.force_login(press_officer)
    response = client.get(URL)
    assert response.status_code == 200
    for n in range(4):
        assert f"reader{n}@example.com" in response.text
    failing = client.get(URL, {"state": "retrying"}).text
    assert "reader1@example.com" in failing and "reader0@example.com" not in failing
    by_kind = client.get(URL, {"kind": "press.reply"}).text
    assert "reader0@example.com" in by_kind and "reader1@example.com" not in by_kind
    found = client.get(URL, {"q": "reader2@"}).text
    assert "reader2@example.com" in found and "reader3@example.com" not in found
    assert client.get(f"{URL}{messages[0].pk}/change/").status_code == 200


def test_send_again_now_and_give_up(client, press_officer, messages):
    client.force_login(press_officer)
    queued, given_up = messages.get(state="queued"), messages.get(state="gave_up")
    client.post(URL, {"action": "give_up", "_selected_action": [queued.pk]})
    queued.refresh_from_db()
    assert queued.state == Message.State.GAVE_UP and "given up by" in queued.last_error

    response = client.post(
        URL, {"action": "send_again_now", "_selected_action": [given_up.pk]}, follow=True
    )
    assert response.status_code == 200
    given_up.refresh_from_db()
    assert given_up.state == Message.State.QUEUED and given_up.attempts == 0
    assert given_up.next_attempt_at <= timezone.now()
    # With the retrying one, whose time had come; not the one given up by hand.
    sent = sorted(m.to[0] for m in delivered())
    assert sent == ["reader1@example.com", "reader2@example.com"]


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_other_staff_never_see_recipients(client, request, role, messages):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
