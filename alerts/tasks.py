"""The alerts' background work (``django.tasks``): confirmation mails, the fan-out of an
article to its subscribers, and the daily digests.

Exactly once: the fan-out writes one ``Delivery`` row per subscriber owed the article
(a unique constraint refuses a second), then senders claim batches of rows with one
conditional UPDATE each and record ``sent_at`` as the mail server takes every mail. A
retried or duplicated task finds nothing owed and sends nothing again.

At scale: rows are sent in batches over ONE SMTP connection per batch; an address the
server refuses never stops the rest. A permanent refusal (5xx) is a hard bounce, counted
against the address, which is suspended after ``MAX_BOUNCES``; anything else is retried
later with growing pauses.
"""

import logging
import smtplib
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import groupby

from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Min
from django.tasks import task
from django.utils import timezone

from alerts import emails
from alerts.filtering import matching_queries
from alerts.models import (
    MAX_BOUNCES,
    MAX_DELIVERY_ATTEMPTS,
    Announcement,
    ArticleAlert,
    Delivery,
    DigestRun,
    Subscription,
)
from articles.models import Article

logger = logging.getLogger(__name__)

# Mails per SMTP connection: big enough that connecting costs nothing, small enough
# that a worker dying mid-batch leaves little to wait for its lease.
BATCH_SIZE = 250
# Batches sent side by side, each over its own connection: while one waits for the
# mail server's answer another builds its next mail. Measured with bench/alerts_fanout.py.
SMTP_CONNECTIONS = 4
# A fan-out bigger than one round of batches is shared: this many more sender tasks are
# enqueued, so that other workers, where there are any, send side by side (each claims
# its own batches).
EXTRA_SENDERS = 1
# Digests are bigger mails, each built from several rows.
DIGEST_BATCH_SIZE = 200
# How long a sender holds the rows it claimed; far longer than a batch takes.
SEND_LEASE = timedelta(minutes=15)
RETRY_BASE = timedelta(minutes=10)
RETRY_CAP = timedelta(hours=6)
# What a mail server can throw at us while sending; anything else is a bug.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_BASE * 2 ** min(max(attempts - 1, 0), 16), RETRY_CAP)


def _can_defer(a_task) -> bool:
    return a_task.get_backend().supports_defer


# --- Sending a batch over one connection -------------------------------------------------


@dataclass
class Outgoing:
    """One mail and the delivery rows it settles."""

    subscription_id: int
    row_ids: list[int]
    message: EmailMessage


@dataclass
class Outcome:
    sent: list[int] = field(default_factory=list)
    # (row ids, subscription id, error) for permanent refusals of the address.
    bounced: list[tuple[list[int], int, str]] = field(default_factory=list)
    # (row ids, error) for everything worth trying again.
    failed: list[tuple[list[int], str]] = field(default_factory=list)


def _is_hard_bounce(error: smtplib.SMTPRecipientsRefused) -> bool:
    codes = [code for code, _ in error.recipients.values()]
    return bool(codes) and all(500 <= code < 600 for code in codes)


def send_batches(outgoing: list[Outgoing]) -> Outcome:
    """Send ``outgoing`` in up to ``SMTP_CONNECTIONS`` batches at once, one connection
    each; the threads only talk to the mail server, never to the database."""
    batches = [
        outgoing[start : start + BATCH_SIZE] for start in range(0, len(outgoing), BATCH_SIZE)
    ]
    if len(batches) <= 1:
        return send_batch(outgoing)
    with ThreadPoolExecutor(max_workers=min(len(batches), SMTP_CONNECTIONS)) as pool:
        outcomes = list(pool.map(send_batch, batches))
    merged = Outcome()
    for outcome in outcomes:
        merged.sent += outcome.sent
        merged.bounced += outcome.bounced
        merged.failed += outcome.failed
    return merged


def send_batch(outgoing: list[Outgoing]) -> Outcome:
    """Send each mail over one connection; one refused address never stops the rest.

    A connection the server drops is opened again for the next mail; when it cannot be
    opened, the rest of the batch is left for a retry.
    """
    outcome = Outcome()
    connection = mail.mailers.default
    try:
        connection.open()
    except MAIL_ERRORS as error:
        logger.warning("Alerts: cannot connect to the mail server: %r", error)
        outcome.failed += [(item.row_ids, repr(error)) for item in outgoing]
        return outcome
    try:
        for index, item in enumerate(outgoing):
            try:
                connection.send_messages([item.message])
            except smtplib.SMTPRecipientsRefused as error:
                if _is_hard_bounce(error):
                    outcome.bounced.append((item.row_ids, item.subscription_id, repr(error)))
                else:
                    outcome.failed.append((item.row_ids, repr(error)))
            except MAIL_ERRORS as error:
                outcome.failed.append((item.row_ids, repr(error)))
                if not _reopen(connection):
                    rest = outgoing[index + 1 :]
                    outcome.failed += [(other.row_ids, repr(error)) for other in rest]
                    break
            else:
                outcome.sent += item.row_ids
    finally:
        with suppress(MAIL_ERRORS):
            connection.close()
    return outcome


