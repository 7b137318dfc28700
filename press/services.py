"""The press office's multi-step writes: taking in a media inquiry and telling people.

The rule throughout is "nothing lost": an inquiry is committed to the database before any
e-mail is attempted. E-mail is never sent here: a task (``press/tasks.py``) is enqueued
after the transaction commits, which queues the mail in the outbox; the worker sends and
retries it.
"""

from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Region
from core.cache import cache_available
from core.languages import default_language, language_codes
from outbox.models import Message
from outbox.services import send_again
from press.models import InquiryMessage, InquiryNote, MediaInquiry
from press.tasks import send_inquiry_emails, send_inquiry_message

# Per-IP limits on the public form. Accepted submissions are what matter to the press
# office; the looser cap on every POST stops someone hammering the validation path.
SUBMISSION_LIMIT = (5, 600)
POST_LIMIT = (30, 600)


def one_line(value: str) -> str:
    """Collapse every kind of line break and whitespace run into one space.

    E-mail headers are built from what journalists type (name, subject); a CR or LF in a
    header would be header injection, which Django refuses with an error.
    """
    return " ".join(str(value).split())


class AlreadySubmitted(Exception):
    """The form's single-use token was spent on an inquiry with other content: the
    journalist went back and changed what they had sent. ``inquiry`` is the first one."""

    def __init__(self, inquiry: MediaInquiry):
        super().__init__(inquiry.reference)
        self.inquiry = inquiry


def _enqueue_delivery(inquiry: MediaInquiry) -> None:
    # robust: the inquiry is already committed; a queue that cannot take the task is
    # logged and left to the worker's sweep (``press.tasks.catch_up``) rather than shown
    # to the journalist as a failure (which would make them send the inquiry again).
    transaction.on_commit(partial(send_inquiry_emails.enqueue, inquiry.pk), robust=True)


def inquiry_submit(
    *,
    data: dict,
    ip: str | None,
    user_agent: str,
    spam_reason: str = "",
    submission_key: str = "",
    rate_limit_skipped: bool = False,
    language: str = "",
) -> MediaInquiry:
    """Store a media inquiry from the public form and, unless it is spam, enqueue its
    e-mails after commit.

    ``data`` is the form's cleaned data (single-line fields already made single-line).
    Suspected spam is stored with its reason and no e-mail goes out; staff can rescue it
    with ``inquiry_mark_not_spam``. ``submission_key`` is the form's single-use token: a
    second submission with it (a double click, a re-sent POST) returns the inquiry the
    first stored, or raises ``AlreadySubmitted`` when its content differs. An inquiry
    taken while the rate limit could not be checked is flagged for review
    (``rate_limit_skipped``). ``language`` is the form page's (the default language's
    when not given or not one of the newsroom's).
    """
    if language not in language_codes():
        language = default_language()
    if submission_key:
        existing = MediaInquiry.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return _same_submission(existing, data)
    region_slug = data.get("region") or ""
    region = Region.objects.named([region_slug]).first() if region_slug else None
    try:
        with transaction.atomic():
            inquiry = MediaInquiry.objects.create(
                name=data["name"],
                email=data["email"],
                outlet=data["outlet"],
                phone=data.get("phone") or "",
                deadline=data.get("deadline"),
                time_zone=data.get("time_zone") or "",
                subject=data["subject"],
                message=data["message"],
                language=language,
                region=region,
                topic=data.get("topic") or "",
                consent=bool(data.get("consent")),
                status=MediaInquiry.Status.SPAM if spam_reason else MediaInquiry.Status.NEW,
                spam_reason=spam_reason[:200],
                ip_address=ip or None,
                user_agent=(user_agent or "")[:300],
                submission_key=submission_key,
                rate_limit_skipped=rate_limit_skipped,
            )
            if not spam_reason:
                _enqueue_delivery(inquiry)
    except IntegrityError:
        # Two POSTs of one form at the same moment: the unique key let one in.
        existing = (
            MediaInquiry.objects.filter(submission_key=submission_key).first()
            if submission_key
            else None
        )
        if existing is None:
            raise
        return _same_submission(existing, data)
    return inquiry


def _same_submission(existing: MediaInquiry, data: dict) -> MediaInquiry:
    if (existing.email, existing.subject, existing.message) != (
        data["email"],
        data["subject"],
        data["message"],
    ):
        raise AlreadySubmitted(existing)
    return existing


def inquiries_resend(*, inquiries) -> int:
    """Staff's "re-send": try the e-mails of these inquiries that the outbox has not sent
    again now, with a fresh count of attempts: their notification and acknowledgement,
    and the replies and assignment notices on their threads. Returns how many inquiries
    had something unsent. Sent e-mails are never sent again."""
    with transaction.atomic():
        pks = set(inquiries.exclude(status=MediaInquiry.Status.SPAM).values_list("pk", flat=True))
        inquiry_type = ContentType.objects.get_for_model(MediaInquiry)
        message_type = ContentType.objects.get_for_model(InquiryMessage)
        threads = dict(
            InquiryMessage.objects.filter(inquiry__in=pks, sent_at__isnull=True).values_list(
                "pk", "inquiry_id"
            )
        )
        unsent = Message.objects.exclude(state=Message.State.SENT).filter(
            Q(content_type=inquiry_type, object_id__in=pks)
            | Q(content_type=message_type, object_id__in=threads)
        )
        touched = set()
        for content_type_id, object_id in unsent.values_list("content_type", "object_id"):
            touched.add(object_id if content_type_id == inquiry_type.pk else threads[object_id])
        send_again(unsent)
        # What was never queued (a lost task) is queued now.
        for pk in inquiries.unsent().values_list("pk", flat=True):
            touched.add(pk)
            transaction.on_commit(partial(send_inquiry_emails.enqueue, pk), robust=True)
    return len(touched)


