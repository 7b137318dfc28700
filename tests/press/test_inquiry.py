"""The media inquiry form as a journalist (and a bot) uses it."""

import time
import zoneinfo
from datetime import datetime, timedelta
from datetime import time as dt_time
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from articles.models import Region
from core.models import SiteSettings
from outbox.models import Message
from press import services
from press.forms import MediaInquiryForm
from press.models import MediaInquiry
from tests.press.helpers import inquiry_data, started_token

pytestmark = pytest.mark.django_db

URL = "/press/inquiry/"


def submit(client, capture, **overrides):
    with capture(execute=True):
        return client.post(URL, inquiry_data(**overrides))


def test_url_contract():
    assert reverse("press:inquiry") == URL
    assert reverse("press:inquiry_thanks") == "/press/inquiry/thanks/"


def test_form_page_is_accessible_markup(client, django_assert_max_num_queries):
    SiteSettings.load()
    # The site settings and the region tree (then cached).
    with django_assert_max_num_queries(2):
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="datetime-local"' in html
    assert "America/New_York" in html  # the zone deadlines are read in
    assert '<optgroup label="Americas">' in html
    assert '<option value="mx">Mexico</option>' in html
    assert 'aria-describedby="id_email_helptext"' in html
    assert 'id="id_email_helptext"' in html
    # The honeypot: labelled, hidden by class, out of the tab order, never autofilled.
    assert 'class="field hp-field"' in html
    assert "Leave this field empty" in html
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert 'name="started"' in html
    # No inline style or script (the Content-Security-Policy forbids them); the one
    # script is a file, and the form works without it.
    assert "style=" not in html and "<script>" not in html
    assert html.count("<script") == html.count('<script src="/static/')


def test_region_choices_are_one_cached_query(client, django_assert_max_num_queries):
    client.get(URL)  # warms the cache and creates the settings row
    with django_assert_max_num_queries(1) as captured:  # the site settings at most
        client.get(URL)
    assert not any("articles_region" in q["sql"] for q in captured.captured_queries)


def test_success_stores_notifies_and_redirects_to_reference(
    client, django_capture_on_commit_callbacks
):
    response = submit(client, django_capture_on_commit_callbacks)

    assert response.status_code == 303
    inquiry = MediaInquiry.objects.get()
    assert inquiry.status == MediaInquiry.Status.NEW
    assert inquiry.region == Region.objects.get(slug="mx")
    assert inquiry.deadline > timezone.now()
    assert inquiry.ip_address == "127.0.0.1"
    assert inquiry.notified_at is not None and inquiry.acknowledged_at is not None
    sent = Message.objects.about(inquiry).values_list("kind", "state")
    assert sorted(sent) == [
        ("press.inquiry_acknowledgement", "sent"),
        ("press.inquiry_notification", "sent"),
    ]

    office, ack = mail.outbox
    assert office.to == ["press@example.org"]
    assert office.subject.startswith(f"[{inquiry.reference}] Media inquiry: Comment on")
    assert office.reply_to == ["jane@example.com"]
    assert "The Daily Example" in office.body
    assert f"/press/mediainquiry/{inquiry.pk}/change/" in office.body
    assert ack.to == ["jane@example.com"]
    assert inquiry.reference in ack.subject and inquiry.reference in ack.body

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert inquiry.reference in thanks.content.decode()


def test_reference_format(client, django_capture_on_commit_callbacks):
    submit(client, django_capture_on_commit_callbacks)
    inquiry = MediaInquiry.objects.get()
    assert inquiry.reference == f"MI-{timezone.now().year}-{inquiry.pk:05d}"