def _reopen(connection) -> bool:
    """After an error the session may be gone: start a fresh one, or say we cannot."""
    with suppress(MAIL_ERRORS):
        connection.close()
    try:
        connection.open()
    except MAIL_ERRORS as error:
        logger.warning("Alerts: the mail server went away: %r", error)
        return False
    return True


def record(outcome: Outcome) -> None:
    """Write what happened to each row, at once, in a few UPDATEs."""
    now = timezone.now()
    if outcome.sent:
        Delivery.objects.filter(pk__in=outcome.sent).update(
            sent_at=now, sending_until=None, claim="", last_error=""
        )
    for row_ids, subscription_id, error in outcome.bounced:
        Delivery.objects.filter(pk__in=row_ids).update(
            attempts=MAX_DELIVERY_ATTEMPTS, sending_until=None, claim="", last_error=error[:300]
        )
        bounce(subscription_id=subscription_id, error=error)
    for row_ids, error in outcome.failed:
        for attempts, ids in _by_attempts(row_ids):
            Delivery.objects.filter(pk__in=ids).update(
                next_attempt_at=now + retry_delay(attempts),
                sending_until=None,
                claim="",
                last_error=error[:300],
            )


def _by_attempts(row_ids):
    rows = Delivery.objects.filter(pk__in=row_ids).order_by("attempts")
    pairs = rows.values_list("attempts", "pk")
    for attempts, group in groupby(pairs, key=lambda pair: pair[0]):
        yield attempts, [pk for _, pk in group]


def bounce(*, subscription_id: int, error: str) -> None:
    """Count a hard bounce; the third suspends the subscription."""
    Subscription.objects.filter(pk=subscription_id).update(
        bounce_count=F("bounce_count") + 1, last_bounce=error[:300]
    )
    suspended = Subscription.objects.filter(
        pk=subscription_id,
        status=Subscription.Status.CONFIRMED,
        bounce_count__gte=MAX_BOUNCES,
    ).update(status=Subscription.Status.SUSPENDED)
    if suspended:
        logger.info("Alert subscription #%s suspended after bounces.", subscription_id)


def claim(rows, *, now: datetime, limit: int) -> list[int]:
    """Take up to ``limit`` due rows of ``rows`` for this sender: one conditional UPDATE,
    so of two senders each row goes to one. Returns the ids taken."""
    token = uuid.uuid4().hex
    candidates = list(rows.due(at=now).order_by("pk").values_list("pk", flat=True)[:limit])
    if not candidates:
        return []
    Delivery.objects.filter(pk__in=candidates).due(at=now).update(
        claim=token, sending_until=now + SEND_LEASE, attempts=F("attempts") + 1
    )
    taken = Delivery.objects.filter(pk__in=candidates, claim=token)
    return list(taken.values_list("pk", flat=True))


def _give_up(row_ids, reason: str) -> None:
    Delivery.objects.filter(pk__in=row_ids).update(
        attempts=MAX_DELIVERY_ATTEMPTS, sending_until=None, claim="", last_error=reason
    )


def _hold(row_ids, *, until) -> None:
    Delivery.objects.filter(pk__in=row_ids).update(
        sending_until=None, claim="", next_attempt_at=until
    )


# --- Confirmation -----------------------------------------------------------------------


@task
def send_confirmation(subscription_id: int, attempt: int = 1) -> str:
    """The double opt-in mail, to a subscription still waiting for it."""
    subscription = Subscription.objects.filter(
        pk=subscription_id, status=Subscription.Status.PENDING
    ).first()
    if subscription is None:
        return "nothing to confirm"
    return _send_one(send_confirmation, emails.confirmation(subscription), subscription, attempt)


@task
def send_already_subscribed(subscription_id: int, attempt: int = 1) -> str:
    subscription = Subscription.objects.confirmed().filter(pk=subscription_id).first()
    if subscription is None:
        return "not subscribed"
    return _send_one(
        send_already_subscribed, emails.already_subscribed(subscription), subscription, attempt
    )


