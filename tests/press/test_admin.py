"""The press office's admin: who may see inquiries, and triage as staff do it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core import retry
from core.models import SiteSettings
from press.models import (
    InquiryNote,
    MediaInquiry,
    PressContact,
    Spokesperson,
    format_deadline,
)
from tests.factories import (
    MediaInquiryFactory,
    PressContactFactory,
    SpokespersonFactory,
    UserFactory,
)
from tests.outbox.helpers import delivered
from tests.press.helpers import mail_in_state

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/press/mediainquiry/"


@pytest.fixture
def press_client(client, press_officer):
    client.force_login(press_officer)
    return client


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


class TestWhoSeesInquiries:
    def test_editors_and_writers_are_refused(self, client, editor, writer):
        inquiry = MediaInquiryFactory()
        for user in (editor, writer):
            client.force_login(user)
            assert client.get(CHANGELIST).status_code == 403
            assert client.get(f"{CHANGELIST}{inquiry.pk}/change/").status_code == 403
            index = client.get("/admin/").content.decode()
            assert "Media inquiries" not in index

    def test_press_office_sees_them(self, press_client):
        MediaInquiryFactory(subject="Interview request about Mexico")
        response = press_client.get(CHANGELIST)
        assert response.status_code == 200
        assert "Interview request about Mexico" in response.content.decode()
        assert "Media inquiries" in press_client.get("/admin/").content.decode()

    def test_nobody_adds_inquiries_in_the_admin(self, superuser_client):
        assert superuser_client.get(f"{CHANGELIST}add/").status_code == 403

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(CHANGELIST)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


class TestChangelist:
    def test_columns_overdue_and_query_count(self, press_client, django_assert_max_num_queries):
        overdue = MediaInquiryFactory(deadline=timezone.now() - timedelta(hours=2))
        soon = MediaInquiryFactory(deadline=timezone.now() + timedelta(hours=2))
        MediaInquiryFactory.create_batch(5)
        SiteSettings.load()  # the row exists on any real site; the admin names the site
        # One query more than before the outbox: the e-mail column's rows, prefetched.
        with django_assert_max_num_queries(13):
            response = press_client.get(CHANGELIST)
        html = response.content.decode()
        assert "overdue by 2 h" in html and "due in 1 h" in html
        rows = list(response.context["cl"].result_list)
        # Soonest deadline first, inquiries without one after.
        assert rows[:2] == [overdue, soon]
        assert overdue.reference in html

    def test_filters(self, press_client):
        overdue = MediaInquiryFactory(deadline=timezone.now() - timedelta(hours=2))
        failed = mail_in_state(MediaInquiryFactory(), "retrying", attempts=2, last_error="refused")
        spam = MediaInquiryFactory(status=MediaInquiry.Status.SPAM, spam_reason="honeypot")
        sent = mail_in_state(MediaInquiryFactory(), "sent", attempts=1)

        def result(query):
            response = press_client.get(f"{CHANGELIST}?{query}")
            assert response.status_code == 200
            return set(response.context["cl"].result_list)

        assert result("deadline_state=overdue") == {overdue}
        assert failed in result("notification=failed")
        assert spam not in result("notification=failed")
        assert result("status=spam") == {spam}
        assert press_client.get(f"{CHANGELIST}?deadline_state=next24").status_code == 200
        assert result("notification=sent") == {sent}

    def test_search_by_reference_and_text(self, press_client):
        wanted = MediaInquiryFactory(outlet="Radio Example")
        MediaInquiryFactory()
        for term in (wanted.reference, wanted.reference.lower(), "Radio Example"):
            response = press_client.get(CHANGELIST, {"q": term})
            assert list(response.context["cl"].result_list) == [wanted]


class TestActions:
    def post_action(self, client, action, *inquiries):
        return client.post(
            CHANGELIST,
            {"action": action, "_selected_action": [i.pk for i in inquiries]},
            follow=True,
        )

    def test_assign_to_me(self, press_client, press_officer):
        inquiry = MediaInquiryFactory()
        self.post_action(press_client, "assign_to_me", inquiry)
        inquiry.refresh_from_db()
        assert inquiry.assignee == press_officer
        assert inquiry.status == MediaInquiry.Status.IN_PROGRESS

    def test_mark_answered(self, press_client):
        inquiry = MediaInquiryFactory()
        self.post_action(press_client, "mark_answered", inquiry)
        inquiry.refresh_from_db()
        assert inquiry.status == MediaInquiry.Status.ANSWERED and inquiry.answered_at

    def test_mark_spam_keeps_it(self, press_client, press_officer):
        inquiry = MediaInquiryFactory()
        self.post_action(press_client, "mark_spam", inquiry)
        inquiry.refresh_from_db()
        assert inquiry.status == MediaInquiry.Status.SPAM
        assert press_officer.username in inquiry.spam_reason

    def test_not_spam_rescues_and_notifies(self, press_client, django_capture_on_commit_callbacks):
        inquiry = MediaInquiryFactory(
            status=MediaInquiry.Status.SPAM, spam_reason="Sent 1.2 s after the form was shown."
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = self.post_action(press_client, "mark_not_spam", inquiry)
        assert "1 inquiries moved to new" in response.content.decode()
        inquiry.refresh_from_db()
        assert inquiry.status == MediaInquiry.Status.NEW and inquiry.spam_reason == ""
        assert inquiry.notified_at is not None
        assert len(mail.outbox) == 2

    def test_failed_delivery_is_shown_and_staff_resend(
        self, press_client, django_capture_on_commit_callbacks
    ):
        retry_at = timezone.now() + timedelta(minutes=10)
        retrying = mail_in_state(
            MediaInquiryFactory(),
            "retrying",
            attempts=2,
            last_error="ConnectionRefusedError(111)",
            next_attempt_at=retry_at,
        )
        max_attempts = retry.MAIL.max_attempts
        gave_up = mail_in_state(
            MediaInquiryFactory(), "gave_up", attempts=max_attempts, last_error="refused"
        )
        sent = mail_in_state(MediaInquiryFactory(), "sent", attempts=1)
        html = press_client.get(CHANGELIST).content.decode()
        assert f"Failed, retrying at {format_deadline(retry_at)}" in html
        assert f"Failed, gave up after {max_attempts} attempts" in html
        page = press_client.get(f"{CHANGELIST}{gave_up.pk}/change/").content.decode()
        assert "gave up after" in page
        response = press_client.get(f"{CHANGELIST}?notification=gave-up")
        assert list(response.context["cl"].result_list) == [gave_up]

        with django_capture_on_commit_callbacks(execute=True):
            response = self.post_action(press_client, "resend_emails", retrying, gave_up, sent)
        assert "2 inquiries queued" in response.content.decode()
        delivered()  # the rows were queued outside the captured commit: send them now
        for inquiry in (retrying, gave_up):
            inquiry.refresh_from_db()
            assert inquiry.delivery_state == "Sent"
        # The inquiry already sent is not sent again.
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            ["press@example.org", retrying.email, "press@example.org", gave_up.email]
        )


class TestChangeForm:
    def test_staff_change_status_assignee_and_add_a_note(self, press_client, press_officer):
        inquiry = MediaInquiryFactory()
        url = f"{CHANGELIST}{inquiry.pk}/change/"
        page = press_client.get(url)
        assert page.status_code == 200
        assert inquiry.email in page.content.decode()
        response = press_client.post(
            url,
            {
                "status": MediaInquiry.Status.ANSWERED,
                "assignee": press_officer.pk,
                "notes-TOTAL_FORMS": "1",
                "notes-INITIAL_FORMS": "0",
                "notes-MIN_NUM_FORMS": "0",
                "notes-MAX_NUM_FORMS": "1000",
                "notes-0-text": "Called back; interview booked for 3 pm.",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        inquiry.refresh_from_db()
        assert inquiry.status == MediaInquiry.Status.ANSWERED and inquiry.answered_at
        note = InquiryNote.objects.get()
        assert note.author == press_officer and note.inquiry == inquiry

    def test_assignee_choices_are_press_office_only(self, press_client, editor, press_officer):
        inquiry = MediaInquiryFactory()
        form = press_client.get(f"{CHANGELIST}{inquiry.pk}/change/").context["adminform"].form
        choices = set(form.fields["assignee"].queryset)
        assert press_officer in choices and editor not in choices

    def test_journalists_words_are_read_only(self, press_client):
        inquiry = MediaInquiryFactory()
        form = press_client.get(f"{CHANGELIST}{inquiry.pk}/change/").context["adminform"].form
        assert "message" not in form.fields and "email" not in form.fields


class TestSpokespeopleAndContacts:
    def test_spokesperson_admin_searchable_with_prepopulated_slug(self, editor_client):
        SpokespersonFactory(name="Ana Rivera", role="Americas Director")
        response = editor_client.get("/admin/press/spokesperson/", {"q": "Rivera"})
        assert response.status_code == 200
        assert "Ana Rivera" in response.content.decode()
        add = editor_client.get("/admin/press/spokesperson/add/")
        assert add.status_code == 200
        assert "prepopulated" in add.content.decode()

    def test_spokesperson_autocomplete_for_articles(self, editor_client):
        SpokespersonFactory(name="Ana Rivera")
        response = editor_client.get(
            "/admin/autocomplete/",
            {
                "term": "Ana",
                "app_label": "articles",
                "model_name": "article",
                "field_name": "spokespeople",
            },
        )
        assert response.status_code == 200
        assert "Ana Rivera" in response.content.decode()

    def test_create_spokesperson_and_press_contact(self, superuser_client):
        response = superuser_client.post(
            "/admin/press/spokesperson/add/",
            {
                "name": "Li Wei",
                "given_name": "Wei",
                "family_name": "Li",
                "slug": "li-wei",
                "role": "Asia Researcher",
                "sort_order": 0,
            },
        )
        assert response.status_code == 302
        person = Spokesperson.objects.get(slug="li-wei")
        assert (person.given_name, person.family_name) == ("Wei", "Li")
        response = superuser_client.post(
            "/admin/press/presscontact/add/",
            {
                "name": "Sam Okafor",
                "given_name": "Sam",
                "family_name": "Okafor",
                "role": "Press Officer, Africa",
                "email": "sam@example.org",
                "time_zone": "Africa/Lagos",
                "sort_order": 1,
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        assert PressContact.objects.get().time_zone == "Africa/Lagos"

    @pytest.mark.parametrize("model", ["spokesperson", "presscontact"])
    def test_the_form_asks_for_given_and_family_names(self, superuser_client, model):
        form = superuser_client.get(f"/admin/press/{model}/add/").content.decode()
        assert 'name="given_name"' in form and 'name="family_name"' in form
        response = superuser_client.post(
            f"/admin/press/{model}/add/",
            {"name": "Inés Calder", "given_name": "Inés", "slug": "ines", "role": "Director"},
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["family_name"]

    def test_press_contact_changelist(self, press_client):
        PressContactFactory(name="Sam Okafor")
        response = press_client.get("/admin/press/presscontact/")
        assert response.status_code == 200 and "Sam Okafor" in response.content.decode()

    @pytest.mark.parametrize(
        ("phone", "saved"),
        [
            ("+44 20 7946 0958 ext. 12", True),
            ("+1 (212) 555-0100", True),
            ("+1 212", False),
            ("+999 123 4567", False),
            ("212 555 0100", False),
        ],
    )
    def test_phone_must_be_a_real_international_number(self, superuser_client, phone, saved):
        response = superuser_client.post(
            "/admin/press/presscontact/add/",
            {
                "name": "Sam Okafor",
                "family_name": "Okafor",
                "role": "Press Officer",
                "email": "sam@example.org",
                "phone": phone,
                "time_zone": "Africa/Lagos",
                "sort_order": 0,
            },
        )
        if saved:
            assert response.status_code == 302
            # Kept as typed; links and cards dial its E.164 form.
            assert PressContact.objects.get().phone == phone
        else:
            assert response.status_code == 200
            assert not PressContact.objects.exists()
            [error] = response.context["adminform"].form.errors["phone"]
            assert "starting with + and the country code" in error
            assert "+1 212 555 0100" in error
            # What was typed is still in the form, to be corrected.
            assert f'value="{phone}"' in response.content.decode()

    def test_bad_time_zone_is_refused(self, superuser_client):
        response = superuser_client.post(
            "/admin/press/presscontact/add/",
            {
                "name": "X",
                "family_name": "X",
                "role": "Y",
                "email": "x@example.org",
                "time_zone": "Mars/Olympus",
                "sort_order": 0,
            },
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["time_zone"]