def test_recipients_come_from_site_settings(client, django_capture_on_commit_callbacks):
    settings_row = SiteSettings.load()
    settings_row.inquiry_recipients = "desk@example.org, lead@example.org"
    settings_row.save()
    submit(client, django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["desk@example.org", "lead@example.org"]


def test_thanks_page_does_not_show_a_forged_or_guessed_reference(client):
    response = client.get("/press/inquiry/thanks/?ref=MI-2026-00001")
    assert response.status_code == 200
    assert "MI-2026-00001" not in response.content.decode()
    forged = "Ik1JLTIwMjYtMDAwMDEi:1abcde:forgedsignature"
    response = client.get(f"/press/inquiry/thanks/?ref={forged}")
    assert "MI-2026" not in response.content.decode()


def test_thanks_page_never_shows_personal_data(client, django_capture_on_commit_callbacks):
    response = submit(client, django_capture_on_commit_callbacks)
    html = client.get(response["Location"]).content.decode()
    assert "jane@example.com" not in html and "Jane Reporter" not in html


def test_errors_rerender_with_input_kept_and_linked(client):
    response = client.post(
        URL, inquiry_data(email="not-an-address", subject="", deadline="2001-01-01T09:00")
    )
    assert response.status_code == 200
    assert not MediaInquiry.objects.exists()
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_email"' in html and 'href="#id_subject"' in html
    assert "This deadline has passed" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert 'id="id_email_error"' in html
    assert 'value="The Daily Example"' in html  # what was typed is kept
    assert "Could a spokesperson comment" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 151),
        ("subject", "x" * 201),
        ("message", "x" * 5001),
        ("outlet", "x" * 201),
        ("topic", "x" * 101),
        ("phone", "call me maybe"),
        ("region", "atlantis"),
        ("deadline", "next tuesday"),
        ("email", "a@b"),
        ("consent", None),
    ],
)
def test_bad_input_is_refused_with_a_message(client, field, value):
    data = inquiry_data()
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not MediaInquiry.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ('"Jane"@EXAMPLE.com', "Jane@example.com"),
        ('"j\\ane"@example.com', "jane@example.com"),
        ("jane@exämple.com", "jane@xn--exmple-cua.com"),
    ],
)
def test_the_address_is_stored_normalised(
    client, django_capture_on_commit_callbacks, typed, stored
):
    response = submit(client, django_capture_on_commit_callbacks, email=typed)
    assert response.status_code == 303
    assert MediaInquiry.objects.get().email == stored
    # The acknowledgement goes to the normalised address.
    assert [stored] in [message.to for message in mail.outbox]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('"jane doe"@example.com', "needs quotation marks"),
        ("jane(desk)@example.com", "comment in brackets"),
        ("jane@[192.0.2.1]", "IP address"),
    ],
)
def test_an_address_that_cannot_be_normalised_is_refused_clearly(client, typed, message):
    response = client.post(URL, inquiry_data(email=typed))
    assert response.status_code == 200
    assert message in response.context["form"].errors["email"][0]
    assert 'value="The Daily Example"' in response.content.decode()  # nothing typed is lost
    assert not MediaInquiry.objects.exists()


class TestTimeZones:
    def test_the_form_offers_zones_with_offsets_and_defaults_to_the_newsroom(self, client):
        html = client.get(URL).content.decode()
        assert '<option value="Europe/London"' in html
        assert "Europe/London (UTC+" in html  # labelled with its offset
        assert '<option value="America/New_York" selected' in html
        assert "data-prefill" in html and "js/time_zone.js" in html
        assert "Date and time in your time zone, now America/New_York (UTC-0" in html

    def test_deadline_typed_in_london_is_stored_in_utc_and_confirmed_in_both_zones(
        self, client, django_capture_on_commit_callbacks
    ):
        day = (timezone.now() + timedelta(days=3)).date()
        london = zoneinfo.ZoneInfo("Europe/London")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                URL,
                inquiry_data(deadline=f"{day:%Y-%m-%d}T17:00", time_zone="Europe/London"),
            )
        assert response.status_code == 303
        inquiry = MediaInquiry.objects.get()
        expected = datetime.combine(day, dt_time(17), tzinfo=london)
        assert inquiry.deadline == expected and inquiry.time_zone == "Europe/London"
        london_offset = "UTC+01:00" if expected.utcoffset() else "UTC+00:00"
        new_york = expected.astimezone(zoneinfo.ZoneInfo("America/New_York"))

        thanks = client.get(response["Location"]).content.decode()
        assert f"5:00 PM (Europe/London, {london_offset})" in thanks
        assert f"{new_york:%-I}:00 PM (America/New_York, UTC-0" in thanks
        assert "for the press office" in thanks

        ack = next(m for m in mail.outbox if m.to == [inquiry.email])
        assert f"5:00 PM (Europe/London, {london_offset})" in ack.body
        assert f"{new_york:%-I}:00 PM (America/New_York, UTC-0" in ack.body
        # The press office reads it in its own zone, with the offset.
        office = next(m for m in mail.outbox if m.to != [inquiry.email])
        assert f"{new_york:%-I}:00 PM (America/New_York, UTC-0" in office.body

    def test_thanks_page_reads_no_database(
        self, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
    ):
        response = submit(client, django_capture_on_commit_callbacks, time_zone="Asia/Kolkata")
        SiteSettings.load()
        with django_assert_max_num_queries(1):
            thanks = client.get(response["Location"]).content.decode()
        assert "(Asia/Kolkata, UTC+05:30)" in thanks

    def test_an_unknown_zone_is_refused_with_a_message(self, client):
        response = client.post(URL, inquiry_data(time_zone="Mars/Olympus_Mons"))
        assert response.status_code == 200
        assert response.context["form"].errors["time_zone"]
        assert "Time zone:" in response.content.decode()
        assert not MediaInquiry.objects.exists()

    def test_a_time_the_clocks_skip_is_refused_with_a_message(self, client):
        # 01:30 on the last Sunday of March 2030 does not exist in London.
        response = client.post(
            URL, inquiry_data(deadline="2030-03-31T01:30", time_zone="Europe/London")
        )
        assert response.status_code == 200
        (error,) = response.context["form"].errors["deadline"]
        assert "does not exist in Europe/London" in error
        # A time that exists there (though not in New York's spring gap) is fine.
        ok = client.post(URL, inquiry_data(deadline="2030-03-10T02:30", time_zone="Europe/London"))
        assert ok.status_code == 303

    def test_a_choice_made_is_kept_when_the_form_comes_back(self, client):
        response = client.post(URL, inquiry_data(time_zone="Asia/Tokyo", email="not-an-address"))
        html = response.content.decode()
        assert '<option value="Asia/Tokyo" selected' in html
        assert "data-prefill" not in html  # the script must not override the choice
        assert "now Asia/Tokyo (UTC+09:00)" in html