def _send_one(a_task, message, subscription, attempt) -> str:
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        if _is_hard_bounce(error):
            bounce(subscription_id=subscription.pk, error=repr(error))
            return "bounced"
        return _retry_one(a_task, subscription, attempt, error)
    except MAIL_ERRORS as error:
        return _retry_one(a_task, subscription, attempt, error)
    if a_task is send_confirmation:
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=timezone.now())
    return "sent"


def _retry_one(a_task, subscription, attempt, error) -> str:
    logger.warning("Alert mail to subscription #%s failed: %r", subscription.pk, error)
    if attempt >= MAX_DELIVERY_ATTEMPTS or not _can_defer(a_task):
        return "gave up"
    retry_at = timezone.now() + retry_delay(attempt)
    a_task.using(run_after=retry_at).enqueue(subscription.pk, attempt=attempt + 1)
    return f"retrying at {retry_at.isoformat()}"


# --- An article going live ---------------------------------------------------------------


@task
def fan_out_article(article_id: int) -> str:
    """Match a live article to the confirmed subscribers, once, then send the instant
    alerts. Checks, when it runs, that the article is live: a task enqueued for a
    scheduled article whose time moved, or that was unpublished, stops here."""
    now = timezone.now()
    alert = ArticleAlert.objects.filter(article_id=article_id).first()
    if alert is None:
        return "no alert"
    article = Article.objects.live(at=now).filter(pk=article_id).first()
    if article is None:
        return "not live"
    if alert.matched_at is None:
        with transaction.atomic():
            # The claim: of two tasks for one article, one matches.
            if ArticleAlert.objects.filter(pk=alert.pk, matched_at__isnull=True).update(
                matched_at=now
            ):
                count = owe_article(article)
                ArticleAlert.objects.filter(pk=alert.pk).update(matched_count=count)
                if count > BATCH_SIZE * SMTP_CONNECTIONS:
                    for _ in range(EXTRA_SENDERS):
                        transaction.on_commit(partial(deliver.enqueue, article_id), robust=True)
    return deliver.call(article_id)


def owe_article(article: Article) -> int:
    """Write a delivery row for every confirmed subscriber whose filter the article
    matches; returns how many. Each distinct filter is matched once."""
    confirmed = Subscription.objects.confirmed()
    queries = confirmed.order_by().values_list("query", flat=True).distinct()
    matched = matching_queries(article, queries)
    if not matched:
        return 0
    subscribers = confirmed.filter(query__in=matched).order_by("pk").values_list("pk", "frequency")
    rows, count = [], 0
    for pk, frequency in subscribers.iterator(chunk_size=2000):
        rows.append(
            Delivery(
                subscription_id=pk,
                article_id=article.pk,
                in_digest=frequency == Subscription.Frequency.DAILY,
            )
        )
        if len(rows) >= 1000:
            count += len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    if rows:
        count += len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
    return count


@task
def deliver(article_id: int, announcement_id: int | None = None) -> str:
    """Send what instant subscribers are owed about an article (or one announcement
    about it), batch after batch, until nothing is due."""
    return _deliver(article_id, announcement_id)


def _deliver(article_id: int, announcement_id: int | None) -> str:
    article = Article.objects.filter(pk=article_id).first()
    announcement = (
        Announcement.objects.filter(pk=announcement_id).first() if announcement_id else None
    )
    rows = Delivery.objects.filter(
        article_id=article_id, announcement_id=announcement_id, in_digest=False
    )
    sent = failed = 0
    shared = emails.Shared()
    while True:
        now = timezone.now()
        if article is None or not Article.objects.live(at=now).filter(pk=article_id).exists():
            # Unpublished while its alerts were going out: the rest wait.
            return f"sent {sent}; stopped: the article is not live"
        ids = claim(rows, now=now, limit=BATCH_SIZE * SMTP_CONNECTIONS)
        if not ids:
            break
        batch = Delivery.objects.filter(pk__in=ids).select_related("subscription")
        outgoing, stopped = [], []
        for row in batch:
            if not row.subscription.is_active:
                stopped.append(row.pk)
                continue
            message = emails.alert(
                row.subscription, article, announcement=announcement, shared=shared
            )
            outgoing.append(Outgoing(row.subscription_id, [row.pk], message))
        if stopped:
            _give_up(stopped, "not sent: the subscription stopped")
        outcome = send_batches(outgoing)
        record(outcome)
        sent += len(outcome.sent)
        failed += len(outcome.failed) + len(outcome.bounced)
    _retry_later(deliver, rows, article_id, announcement_id)
    return f"sent {sent}, failed {failed}"


