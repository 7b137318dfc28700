"""Articles going live reach the subscribers whose filter they match, once."""

import email.policy
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import services, tasks
from alerts.models import ArticleAlert, Delivery, Subscription
from articles.models import Article, Region
from desk.corrections import article_record_change
from desk.services import article_publish, article_unpublish
from outbox.models import Message
from tests.alerts.helpers import BOUNCING, BouncingBackend, path_of, sent_to, subscriber
from tests.factories import ArticleFactory
from tests.outbox.helpers import delivered

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Create a live article and run what is enqueued after commit."""

    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return ArticleFactory(**fields)

    return make


def test_a_live_article_is_sent_to_matching_instant_subscribers(publish):
    everything = subscriber("all@example.com")
    mexico = subscriber("mx@example.com", query="region=mx")
    africa = subscriber("af@example.com", query="region=africa")
    pending = subscriber("pending@example.com", status=Subscription.Status.PENDING)
    daily = subscriber("daily@example.com", frequency=Subscription.Frequency.DAILY)

    article = publish(title="Mexico must protect asylum seekers", regions=["mx"])

    assert len(sent_to(everything.email)) == 1
    [message] = sent_to(mexico.email)
    assert message.subject == "Press Release: Mexico must protect asylum seekers"
    assert article.get_absolute_url() in message.body
    assert sent_to(africa.email) == [] and sent_to(pending.email) == []
    # The daily subscriber is owed it, in their digest.
    assert sent_to(daily.email) == []
    assert Delivery.objects.get(subscription=daily).in_digest
    alert = ArticleAlert.objects.get(article=article)
    assert alert.matched_at is not None and alert.matched_count == 3


def test_every_alert_has_one_click_unsubscribe_and_preferences(publish, client, settings):
    settings.SITE_URL = "https://newsroom.example.org"
    reader = subscriber()
    publish()
    [message] = mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://newsroom.example.org/press/alerts/unsubscribe/")
    assert unsubscribe.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/press/alerts/preferences/" in message.body
    assert unsubscribe[1:-1] in message.body
    # On the wire: one line holding the URL as it is (folded, it would become encoded
    # words that no mail client reads as a link).
    raw = message.message(policy=email.policy.SMTP).as_bytes()
    assert f"List-Unsubscribe: {unsubscribe}\r\n".encode() in raw
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    # The header's link works as RFC 8058 says: a POST with that body, nothing else.
    response = client.post(
        path_of(unsubscribe[1:-1]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Subscription.Status.UNSUBSCRIBED


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", True),
        ("type=report", True),
        ("type=statement", False),
        ("type=statement&type=report", True),
        ("region=americas", True),  # a grouping includes its countries
        ("region=mx", True),
        ("region=fr", False),
        ("topic=asylum", True),
        ("topic=torture", False),
        ("q=asylum", True),
        ("q=earthquake", False),
        ("q=asylum&type=report&region=mx&topic=asylum", True),
    ],
)
def test_matching_is_what_the_list_shows(publish, client, query, expected):
    ArticleFactory(title="Torture report", topics=["Torture"], regions=["fr"])
    reader = subscriber(query=query)
    article = publish(
        kind=Article.Kind.REPORT,
        title="Asylum seekers pushed back",
        regions=["mx"],
        topics=["Asylum"],
    )
    shown = client.get(f"/news/?{query}").context["articles"]
    assert (article.pk in [item.pk for item in shown]) is expected
    assert bool(sent_to(reader.email)) is expected


def test_a_filter_that_no_longer_validates_matches_nothing(publish):
    region = Region.objects.create(name="Atlantis", slug="atlantis")
    reader = subscriber(query="region=atlantis")
    region.delete()
    publish()
    assert sent_to(reader.email) == []


def test_a_retried_fan_out_sends_nothing_twice(publish):
    reader = subscriber()
    article = publish()
    assert len(mail.outbox) == 1
    # The worker ran the task again (a retry, a duplicate, the sweeper).
    assert tasks.fan_out_article.call(article.pk) == "queued 0"
    tasks.queue_alerts.call(article.pk)
    assert len(sent_to(reader.email)) == 1
    assert Delivery.objects.count() == 1
    assert Message.objects.count() == 1


def test_edits_and_republication_never_send_again(
    publish, editor, django_capture_on_commit_callbacks
):
    reader = subscriber()
    article = publish()
    late = subscriber("late@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Corrected title"
        article.save()
        article_unpublish(article=article, user=editor)
        article_publish(article=article, user=editor)
    assert len(sent_to(reader.email)) == 1
    assert sent_to(late.email) == []


def test_drafts_and_old_articles_alert_nobody(publish, editor, django_capture_on_commit_callbacks):
    subscriber()
    draft = publish(draft=True)
    publish(published_at=timezone.now() - timedelta(days=3))
    assert mail.outbox == []
    # A draft published now is news.
    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft, user=editor)
    assert len(mail.outbox) == 1


def test_a_scheduled_article_is_not_sent_before_its_time(publish):
    subscriber()
    article = publish(scheduled=True)
    assert mail.outbox == []
    alert = ArticleAlert.objects.get(article=article)
    assert alert.due_at == article.published_at and alert.matched_at is None
    # A task run early (the clock of another worker, a manual run) stops.
    assert tasks.fan_out_article.call(article.pk) == "not live"
    assert mail.outbox == [] and not Delivery.objects.exists()
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now())
    tasks.fan_out_article.call(article.pk)
    assert len(delivered()) == 1


def test_an_unpublished_article_is_not_sent(publish):
    subscriber()
    article = publish(scheduled=True)
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.DRAFT, published_at=timezone.now()
    )
    assert tasks.fan_out_article.call(article.pk) == "not live"
    assert mail.outbox == []


def test_one_refused_address_never_stops_the_rest(publish, settings):
    settings.MAILERS = BOUNCING
    BouncingBackend.opened = 0
    first = subscriber("a@example.com")
    bouncing = subscriber("bounce@example.com")
    busy = subscriber("busy@example.com")
    last = subscriber("z@example.com")
    publish()
    assert len(sent_to(first.email)) == 1 and len(sent_to(last.email)) == 1
    # One connection for the batch.
    assert BouncingBackend.opened == 1

    bounced = Message.objects.get(recipients=bouncing.email)
    assert bounced.state == Message.State.GAVE_UP and "550" in bounced.last_error
    bouncing.refresh_from_db()
    assert bouncing.bounce_count == 1 and "550" in bouncing.last_bounce
    assert bouncing.status == Subscription.Status.CONFIRMED

    later = Message.objects.get(recipients=busy.email)
    assert later.state == Message.State.RETRYING and later.attempts == 1
    assert later.next_attempt_at > timezone.now() and "450" in later.last_error
    busy.refresh_from_db()
    assert busy.bounce_count == 0


def test_three_hard_bounces_suspend_the_address(publish, settings):
    settings.MAILERS = BOUNCING
    bouncing = subscriber("bounce@example.com")
    for _ in range(3):
        publish()
    bouncing.refresh_from_db()
    assert bouncing.bounce_count == 3
    assert bouncing.status == Subscription.Status.SUSPENDED
    publish()
    assert Delivery.objects.filter(subscription=bouncing).count() == 3


def test_a_failed_delivery_is_retried_when_due(publish, settings):
    settings.MAILERS = BOUNCING
    busy = subscriber("busy@example.com")
    article = publish()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Not yet due: nothing.
    tasks.queue_alerts.call(article.pk)
    assert sent_to(busy.email) == []
    Message.objects.update(next_attempt_at=timezone.now())
    assert len(sent_to(busy.email)) == 1
    assert Message.objects.get().state == Message.State.SENT


def test_a_dead_mail_server_loses_nothing(publish, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.press.mail_backends.RefusingBackend"}}
    subscriber()
    publish()
    row = Message.objects.get()
    assert row.state == Message.State.RETRYING and row.next_attempt_at > timezone.now()
    assert "Connection refused" in row.last_error
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    Message.objects.update(next_attempt_at=timezone.now())
    assert len(delivered()) == 1


def test_an_unsubscribed_reader_is_not_sent_what_was_owed(publish):
    reader = subscriber(frequency=Subscription.Frequency.DAILY)
    publish()
    assert Delivery.objects.filter(sent_at__isnull=True).count() == 1
    services.unsubscribe(subscription=reader)
    assert not Delivery.objects.exists()


def test_an_unsubscribed_reader_is_not_sent_what_was_queued(publish, settings):
    settings.MAILERS = BOUNCING
    reader = subscriber("busy@example.com")
    publish()
    assert Message.objects.get().state == Message.State.RETRYING
    services.unsubscribe(subscription=reader)
    Message.objects.update(next_attempt_at=timezone.now())
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert delivered() == []
    assert Message.objects.get().state == Message.State.GAVE_UP


def test_announce_tells_those_who_were_sent_the_article(
    publish, django_capture_on_commit_callbacks
):
    reader = subscriber()
    article = publish()
    newcomer = subscriber("new@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announce(
            article=article, reason="An earlier version said 36; it is 63."
        )
    [update] = sent_to(reader.email)[1:]
    assert update.subject == f"Update: {article.title}"
    assert "it is 63" in update.body
    assert update.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent_to(newcomer.email) == []
    # Announced once, whatever retries.
    tasks.queue_alerts.call(article.pk, announcement.pk)
    assert len(sent_to(reader.email)) == 2


def test_announce_says_nothing_about_an_article_that_is_not_live(publish):
    subscriber()
    article = publish(draft=True)
    assert services.announce(article=article, reason="Corrected.") is None
    assert mail.outbox == []


def test_an_editor_deletes_an_alerted_article(publish, editor_client):
    """Its alert and delivery records go with it; they never stand in an editor's way."""
    subscriber()
    article = publish()
    response = editor_client.post(f"/admin/articles/article/{article.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ArticleAlert.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize("notify", [True, False])
def test_a_correction_is_mailed_only_when_the_editor_says_so(
    publish, editor, django_capture_on_commit_callbacks, notify
):
    """The editorial desk's "tell subscribers" box reaches the alerts, and nothing else does."""
    reader = subscriber()
    article = publish()
    with django_capture_on_commit_callbacks(execute=True):
        article_record_change(
            article=article,
            user=editor,
            kind="correction",
            text="An earlier version said 36 people; the figure is 63.",
            notify_subscribers=notify,
        )
    later = sent_to(reader.email)[1:]
    if notify:
        [update] = later
        assert "the figure is 63" in update.body
    else:
        assert later == []
