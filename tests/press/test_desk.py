"""The press desk in the admin: countdowns, urgency, filters, links, replies on a thread,
and assignment notices, all through the admin client as the press office works."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import SiteSettings
from outbox.models import Message
from press import services
from press.models import InquiryMessage, MediaInquiry, describe_span
from tests.factories import MediaInquiryFactory, UserFactory
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/press/mediainquiry/"


@pytest.fixture
def press_client(client, press_officer):
    client.force_login(press_officer)
    return client


def change_url(inquiry):
    return f"{CHANGELIST}{inquiry.pk}/change/"


def reply_url(inquiry):
    return f"{CHANGELIST}{inquiry.pk}/reply/"


def rows(client, query=""):
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


class TestCountdown:
    @pytest.mark.parametrize(
        ("offset", "expected"),
        [
            (timedelta(hours=3, minutes=10), "due in 3 h"),
            (timedelta(minutes=45, seconds=30), "due in 45 min"),
            (-timedelta(minutes=20, seconds=5), "overdue by 20 min"),
            (-timedelta(hours=5, minutes=1), "overdue by 5 h"),
            (timedelta(days=3, hours=1), "due in 3 days"),
            (timedelta(seconds=20), "due in 0 min"),
        ],
    )
    def test_words(self, offset, expected):
        now = timezone.now()
        inquiry = MediaInquiry(deadline=now + offset, status=MediaInquiry.Status.NEW)
        assert inquiry.countdown(now=now) == expected

    def test_settled_or_without_deadline_have_none(self):
        now = timezone.now()
        answered = MediaInquiry(deadline=now, status=MediaInquiry.Status.ANSWERED)
        assert answered.countdown(now=now) == ""
        assert MediaInquiry(deadline=None).countdown(now=now) == ""
        assert describe_span(timedelta(hours=47, minutes=59)) == "47 h"

    def test_changelist_shows_countdown_with_overdue_class(self, press_client):
        MediaInquiryFactory(deadline=timezone.now() - timedelta(minutes=20, seconds=30))
        MediaInquiryFactory(deadline=timezone.now() + timedelta(hours=3, minutes=30))
        html = press_client.get(CHANGELIST).content.decode()
        assert '<span class="deadline overdue"><strong>overdue by 20 min</strong>' in html
        assert '<span class="deadline"><strong>due in 3 h</strong>' in html
        # The colour comes from the admin's error colour, which passes contrast in both
        # themes; the stylesheet is on the page.
        assert "press/admin.css" in html


class TestUrgencyAndFilters:
    def test_default_order_is_by_urgency(self, press_client):
        now = timezone.now()
        answered_long_ago = MediaInquiryFactory(
            deadline=now - timedelta(days=3), status=MediaInquiry.Status.ANSWERED
        )
        no_deadline = MediaInquiryFactory()
        later = MediaInquiryFactory(deadline=now + timedelta(days=2))
        overdue = MediaInquiryFactory(deadline=now - timedelta(hours=1))
        soon = MediaInquiryFactory(deadline=now + timedelta(hours=1))
        assert rows(press_client) == [overdue, soon, later, no_deadline, answered_long_ago]

    def test_overdue_due_today_and_unassigned(self, press_client, press_officer, settings):
        now = timezone.now()
        overdue = MediaInquiryFactory(deadline=now - timedelta(minutes=5))
        in_a_minute = MediaInquiryFactory(deadline=now + timedelta(minutes=1))
        next_week = MediaInquiryFactory(deadline=now + timedelta(days=7))
        assigned = MediaInquiryFactory(deadline=now + timedelta(minutes=2), assignee=press_officer)
        closed = MediaInquiryFactory(
            deadline=now - timedelta(minutes=5), status=MediaInquiry.Status.CLOSED
        )
        assert rows(press_client, "deadline_state=overdue") == [overdue]
        today = rows(press_client, "deadline_state=today")
        # Everything left of today in the newsroom's time zone, open only.
        end_of_day = timezone.localtime(now).replace(hour=23, minute=59)
        expected = [i for i in (in_a_minute, assigned) if i.deadline <= end_of_day]
        assert today == expected
        assert next_week not in today and closed not in today
        unassigned = rows(press_client, "assigned=no")
        assert assigned not in unassigned and closed not in unassigned
        assert set(unassigned) == {overdue, in_a_minute, next_week}
        assert rows(press_client, "assigned=me") == [assigned]

    def test_due_today_uses_the_newsroom_day(self):
        # 23:30 in New York on a given day: a deadline at 23:50 is today, 00:10 is not.
        at = timezone.make_aware(timezone.datetime(2026, 3, 10, 23, 30))
        today = MediaInquiryFactory(deadline=at + timedelta(minutes=20))
        tomorrow = MediaInquiryFactory(deadline=at + timedelta(minutes=40))
        due = set(MediaInquiry.objects.due_today(at=at))
        assert today in due and tomorrow not in due


class TestLinks:
    def test_email_and_phone_are_links(self, press_client):
        inquiry = MediaInquiryFactory(phone="+44 (20) 7946-0958 ext. 12", subject="Gaza & aid")
        html = press_client.get(change_url(inquiry)).content.decode()
        assert f'<a href="mailto:{inquiry.email}?subject=Re%3A%20%5B{inquiry.reference}' in html
        assert "Gaza%20%26%20aid" in html
        assert '<a href="tel:+442079460958;ext=12">+44 (20) 7946-0958 ext. 12</a>' in html

    def test_phone_without_country_code_is_not_a_broken_link(self, press_client):
        inquiry = MediaInquiryFactory(phone="212 555 0100")
        html = press_client.get(change_url(inquiry)).content.decode()
        assert "212 555 0100 <small>(no country code)</small>" in html
        assert 'href="tel:212' not in html

    def test_phone_too_short_to_dial_is_not_a_broken_link(self, press_client):
        inquiry = MediaInquiryFactory(phone="+1 212")
        html = press_client.get(change_url(inquiry)).content.decode()
        assert "+1 212 <small>(incomplete number)</small>" in html
        assert 'href="tel:' not in html


class TestReply:
    def test_reply_is_stored_sent_from_the_press_office_and_answers(
        self, press_client, press_officer, django_capture_on_commit_callbacks
    ):
        press_officer.first_name, press_officer.last_name = "Rosa", "Mendes"
        press_officer.save()
        inquiry = MediaInquiryFactory(subject="Comment on the detentions")
        page = press_client.get(change_url(inquiry)).content.decode()
        assert "Send reply" in page and f'action="{reply_url(inquiry)}"' in page

        text = "Our director can speak at 3 pm.\nCall +1 212 555 0100.\n<b>not bold</b>"
        with django_capture_on_commit_callbacks(execute=True):
            response = press_client.post(reply_url(inquiry), {"body": text})
        assert response.status_code == 302
        assert response["Location"] == f"{change_url(inquiry)}#thread"

        reply = InquiryMessage.objects.get()
        assert (reply.kind, reply.author, reply.recipient) == (
            "reply",
            press_officer,
            inquiry.email,
        )
        assert reply.body == text and reply.sent_at is not None
        inquiry.refresh_from_db()
        assert inquiry.status == MediaInquiry.Status.ANSWERED and inquiry.answered_at

        (message,) = mail.outbox
        assert message.to == [inquiry.email]
        assert message.from_email == "Newsroom press office <press@example.org>"
        assert message.subject == f"Re: [{inquiry.reference}] Comment on the detentions"
        assert message.body.startswith(text)
        assert "Rosa Mendes" in message.body and inquiry.reference in message.body
        # Plain text only: the officer's words are never markup.
        assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])

        thread = press_client.get(change_url(inquiry)).content.decode()
        assert "Rosa Mendes" in thread and "Sent " in thread
        assert "&lt;b&gt;not bold&lt;/b&gt;" in thread and "<b>not bold</b>" not in thread

    def test_later_replies_append_to_the_thread(
        self, press_client, django_capture_on_commit_callbacks
    ):
        inquiry = MediaInquiryFactory()
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(reply_url(inquiry), {"body": "First answer."})
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(reply_url(inquiry), {"body": "And the figures you asked for."})
        bodies = list(inquiry.messages.values_list("body", flat=True))
        assert bodies == ["First answer.", "And the figures you asked for."]
        assert len(mail.outbox) == 2
        html = press_client.get(change_url(inquiry)).content.decode()
        assert html.index("First answer.") < html.index("And the figures you asked for.")

    def test_failed_send_is_kept_visible_and_the_inquiry_stays_open(
        self, press_client, settings, django_capture_on_commit_callbacks
    ):
        settings.MAILERS = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}
        sent = timezone.now()
        inquiry = MediaInquiryFactory(notified_at=sent, acknowledged_at=sent)
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(reply_url(inquiry), {"body": "The answer."})
        reply = InquiryMessage.objects.get()
        assert reply.body == "The answer." and reply.sent_at is None
        queued = Message.objects.about(reply).get()
        assert queued.state == Message.State.RETRYING and queued.attempts == 1
        assert "Connection refused" in queued.last_error or "111" in queued.last_error
        inquiry.refresh_from_db()
        assert inquiry.status == MediaInquiry.Status.IN_PROGRESS
        html = press_client.get(change_url(inquiry)).content.decode()
        assert "inquiry-thread__message--failed" in html and "Failed" in html
        assert rows(press_client, "notification=thread-failed") == [inquiry]

        # Staff re-send it once the mail server is back; it is sent once.
        settings.MAILERS = {
            "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        }
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(
                CHANGELIST, {"action": "resend_emails", "_selected_action": [inquiry.pk]}
            )
        reply.refresh_from_db()
        assert reply.sent_at is not None
        assert rows(press_client, "notification=thread-failed") == []
        assert [m.subject for m in mail.outbox] == [f"Re: [{inquiry.reference}] {inquiry.subject}"]

    @pytest.mark.parametrize("body", ["", "   \n  "])
    def test_empty_reply_is_refused(self, press_client, body):
        inquiry = MediaInquiryFactory()
        response = press_client.post(reply_url(inquiry), {"body": body}, follow=True)
        assert "Reply not sent" in response.content.decode()
        assert not InquiryMessage.objects.exists() and mail.outbox == []

    def test_too_long_reply_is_refused(self, press_client):
        inquiry = MediaInquiryFactory()
        response = press_client.post(reply_url(inquiry), {"body": "x" * 10_001}, follow=True)
        assert "Reply not sent" in response.content.decode()
        assert not InquiryMessage.objects.exists()

    def test_spam_is_never_replied_to(self, press_client):
        inquiry = MediaInquiryFactory(status=MediaInquiry.Status.SPAM)
        page = press_client.get(change_url(inquiry)).content.decode()
        assert "Send reply" not in page and "move it out of spam" in page
        response = press_client.post(reply_url(inquiry), {"body": "Hello"}, follow=True)
        assert "Reply not sent" in response.content.decode()
        assert not InquiryMessage.objects.exists() and mail.outbox == []

    def test_get_goes_back_to_the_inquiry(self, press_client):
        inquiry = MediaInquiryFactory()
        response = press_client.get(reply_url(inquiry))
        assert response.status_code == 302 and response["Location"] == change_url(inquiry)

    def test_unknown_inquiry_is_404(self, press_client):
        assert press_client.post(f"{CHANGELIST}999999/reply/", {"body": "x"}).status_code == 404
        assert press_client.post(f"{CHANGELIST}abc/reply/", {"body": "x"}).status_code == 404

    def test_header_injection_through_the_subject_is_impossible(
        self, press_client, django_capture_on_commit_callbacks
    ):
        # Stored by hand as a shell or an old import could: the form would have
        # collapsed it to one line.
        inquiry = MediaInquiryFactory(subject="Hello\r\nBcc: victim@example.net")
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(reply_url(inquiry), {"body": "Answer"})
        (message,) = mail.outbox
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.bcc == [] and "Bcc" not in message.message()


class TestWhoMayReply:
    def test_writer_and_editor_cannot_reply_or_see_the_thread(
        self, client, writer, editor, press_officer
    ):
        inquiry = MediaInquiryFactory()
        services.inquiry_reply(inquiry=inquiry, author=press_officer, body="Secret answer")
        mail.outbox.clear()
        for user in (writer, editor):
            client.force_login(user)
            assert client.get(change_url(inquiry)).status_code == 403
            assert client.post(reply_url(inquiry), {"body": "Hi"}).status_code == 403
        assert inquiry.messages.count() == 1 and mail.outbox == []

    def test_anonymous_is_sent_to_login(self, client):
        inquiry = MediaInquiryFactory()
        response = client.post(reply_url(inquiry), {"body": "Hi"})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert not InquiryMessage.objects.exists()

    def test_view_only_staff_see_the_thread_but_cannot_reply(self, client, press_officer):
        from django.contrib.auth.models import Permission

        viewer = UserFactory(is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_mediainquiry"))
        inquiry = MediaInquiryFactory()
        services.inquiry_reply(inquiry=inquiry, author=press_officer, body="On the record")
        client.force_login(viewer)
        page = client.get(change_url(inquiry)).content.decode()
        assert "On the record" in page and "Send reply" not in page
        assert client.post(reply_url(inquiry), {"body": "Hi"}).status_code == 403

    def test_superuser_can_reply(self, client, django_capture_on_commit_callbacks):
        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        inquiry = MediaInquiryFactory()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reply_url(inquiry), {"body": "Yes"}).status_code == 302
        assert len(mail.outbox) == 1


class TestReplyTakesAndSigns:
    @pytest.fixture
    def rosa(self, press_officer):
        press_officer.first_name, press_officer.last_name = "Rosa", "Mendes"
        press_officer.save()
        return press_officer

    def test_replying_to_an_unassigned_inquiry_takes_it_and_says_so(
        self, press_client, rosa, django_capture_on_commit_callbacks
    ):
        inquiry = MediaInquiryFactory()
        page = press_client.get(change_url(inquiry)).content.decode()
        assert "replying assigns it to you" in page
        with django_capture_on_commit_callbacks(execute=True):
            response = press_client.post(reply_url(inquiry), {"body": "Yes."}, follow=True)
        inquiry.refresh_from_db()
        assert inquiry.assignee == rosa
        (note,) = inquiry.notes.all()
        assert note.author == rosa and "by replying" in note.text
        assert "It is assigned to you now." in response.content.decode()
        # Taking it yourself sends no assignment notice: only the reply went.
        assert len(mail.outbox) == 1

    def test_replying_to_a_colleagues_inquiry_leaves_it_theirs(
        self, press_client, rosa, django_capture_on_commit_callbacks
    ):
        colleague = UserFactory(is_staff=True)
        inquiry = MediaInquiryFactory(assignee=colleague, status="in-progress")
        assert (
            "replying assigns it to you"
            not in press_client.get(change_url(inquiry)).content.decode()
        )
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(reply_url(inquiry), {"body": "Covering for a colleague."})
        inquiry.refresh_from_db()
        assert inquiry.assignee == colleague and not inquiry.notes.exists()

    def test_the_signature_is_previewed_under_the_message_box(self, press_client, rosa):
        page = press_client.get(change_url(MediaInquiryFactory())).content.decode()
        preview = page[page.index('id="reply-signature"') :]
        preview = preview[: preview.index("</div>")]
        assert "Signed automatically under your reply" in preview
        assert "--\nRosa Mendes\nNewsroom press office\npress@example.org" in preview
        assert page.index('name="body"') < page.index('id="reply-signature"')
        assert 'aria-describedby="reply-help reply-signature"' in page

    @pytest.mark.parametrize(
        ("body", "name_count"),
        [
            ("Our director can speak at 3 pm.", 1),
            ("Our director can speak at 3 pm.\n\nBest wishes,\nRosa Mendes", 1),
            ("Speak at 3.\n\nRosa Mendes\n  Newsroom press office ", 1),
            ("Speak at 3.\n--\nRosa Mendes\nNewsroom press office\npress@example.org", 1),
        ],
    )
    def test_a_sign_off_already_typed_is_never_doubled(
        self, press_client, rosa, django_capture_on_commit_callbacks, body, name_count
    ):
        inquiry = MediaInquiryFactory()
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(reply_url(inquiry), {"body": body})
        (message,) = mail.outbox
        assert message.body.count("Rosa Mendes") == name_count
        assert message.body.count("Newsroom press office") == 1
        assert message.body.count("press@example.org") == 1
        assert message.body.startswith(body.strip())
        assert f"Your reference: {inquiry.reference}" in message.body

    def test_a_fresh_reply_gets_the_whole_signature_after_a_separator(
        self, press_client, rosa, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(reply_url(MediaInquiryFactory()), {"body": "Yes, at 3 pm."})
        (message,) = mail.outbox
        assert "Yes, at 3 pm.\n\n--\nRosa Mendes\nNewsroom press office\n" in message.body

    def test_a_name_typed_is_continued_without_a_second_separator(
        self, press_client, rosa, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            press_client.post(
                reply_url(MediaInquiryFactory()), {"body": "Yes.\n\nBest,\nRosa Mendes"}
            )
        (message,) = mail.outbox
        assert "Best,\nRosa Mendes\nNewsroom press office\npress@example.org" in message.body
        assert "\n--\n" not in message.body


class TestTimesSayTheirZone:
    def test_list_and_change_form_give_every_time_with_its_offset(self, press_client):
        deadline = timezone.now() + timedelta(days=2)
        inquiry = MediaInquiryFactory(deadline=deadline, time_zone="Europe/London")
        MediaInquiry.objects.filter(pk=inquiry.pk).update(notified_at=timezone.now())
        listing = press_client.get(CHANGELIST).content.decode()
        # The deadline and the created column: the newsroom's zone, the offset said.
        assert len(re.findall(r'<span class="utc-offset">UTC-0[45]:00</span>', listing)) >= 2
        page = press_client.get(change_url(inquiry)).content.decode()
        for label in ("Created", "Press office notified"):
            shown = rf'{label}:</label>\s*<div class="readonly">[^<]*<span class="utc-offset">'
            assert re.search(shown + r"UTC-0[45]:00</span>", page), label
        # The deadline as the journalist gave it, and as the press office reads it.
        assert "(Europe/London, UTC+0" in page and "for the press office" in page

    def test_list_columns_fit_beside_the_filters(self, press_client):
        MediaInquiryFactory()
        response = press_client.get(CHANGELIST)
        columns = response.context["cl"].list_display
        assert {"assignee", "delivery", "created_at_display"} <= set(columns)
        assert "outlet" not in columns and "name" not in columns  # one "from" column


class TestAssignment:
    def post_change(self, client, inquiry, **data):
        payload = {
            "status": inquiry.status,
            "assignee": "",
            "notes-TOTAL_FORMS": "0",
            "notes-INITIAL_FORMS": "0",
            "notes-MIN_NUM_FORMS": "0",
            "notes-MAX_NUM_FORMS": "1000",
            **data,
        }
        return client.post(change_url(inquiry), payload)

    def test_assigning_emails_the_assignee_once(
        self, press_client, press_officer, django_capture_on_commit_callbacks
    ):
        colleague = UserFactory(is_staff=True, email="colleague@example.org")
        colleague.groups.add(*press_officer.groups.all())
        inquiry = MediaInquiryFactory(deadline=timezone.now() + timedelta(hours=4))
        with django_capture_on_commit_callbacks(execute=True):
            response = self.post_change(press_client, inquiry, assignee=colleague.pk)
        assert response.status_code == 302
        (message,) = mail.outbox
        assert message.to == ["colleague@example.org"]
        assert message.subject.startswith(f"[{inquiry.reference}] Assigned to you, deadline ")
        assert f"/admin/press/mediainquiry/{inquiry.pk}/change/" in message.body
        # The journalist's message stays in the admin.
        assert inquiry.message not in message.body
        notice = InquiryMessage.objects.get()
        assert notice.kind == "assignment" and notice.author == press_officer

        # Saving again without changing the assignee sends nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            self.post_change(press_client, inquiry, assignee=colleague.pk, status="in-progress")
        assert len(mail.outbox) == 1

    def test_assigning_to_yourself_sends_nothing(
        self, press_client, press_officer, django_capture_on_commit_callbacks
    ):
        inquiry = MediaInquiryFactory()
        with django_capture_on_commit_callbacks(execute=True):
            self.post_change(press_client, inquiry, assignee=press_officer.pk)
        assert mail.outbox == [] and not InquiryMessage.objects.exists()


def test_acknowledgement_gives_the_out_of_hours_line(client, django_capture_on_commit_callbacks):
    row = SiteSettings.load()
    row.out_of_hours_phone = "+1 212 555 0199"
    row.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/press/inquiry/", inquiry_data(region=""))
    inquiry = MediaInquiry.objects.get()
    ack = next(m for m in mail.outbox if m.to == [inquiry.email])
    assert "Out of hours, call the press line +1 212 555 0199." in ack.body
    assert inquiry.reference in ack.body and inquiry.deadline_text in ack.body
    assert inquiry.message not in ack.body and inquiry.name not in ack.body