def test_deadline_is_read_in_the_newsroom_time_zone(client, django_capture_on_commit_callbacks):
    local = timezone.localtime() + timedelta(days=2)
    submit(
        client,
        django_capture_on_commit_callbacks,
        deadline=local.strftime("%Y-%m-%dT%H:%M"),
    )
    stored = timezone.localtime(MediaInquiry.objects.get().deadline)
    assert str(stored.tzinfo) == "America/New_York"
    assert stored.strftime("%Y-%m-%d %H:%M") == local.strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Jane\r\nBcc: victim@example.org"),
        ("subject", "Hello\nBcc: victim@example.org"),
        ("subject", "Hello\u2028Bcc: victim@example.org"),
    ],
)
def test_header_injection_is_neutralised(client, django_capture_on_commit_callbacks, field, value):
    response = submit(client, django_capture_on_commit_callbacks, **{field: value})
    assert response.status_code == 303
    inquiry = MediaInquiry.objects.get()
    assert "\n" not in getattr(inquiry, field) and "\r" not in getattr(inquiry, field)
    assert inquiry.notified_at is not None
    for message in mail.outbox:
        assert "victim@example.org" not in message.recipients()
        assert "\n" not in message.subject


class TestSpam:
    def test_honeypot_is_stored_as_spam_without_email(
        self, client, django_capture_on_commit_callbacks
    ):
        response = submit(client, django_capture_on_commit_callbacks, fax="http://spam.example")
        # Looks like success to the bot.
        assert response.status_code == 303
        assert "thanks" in response["Location"]
        inquiry = MediaInquiry.objects.get()
        assert inquiry.status == MediaInquiry.Status.SPAM
        assert "honeypot" in inquiry.spam_reason.lower()
        assert mail.outbox == []
        assert not Message.objects.exists()

    def test_too_fast_is_shown_again_honestly_and_nothing_promised(
        self, client, django_capture_on_commit_callbacks
    ):
        data = inquiry_data(started=started_token(seconds_ago=0.5))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        # Not stored, not binned, not promised: the form comes back with what was typed.
        assert response.status_code == 200
        assert not MediaInquiry.objects.exists() and mail.outbox == []
        html = response.content.decode()
        assert "That was very fast" in html and "press “Send inquiry”" in html
        assert "e-mailing you" not in html and "Thank you" not in html
        form = response.context["form"]
        assert form["message"].value() == data["message"]
        assert form["email"].value() == data["email"]
        # A fresh timing token, so the second press is timed from now.
        token = form["started"].value()
        assert token and token != data["started"]

        # The person checks and presses Send again a few seconds later: stored normally.
        later = time.time() + 3
        with (
            mock.patch("press.forms.time.time", return_value=later),
            django_capture_on_commit_callbacks(execute=True),
        ):
            again = client.post(URL, {**data, "started": token})
        assert again.status_code == 303 and "thanks" in again["Location"]
        inquiry = MediaInquiry.objects.get()
        assert inquiry.status == MediaInquiry.Status.NEW and not inquiry.spam_reason
        assert len(mail.outbox) == 2

    def test_too_fast_twice_is_still_never_binned(self, client):
        # The clock stands still, so a slow machine cannot make the second send "slow".
        now = time.time()
        data = inquiry_data(started=started_token(seconds_ago=0.2))
        with mock.patch("press.forms.time.time", return_value=now):
            first = client.post(URL, data)
            token = first.context["form"]["started"].value()
            second = client.post(URL, {**data, "started": token})
        assert second.status_code == 200 and "That was very fast" in second.content.decode()
        assert not MediaInquiry.objects.exists()

    def test_too_fast_with_the_honeypot_is_still_spam(
        self, client, django_capture_on_commit_callbacks
    ):
        response = submit(
            client,
            django_capture_on_commit_callbacks,
            started=started_token(seconds_ago=0.5),
            fax="http://spam.example",
        )
        assert response.status_code == 303
        assert MediaInquiry.objects.get().status == MediaInquiry.Status.SPAM
        assert mail.outbox == []

    @pytest.mark.parametrize("token", ["", "garbage", "1700000000.0"])
    def test_missing_or_forged_timer_is_spam(
        self, client, django_capture_on_commit_callbacks, token
    ):
        submit(client, django_capture_on_commit_callbacks, started=token)
        assert MediaInquiry.objects.get().status == MediaInquiry.Status.SPAM

    def test_a_person_taking_three_seconds_is_never_spam(
        self, client, django_capture_on_commit_callbacks
    ):
        # The product rule: spam defences never turn away a person taking three seconds or more.
        submit(client, django_capture_on_commit_callbacks, started=started_token(seconds_ago=3))
        assert MediaInquiry.objects.get().status == MediaInquiry.Status.NEW
        assert len(mail.outbox) == 2

    def test_a_person_who_left_the_tab_open_for_days_loses_nothing(self, client):
        data = inquiry_data(started=started_token(seconds_ago=5 * 24 * 3600))
        response = client.post(URL, data)
        # Not stored, not spam, not refused: the form comes back with a clear message,
        # everything typed, and a fresh token.
        assert response.status_code == 200
        assert not MediaInquiry.objects.exists()
        html = response.content.decode()
        assert "open for more than 4 hours" in html
        assert 'value="The Daily Example"' in html
        assert "Could a spokesperson comment" in html
        form = response.context["form"]
        fresh = form.data["started"]
        assert fresh != data["started"]
        assert f'value="{fresh}"' in html
        # Sent again at once, it is taken as a person's, not a bot's.
        response = client.post(URL, {**data, "started": fresh})
        assert response.status_code == 303
        assert MediaInquiry.objects.get().status == MediaInquiry.Status.NEW

    def test_a_token_from_before_single_use_keys_still_works(self, client):
        from django.core import signing

        from press.forms import STARTED_SALT

        legacy = signing.dumps(time.time() - 60, salt=STARTED_SALT)
        assert client.post(URL, inquiry_data(started=legacy)).status_code == 303
        assert MediaInquiry.objects.get().status == MediaInquiry.Status.NEW