def _retry_later(a_task, rows, *args) -> None:
    """Enqueue ``a_task`` again for the earliest row waiting for a retry."""
    retry_at = rows.unsent().aggregate(at=Min("next_attempt_at"))["at"]
    if retry_at is not None and retry_at > timezone.now() and _can_defer(a_task):
        a_task.using(run_after=retry_at).enqueue(*args)


# --- Daily digests -----------------------------------------------------------------------


@task
def send_digests(slot_iso: str) -> str:
    """One slot's daily digests: each subscriber whose chosen hour, in their own zone, is
    now gets one mail with what it is owed. The slot is claimed first (``DigestRun``), so
    a duplicate task sends nothing; tomorrow's slots are scheduled before sending, so a
    crash cannot end the chain."""
    from alerts.services import (  # noqa: PLC0415 - services enqueue these tasks
        digest_times_at,
        schedule_digest,
    )

    slot = datetime.fromisoformat(slot_iso)
    now = timezone.now()
    run, _ = DigestRun.objects.get_or_create(slot_at=slot)
    if not DigestRun.objects.filter(pk=run.pk, state=DigestRun.State.SCHEDULED).update(
        state=DigestRun.State.RUNNING, started_at=now
    ):
        return "already run"
    # Each subscriber chose an hour in their own zone: those whose hour it is now.
    due = digest_times_at(slot)
    for zone, hour in due:
        schedule_digest(hour, zone, now=max(slot, now))
    subscribers = Subscription.objects.none()
    for zone, hour in due:
        subscribers |= Subscription.objects.daily_at(hour, zone)
    sent = send_owed_digests(subscribers) if due else 0
    DigestRun.objects.filter(pk=run.pk).update(
        state=DigestRun.State.DONE, finished_at=timezone.now(), sent_count=sent
    )
    return f"sent {sent} digests"


@task
def send_digest_now(subscription_id: int) -> str:
    """What a subscriber's digest still held, at once (they switched to instant)."""
    sent = send_owed_digests(Subscription.objects.confirmed().filter(pk=subscription_id))
    return f"sent {sent} digests"


def send_owed_digests(subscribers) -> int:
    """One mail per subscriber of ``subscribers`` with the digest rows it is owed."""
    sent = 0
    shared = emails.Shared()
    owed = Delivery.objects.filter(in_digest=True, subscription__in=subscribers)
    while True:
        now = timezone.now()
        who = list(
            owed.due(at=now)
            .order_by("subscription_id")
            .values_list("subscription_id", flat=True)
            .distinct()[:DIGEST_BATCH_SIZE]
        )
        if not who:
            return sent
        ids = claim(owed.filter(subscription_id__in=who), now=now, limit=BATCH_SIZE * 10)
        if not ids:
            return sent
        outgoing = _digests(ids, now=now, shared=shared)
        outcome = send_batches(outgoing)
        record(outcome)
        delivered = set(outcome.sent)
        sent += sum(1 for item in outgoing if item.row_ids[0] in delivered)


def _digests(ids, *, now, shared) -> list[Outgoing]:
    rows = (
        Delivery.objects.filter(pk__in=ids)
        .select_related("subscription", "article", "announcement")
        .order_by("subscription_id", "article__published_at", "pk")
    )
    live = set(
        Article.objects.live(at=now)
        .filter(pk__in=[row.article_id for row in rows])
        .values_list("pk", flat=True)
    )
    outgoing, later = [], []
    for subscription_id, group in groupby(rows, key=lambda row: row.subscription_id):
        group = list(group)
        subscription = group[0].subscription
        ready = [row for row in group if row.article_id in live]
        # Unpublished meanwhile: kept for a later digest, if it comes back.
        later += [row.pk for row in group if row.article_id not in live]
        if not ready:
            continue
        if not subscription.is_active:
            _give_up([row.pk for row in ready], "not sent: the subscription stopped")
            continue
        items = [
            {
                "article": row.article,
                "announcement": row.announcement,
                "article_url": emails.absolute(row.article.get_absolute_url()),
            }
            for row in ready
        ]
        message = emails.digest(subscription, items, shared=shared)
        outgoing.append(Outgoing(subscription_id, [row.pk for row in ready], message))
    _hold(later, until=now + timedelta(hours=23))
    return outgoing
