"""The recipients' e-mails: the personal link once, and each move of the publication time."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from articles.models import Article
from embargo import tasks
from embargo.formats import embargo_time
from embargo.models import EmbargoLink
from outbox.models import Message
from tests.embargo.conftest import SECRET_TITLE, share
from tests.outbox.helpers import delivered

pytestmark = pytest.mark.django_db

REFUSING = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def test_each_recipient_gets_their_own_link_by_email(
    client, embargoed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tokens = share(embargoed, "ana@example.com", "bob@example.org")

    assert [m.to for m in mail.outbox] == [["ana@example.com"], ["bob@example.org"]]
    for message, token in zip(mail.outbox, tokens, strict=True):
        assert SECRET_TITLE in message.subject
        assert embargo_time(embargoed.published_at) in message.subject
        assert f"http://localhost:8000/embargo/{token}/" in message.body
        assert "EMBARGOED UNTIL" in message.body
    # The other recipient's token is in no one else's mail.
    assert tokens[1] not in mail.outbox[0].body
    link = EmbargoLink.objects.get(email="ana@example.com")
    assert link.invited_at is not None
    assert link.notified_published_at == embargoed.published_at


def test_nothing_is_sent_before_commit(embargoed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        share(embargoed, "ana@example.com")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_retried_task_never_sends_twice(embargoed):
    share(embargoed, "ana@example.com")
    link = EmbargoLink.objects.get()

    assert tasks.notify_recipient.call(link_id=link.pk) == "queued invitation"
    assert tasks.notify_recipient.call(link_id=link.pk) == "nothing due"
    assert len(delivered()) == 1


def test_a_failed_send_is_recorded_and_the_next_attempt_sends(settings, embargoed):
    share(embargoed, "ana@example.com")
    link = EmbargoLink.objects.get()
    settings.MAILERS = REFUSING

    assert tasks.notify_recipient.call(link_id=link.pk) == "queued invitation"
    assert delivered() == []
    message = Message.objects.get(kind="embargo.invitation")
    assert message.state == Message.State.RETRYING and message.last_error

    settings.MAILERS = LOCMEM
    Message.objects.update(next_attempt_at=timezone.now())
    assert tasks.notify_recipient.call(link_id=link.pk) == "nothing due"
    assert len(delivered()) == 1
    assert Message.objects.get(kind="embargo.invitation").state == Message.State.SENT


def test_a_moved_publication_time_is_mailed_once_with_the_new_time(
    embargoed, token, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    new_time = timezone.now() + timedelta(days=4, hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        embargoed.published_at = new_time
        embargoed.save()
    with django_capture_on_commit_callbacks(execute=True):
        embargoed.title = SECRET_TITLE  # another save, same time: nothing to tell
        embargoed.save()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reporter@example.com"]
    assert message.subject.startswith(f"Embargo moved to {embargo_time(new_time)}")
    assert f"/embargo/{token}/" in message.body
    link = EmbargoLink.objects.get()
    assert link.notified_published_at == new_time
    assert tasks.notify_recipient.call(link_id=link.pk) == "nothing due"


def test_an_early_lift_is_mailed_as_lifted(embargoed, token, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        embargoed.published_at = timezone.now() - timedelta(minutes=1)
        embargoed.save()

    assert mail.outbox[0].subject == f"Embargo lifted: {SECRET_TITLE}"


def test_revoked_unpublished_and_hand_delivered_links_get_no_notice(
    embargoed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        share(embargoed, "revoked@example.com")
        share(embargoed, "byhand@example.com", send_email=False)
    EmbargoLink.objects.filter(email="revoked@example.com").update(revoked_at=timezone.now())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        embargoed.published_at += timedelta(days=1)
        embargoed.save()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        share(embargoed, "later@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        embargoed.status = Article.Status.DRAFT
        embargoed.published_at += timedelta(days=1)
        embargoed.save()
    assert mail.outbox == []


def test_an_invitation_is_not_sent_once_the_article_is_unpublished(embargoed):
    share(embargoed, "ana@example.com")
    Article.objects.filter(pk=embargoed.pk).update(status=Article.Status.DRAFT)

    assert tasks.notify_recipient.call(link_id=EmbargoLink.objects.get().pk) == "nothing due"
    assert mail.outbox == []