class TestDoubleSubmission:
    def test_a_double_post_stores_one_inquiry_and_answers_the_same(
        self, client, django_capture_on_commit_callbacks
    ):
        data = inquiry_data()
        with django_capture_on_commit_callbacks(execute=True):
            first = client.post(URL, data)
            second = client.post(URL, data)
        assert first.status_code == second.status_code == 303
        assert first["Location"] == second["Location"]
        inquiry = MediaInquiry.objects.get()
        assert inquiry.reference in client.get(second["Location"]).content.decode()
        # One inquiry, told once.
        assert len(mail.outbox) == 2

    def test_a_double_post_of_spam_stores_one(self, client):
        data = inquiry_data(fax="http://spam.example")
        assert client.post(URL, data)["Location"] == client.post(URL, data)["Location"]
        assert MediaInquiry.objects.count() == 1

    def test_going_back_and_changing_a_sent_form_loses_nothing(
        self, client, django_capture_on_commit_callbacks
    ):
        data = inquiry_data()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(URL, data)
        first = MediaInquiry.objects.get()
        changed = {**data, "message": "And a second question: when is the report out?"}
        response = client.post(URL, changed)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"already sent as inquiry {first.reference}" in html
        assert "when is the report out?" in html
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                URL, {**changed, "started": response.context["form"].data["started"]}
            )
        assert response.status_code == 303
        assert MediaInquiry.objects.count() == 2
        assert MediaInquiry.objects.exclude(pk=first.pk).get().status == MediaInquiry.Status.NEW

    def test_a_forged_or_stale_thanks_address_shows_no_reference(self, client):
        from django.core import signing

        from press.views import REFERENCE_MAX_AGE, REFERENCE_SALT

        old = signing.Signer(salt=REFERENCE_SALT).sign_object(
            ["MI-2026-00001", time.time() - REFERENCE_MAX_AGE - 60]
        )
        assert "MI-2026" not in client.get(f"/press/inquiry/thanks/?ref={old}").content.decode()


