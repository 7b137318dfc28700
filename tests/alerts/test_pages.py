"""The alerts' pages: subscribe (double opt-in), confirm, preferences, unsubscribe."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from alerts import services
from alerts.models import DigestRun, Subscription
from alerts.tokens import token_for
from tests.alerts.helpers import link, path_of, subscriber
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

URL = "/press/alerts/"


def form(**fields):
    return {"email": "Reporter@Example.com", "frequency": "instant", "digest_hour": "8"} | fields


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, data, **extra)

    return send


def confirm_url(message) -> str:
    return path_of(re.search(r"https?://\S+/press/alerts/confirm/\S+/", message.body).group())


class TestSubscribe:
    def test_the_form_is_prefilled_from_the_list_filters(self, client):
        ArticleFactory(topics=["Asylum"])
        response = client.get(f"{URL}?type=report&region=MX&topic=asylum&q=pushbacks&year=2020")
        assert response.status_code == 200
        page = response.content.decode()
        assert 'value="report" id="id_type_1" checked' in page or re.search(
            r'<input[^>]+value="report"[^>]+checked', page
        )
        assert re.search(r'<option value="mx" selected', page)
        assert re.search(r'<option value="asylum" selected', page)
        assert 'value="pushbacks"' in page
        assert "We will e-mail you only the articles you chose" in page

    def test_unknown_values_in_the_address_are_left_out(self, client):
        response = client.get(f"{URL}?region=nowhere&type=poem")
        assert response.status_code == 200
        page = response.content.decode()
        assert '<option value="" selected>All regions</option>' in page
        assert "nowhere" not in page and "poem" not in page

    def test_subscribing_sends_the_confirmation_and_nothing_else(self, post):
        response = post(form(type=["report"], region="mx"))
        assert response.status_code == 302
        assert response["Location"] == "/press/alerts/check-your-inbox/"
        subscription = Subscription.objects.get()
        # The domain in lower case; the part before the "@" as typed, for delivery.
        assert subscription.email == "Reporter@example.com"
        assert subscription.query == "type=report&region=mx"
        assert subscription.status == Subscription.Status.PENDING
        assert "We will e-mail you only the articles you chose" in subscription.consent_text
        [message] = mail.outbox
        assert message.to == ["Reporter@example.com"]
        assert "Report, Mexico" in message.body
        assert "seven days" in message.body
        assert subscription.confirmation_sent_at is not None
        # An unconfirmed address is sent no alert.
        with_article = ArticleFactory(regions=["mx"], kind="report")
        assert with_article and len(mail.outbox) == 1

    def test_bad_input_is_explained_and_nothing_stored(self, client):
        response = client.post(URL, form(email="not an address", region="atlantis", q="x" * 500))
        assert response.status_code == 200
        page = response.content.decode()
        assert "There are 2 problems" in page
        assert "Your e-mail address: Enter a valid email address." in page
        assert 'href="#id_region"' in page
        assert not Subscription.objects.exists()

    def test_the_same_answer_for_a_known_address(self, post):
        subscriber("reporter@example.com", query="region=mx")
        response = post(form(region="mx"))
        assert response.status_code == 302
        assert Subscription.objects.count() == 1
        # The owner is told, with their preferences link; nothing changed.
        [message] = mail.outbox
        assert "/press/alerts/preferences/" in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert Subscription.objects.get().frequency == "instant"

    def test_asking_again_restarts_a_stopped_subscription_with_a_new_confirmation(self, post):
        stopped = subscriber("reporter@example.com", status=Subscription.Status.UNSUBSCRIBED)
        post(form(frequency="daily", digest_hour="7"))
        stopped.refresh_from_db()
        assert stopped.status == Subscription.Status.PENDING
        assert (stopped.frequency, stopped.digest_hour) == ("daily", 7)
        assert len(mail.outbox) == 1

    def test_an_address_is_not_mail_bombed(self, post):
        limit = services.address_mails.limit
        for n in range(limit + 2):
            assert post(form(q=f"word{n}")).status_code == 302
        assert len(mail.outbox) == limit

    @pytest.mark.parametrize(
        "spellings",
        [
            [
                '"target"@example.net',
                '"t\\arget"@example.net',
                "Target@EXAMPLE.net",
                "target@example.net",
                "target+alerts@example.net",
            ],
            ["target@exämple.net", "target@xn--exmple-cua.net", '"Target"@EXÄMPLE.NET'],
        ],
    )
    def test_no_spelling_of_an_address_escapes_its_daily_cap(self, post, spellings):
        for n in range(16):
            response = post(form(email=spellings[n % len(spellings)], q=f"word{n}"))
            assert response.status_code == 302
        assert len(mail.outbox) == services.address_mails.limit
        domains = {message.to[0].rpartition("@")[2] for message in mail.outbox}
        assert domains <= {"example.net", "xn--exmple-cua.net"} and len(domains) == 1

    @pytest.mark.parametrize(
        "spellings",
        [
            ['"target"@example.net', '"t\\arget"@example.net', "Target@EXAMPLE.net"],
            ["target@exämple.net", "target@xn--exmple-cua.net"],
        ],
    )
    def test_every_spelling_of_an_address_is_one_subscription(self, post, spellings):
        for email in spellings:
            assert post(form(email=email, region="mx")).status_code == 302
        subscription = Subscription.objects.get()
        assert subscription.email == services.normalize_email(spellings[0])
        assert Subscription.objects.for_address(spellings[-1].replace('"', "")).get() == (
            subscription
        )

    def test_a_confirmed_subscriber_is_not_subscribed_twice_by_another_spelling(self, post):
        subscriber("target@example.net", query="region=mx")
        post(form(email='"T\\arget"@EXAMPLE.net', region="mx", frequency="daily"))
        subscription = Subscription.objects.get()
        assert (subscription.email, subscription.frequency) == ("target@example.net", "instant")
        # The owner is told at the address they confirmed.
        [message] = mail.outbox
        assert message.to == ["target@example.net"]
        assert "/press/alerts/preferences/" in message.body

    def test_the_database_holds_one_subscription_per_mailbox_and_filter(self):
        subscriber("Target@example.net", query="region=mx")
        subscriber("target@example.net", query="type=report")
        with pytest.raises(IntegrityError), transaction.atomic():
            subscriber("TARGET@example.net", query="region=mx")

    @pytest.mark.parametrize(
        ("email", "message"),
        [
            ('"tar get"@example.net', "needs quotation marks"),
            ('"target@evil"@example.net', "needs quotation marks"),
            ("target(x)@example.net", "comment in brackets"),
            ("target@[192.0.2.1]", "IP address"),
            ("tar\u200bget@example.net", "invisible or control character"),
        ],
    )
    def test_an_address_that_cannot_be_normalised_is_refused_clearly(self, client, email, message):
        response = client.post(URL, form(email=email))
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Subscription.objects.exists()
        assert not mail.outbox

    def test_posts_are_rate_limited_per_client(self, client):
        limit = services.subscribe_posts.limit
        statuses = [client.post(URL, {"email": "x"}).status_code for _ in range(limit + 2)]
        assert statuses[:limit] == [200] * limit
        assert set(statuses[limit:]) == {429}

    def test_the_form_page_is_never_page_cached(self, client):
        client.get(URL)
        response = client.get(URL)
        assert "private" in response["Cache-Control"]
        assert "csrfmiddlewaretoken" in response.content.decode()


class TestConfirm:
    def test_the_link_opens_a_page_and_only_the_post_confirms(self, post, client):
        post(form())
        url = confirm_url(mail.outbox[0])
        page = client.get(url)
        assert page.status_code == 200
        assert "Confirm" in page.content.decode()
        assert Subscription.objects.get().status == Subscription.Status.PENDING
        response = client.post(url)
        assert response.status_code == 200
        assert "Your alerts are on" in response.content.decode()
        subscription = Subscription.objects.get()
        assert subscription.status == Subscription.Status.CONFIRMED
        assert subscription.confirmed_at is not None
        # Twice is harmless.
        assert client.post(url).status_code == 200

    @pytest.mark.parametrize(
        ("age", "status"),
        [(timedelta(days=6, hours=23), 200), (timedelta(days=7, minutes=1), 404)],
    )
    def test_the_link_works_for_seven_days(self, client, age, status):
        pending = subscriber(status=Subscription.Status.PENDING)
        signed_at = timezone.now() - age
        old = signing.TimestampSigner(salt="alerts.confirm")
        old.timestamp = lambda: signing.b62_encode(int(signed_at.timestamp()))
        response = client.post(f"/press/alerts/confirm/{old.sign(pending.key)}/")
        assert response.status_code == status
        pending.refresh_from_db()
        confirmed = pending.status == Subscription.Status.CONFIRMED
        assert confirmed is (status == 200)
        if status == 404:
            assert "This link does not work" in response.content.decode()

    @pytest.mark.parametrize("purpose", ["unsubscribe", "preferences"])
    def test_another_links_token_does_not_confirm(self, client, purpose):
        pending = subscriber(status=Subscription.Status.PENDING)
        token = token_for(pending, purpose)
        assert client.post(f"/press/alerts/confirm/{token}/").status_code == 404
        pending.refresh_from_db()
        assert pending.status == Subscription.Status.PENDING

    def test_a_daily_subscription_schedules_its_digest(self, client, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        pending = subscriber(status=Subscription.Status.PENDING, frequency="daily", digest_hour=7)
        client.post(link(pending, "confirm"))
        run = DigestRun.objects.get()
        assert timezone.localtime(run.slot_at).hour == 7
        assert run.slot_at > timezone.now()

    def test_an_unsubscribed_subscription_is_not_restarted_by_an_old_link(self, client):
        stopped = subscriber(status=Subscription.Status.UNSUBSCRIBED)
        response = client.post(link(stopped, "confirm"))
        assert "were stopped" in response.content.decode()
        stopped.refresh_from_db()
        assert stopped.status == Subscription.Status.UNSUBSCRIBED


class TestPrivatePages:
    @pytest.mark.parametrize("purpose", ["confirm", "unsubscribe", "preferences"])
    def test_headers(self, client, purpose):
        response = client.get(link(subscriber(), purpose))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"

    @pytest.mark.parametrize("purpose", ["confirm", "unsubscribe", "preferences"])
    @pytest.mark.parametrize(
        "token", ["nonsense", "x" * 300, "abc:def", "%00", "a" * 22 + ":" + "b" * 43]
    )
    def test_bad_tokens_are_all_the_same_404(self, client, purpose, token):
        response = client.get(f"/press/alerts/{purpose}/{token}/")
        assert response.status_code == 404
        assert response["Cache-Control"] == "private, no-store"
        assert "This link does not work" in response.content.decode()

    def test_an_erased_subscriptions_links_are_404(self, client, editor):
        reader = subscriber()
        url = link(reader, "unsubscribe")
        services.erase(subscription=reader, user=editor)
        assert client.get(url).status_code == 404

    def test_other_methods_are_refused(self, client):
        response = client.put(link(subscriber(), "unsubscribe"))
        assert response.status_code == 405


class TestUnsubscribe:
    def test_get_shows_a_button_and_changes_nothing(self, client):
        reader = subscriber()
        response = client.get(link(reader, "unsubscribe"))
        assert "<button" in response.content.decode()
        reader.refresh_from_db()
        assert reader.status == Subscription.Status.CONFIRMED

    def test_one_click_post_without_cookie_or_csrf_token(self):
        reader = subscriber()
        # A mail client: no session, no CSRF cookie, CSRF checks on.
        mail_client = Client(enforce_csrf_checks=True)
        response = mail_client.post(
            link(reader, "unsubscribe"),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert "You are unsubscribed" in response.content.decode()
        reader.refresh_from_db()
        assert reader.status == Subscription.Status.UNSUBSCRIBED
        assert reader.unsubscribed_at is not None
        # Again: still fine.
        assert mail_client.post(link(reader, "unsubscribe")).status_code == 200

    def test_other_pages_still_need_the_csrf_token(self):
        reader = subscriber()
        strict = Client(enforce_csrf_checks=True)
        assert strict.post(link(reader, "preferences"), {"frequency": "daily"}).status_code == 403
        assert strict.post(URL, form()).status_code == 403


class TestPreferences:
    def test_the_form_shows_the_saved_filter(self, client):
        ArticleFactory(topics=["Asylum"], regions=["mx"])
        reader = subscriber(query="type=report&region=mx&topic=asylum", frequency="daily")
        page = client.get(link(reader, "preferences")).content.decode()
        assert re.search(r'<option value="mx" selected', page)
        assert re.search(r'<input[^>]+value="daily"[^>]+checked', page)

    def test_change_filter_and_frequency(self, client, settings):
        reader = subscriber(query="region=mx")
        response = client.post(
            link(reader, "preferences"),
            {"type": ["statement"], "region": "AFRICA", "frequency": "daily", "digest_hour": "18"},
        )
        assert response.status_code == 200
        assert "Saved." in response.content.decode()
        reader.refresh_from_db()
        assert reader.query == "type=statement&region=africa"
        assert (reader.frequency, reader.digest_hour) == ("daily", 18)

    def test_bad_input_keeps_the_saved_choice(self, client):
        reader = subscriber(query="region=mx")
        response = client.post(
            link(reader, "preferences"), {"region": "atlantis", "frequency": "weekly"}
        )
        assert "There are" in response.content.decode()
        reader.refresh_from_db()
        assert reader.query == "region=mx"

    def test_a_filter_the_address_already_has_is_refused_clearly(self, client):
        subscriber(query="region=mx")
        other = subscriber(query="region=fr")
        response = client.post(
            link(other, "preferences"), {"region": "mx", "frequency": "instant", "digest_hour": 8}
        )
        assert "You already have an alert for exactly this filter." in response.content.decode()
        other.refresh_from_db()
        assert other.query == "region=fr"

    def test_saving_starts_a_stopped_subscription_again(self, client):
        stopped = subscriber(status=Subscription.Status.SUSPENDED, bounce_count=3)
        client.post(link(stopped, "preferences"), {"frequency": "instant", "digest_hour": 8})
        stopped.refresh_from_db()
        assert stopped.status == Subscription.Status.CONFIRMED and stopped.bounce_count == 0