def _enqueue_message(message: InquiryMessage) -> None:
    # robust: the message is committed; a queue that cannot take the task leaves it to
    # the worker's sweep, and the officer's page does not fail after their reply was stored.
    transaction.on_commit(partial(send_inquiry_message.enqueue, message.pk), robust=True)


class CannotReply(Exception):
    """The inquiry must not be answered by e-mail (it is spam: the address may be a
    stranger's that a bot typed in)."""


@transaction.atomic
def inquiry_reply(*, inquiry: MediaInquiry, author, body: str) -> InquiryMessage:
    """A press officer's answer to the journalist: stored on the inquiry's thread first,
    then sent by a task after commit. The inquiry moves to answered when it is sent
    (``send_inquiry_message``), so a failed send leaves it open and on the desk.

    Whoever answers an inquiry nobody had taken takes it: they become its assignee, and
    a note on the inquiry records it. One conditional UPDATE, so of two officers
    answering at once, one takes it."""
    if inquiry.status == MediaInquiry.Status.SPAM:
        raise CannotReply("Move the inquiry out of spam before replying to it.")
    body = body.strip()
    if not body:
        raise CannotReply("Write the reply before sending it.")
    message = InquiryMessage.objects.create(
        inquiry=inquiry,
        kind=InquiryMessage.Kind.REPLY,
        author=author,
        recipient=inquiry.email,
        body=body,
    )
    if inquiry.status == MediaInquiry.Status.NEW:
        MediaInquiry.objects.filter(pk=inquiry.pk, status=MediaInquiry.Status.NEW).update(
            status=MediaInquiry.Status.IN_PROGRESS, updated_at=timezone.now()
        )
    if author is not None and MediaInquiry.objects.filter(
        pk=inquiry.pk, assignee__isnull=True
    ).update(assignee=author, updated_at=timezone.now()):
        inquiry.assignee = author
        InquiryNote.objects.create(
            inquiry=inquiry, author=author, text="Took this inquiry by replying to it."
        )
    _enqueue_message(message)
    return message


@transaction.atomic
def inquiry_notify_assignee(*, inquiry: MediaInquiry, assigned_by) -> InquiryMessage | None:
    """E-mail the press officer an inquiry was just given to, unless they gave it to
    themselves or have no address. Recorded on the thread like a reply."""
    assignee = inquiry.assignee
    if assignee is None or not assignee.email or assignee == assigned_by:
        return None
    message = InquiryMessage.objects.create(
        inquiry=inquiry,
        kind=InquiryMessage.Kind.ASSIGNMENT,
        author=assigned_by,
        recipient=assignee.email,
    )
    _enqueue_message(message)
    return message


@transaction.atomic
def inquiry_mark_not_spam(*, inquiry: MediaInquiry) -> MediaInquiry:
    """Rescue an inquiry the form took for spam: back to new, and tell everyone now."""
    inquiry.status = MediaInquiry.Status.NEW
    inquiry.spam_reason = ""
    inquiry.save(update_fields=["status", "spam_reason", "updated_at"])
    _enqueue_delivery(inquiry)
    return inquiry


def inquiries_mark_spam(*, inquiries, user) -> int:
    """Move inquiries to spam, noting who did it; nothing is deleted."""
    return inquiries.exclude(status=MediaInquiry.Status.SPAM).update(
        status=MediaInquiry.Status.SPAM,
        spam_reason=f"Marked as spam by {user.get_username()}"[:200],
        updated_at=timezone.now(),
    )


def inquiries_assign(*, inquiries, assignee) -> int:
    """Give inquiries to a press officer; new ones become in progress."""
    now = timezone.now()
    inquiries.filter(status=MediaInquiry.Status.NEW).update(
        status=MediaInquiry.Status.IN_PROGRESS, updated_at=now
    )
    return inquiries.update(assignee=assignee, updated_at=now)


def inquiries_mark_answered(*, inquiries) -> int:
    now = timezone.now()
    return inquiries.exclude(status=MediaInquiry.Status.SPAM).update(
        status=MediaInquiry.Status.ANSWERED, answered_at=now, updated_at=now
    )


class RateLimit:
    """A fixed-window counter per key in Django's cache (Redis in production).

    ``cache.add`` then ``cache.incr`` keeps it atomic on Redis. It fails open: while the
    cache is down nothing is counted and nothing is refused (``checked()`` says so), so a
    journalist is never turned away because Redis is.
    """

    def __init__(self, name: str, limit: int, window: int):
        self.name, self.limit, self.window = name, limit, window

    def _key(self, ident: str) -> str:
        return f"ratelimit:{self.name}:{ident}"

    @staticmethod
    def checked() -> bool:
        """False when the last counts could not be read or written."""
        return cache_available()

    def exceeded(self, ident: str) -> bool:
        return (cache.get(self._key(ident)) or 0) >= self.limit

    def hit(self, ident: str) -> int:
        key = self._key(ident)
        if cache.add(key, 1, self.window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:
            # Expired between add and incr: start a new window.
            cache.set(key, 1, self.window)
            return 1


inquiry_submissions = RateLimit("inquiry-submit", *SUBMISSION_LIMIT)
inquiry_posts = RateLimit("inquiry-post", *POST_LIMIT)