def test_form_lengths_come_from_the_model():
    form = MediaInquiryForm()
    for name in ("name", "email", "outlet", "phone", "subject", "message", "topic"):
        assert form.fields[name].max_length == MediaInquiry._meta.get_field(name).max_length


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_posts_of_one_form_store_one_inquiry():
    """The unique key, not only the look-up before it, holds when both arrive at once."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    import threading

    from press import services

    form = MediaInquiryForm(inquiry_data(region=""))
    assert form.is_valid()
    barrier = threading.Barrier(2)
    results = []
    real_filter = MediaInquiry.objects.filter
    looked_up = threading.local()

    def racing_filter(*args, **kwargs):
        # Each request's first look-up misses, as when both arrive at the same moment.
        if "submission_key" in kwargs and not getattr(looked_up, "done", False):
            looked_up.done = True
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    def submit():
        try:
            barrier.wait(5)
            results.append(
                services.inquiry_submit(
                    data=form.cleaned_data,
                    ip="127.0.0.1",
                    user_agent="",
                    submission_key=form.submission_key,
                )
            )
        finally:
            connection.close()

    with mock.patch.object(MediaInquiry.objects, "filter", side_effect=racing_filter):
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert MediaInquiry.objects.count() == 1
    assert len(results) == 2 and results[0].pk == results[1].pk


class TestRateLimit:
    def test_sixth_submission_in_ten_minutes_gets_429_with_press_email(
        self, client, django_capture_on_commit_callbacks
    ):
        limit = services.SUBMISSION_LIMIT[0]
        for _ in range(limit):
            assert submit(client, django_capture_on_commit_callbacks).status_code == 303
        response = submit(client, django_capture_on_commit_callbacks)
        assert response.status_code == 429
        assert "press@example.org" in response.content.decode()
        assert response["Retry-After"]
        assert MediaInquiry.objects.count() == limit

    def test_limit_is_per_address(self, client, django_capture_on_commit_callbacks):
        for _ in range(services.SUBMISSION_LIMIT[0]):
            submit(client, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, inquiry_data(), REMOTE_ADDR="127.0.0.2")
        assert response.status_code == 303

    def test_hammering_with_invalid_posts_is_capped(self, client):
        limit = services.POST_LIMIT[0]
        statuses = [client.post(URL, {"name": "x"}).status_code for _ in range(limit + 3)]
        assert statuses[:limit] == [200] * limit
        assert set(statuses[limit:]) == {429}

    def test_form_page_stays_readable_when_limited(self, client):
        for _ in range(services.POST_LIMIT[0]):
            client.post(URL, {"name": "x"})
        assert client.get(URL).status_code == 200

    def test_forwarded_for_from_a_visitor_is_ignored(self, client, settings):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        for n in range(services.POST_LIMIT[0]):
            client.post(
                URL, {"name": "x"}, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}"
            )
        response = client.post(
            URL, {"name": "x"}, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.9.1.1"
        )
        assert response.status_code == 429

    def test_behind_a_trusted_proxy_the_address_it_saw_counts(
        self, client, settings, django_capture_on_commit_callbacks
    ):
        settings.TRUSTED_PROXIES = ["10.0.0.2"]
        proxy = {"REMOTE_ADDR": "10.0.0.2"}
        # A client cannot dodge the limit by sending its own X-Forwarded-For: only the
        # entry our proxy appended (the right-most) is used.
        for n in range(services.SUBMISSION_LIMIT[0]):
            with django_capture_on_commit_callbacks(execute=True):
                client.post(
                    URL,
                    inquiry_data(),
                    HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.9",
                    **proxy,
                )
        response = client.post(
            URL, inquiry_data(), HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", **proxy
        )
        assert response.status_code == 429
        assert MediaInquiry.objects.first().ip_address == "203.0.113.9"
        # Another journalist behind the same proxy is not limited with them.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                URL, inquiry_data(), HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy
            )
        assert response.status_code == 303
