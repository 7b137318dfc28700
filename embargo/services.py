"""Sharing, revoking and opening embargo links (the admin and the command both call these)."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.addresses import email_key, normalize_email
from core.languages import language_codes
from core.security import client_ip
from embargo.models import EmbargoLink, EmbargoOpening, hash_token, under_embargo
from outbox.models import Message
from outbox.services import give_up

# Entries are separated by commas, semicolons or line breaks; an entry written
# "Jane Doe <jane@example.com>" gives the address between the angle brackets, and one
# holding several addresses separated by spaces gives each.
ENTRY_SEPARATORS = re.compile(r"[,;\r\n]+")
ANGLE_ADDRESS = re.compile(r"<([^<>]*)>")
EMAIL_MAX_LENGTH = EmbargoLink._meta.get_field("email").max_length


class EmbargoError(ValidationError):
    """The article cannot be shared under embargo (not scheduled), or bad input."""


@dataclass
class Recipients:
    """Pasted addresses, split into the usable ones and the problems, each named."""

    emails: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_recipients(text: str) -> Recipients:
    """Every address in ``text`` (one per line, or separated by commas), normalised
    (``core.addresses``): valid ones in order without two for one mailbox, and a message
    per bad one."""
    result = Recipients()
    seen = set()
    for candidate in _candidates(text or ""):
        try:
            if len(candidate) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long", code="invalid")
            email = normalize_email(candidate)
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long", code="invalid")
        except ValidationError as error:
            if error.code == "invalid":
                result.errors.append(f"“{candidate[:80]}” is not an e-mail address.")
            else:
                result.errors.append(f"“{candidate[:80]}”: {error.messages[0]}")
            continue
        key = email_key(email)
        if key not in seen:
            seen.add(key)
            result.emails.append(email)
    return result


def _candidates(text: str):
    for entry in ENTRY_SEPARATORS.split(text):
        angle = ANGLE_ADDRESS.search(entry)
        words = [angle[1].strip() or entry.strip()] if angle else entry.split()
        for word in words:
            word = word.strip().strip("\"'").rstrip(".")
            if word:
                yield word


def check_shareable(article) -> None:
    if not under_embargo(article):
        state = getattr(article, "state", article.status)
        raise EmbargoError(
            f"“{article.title}” is not scheduled ({state}): only a published article whose "
            "publication time is still ahead can be shared under embargo.",
            code="not_scheduled",
        )


@transaction.atomic
def embargo_share(
    *,
    article,
    emails: list[str],
    user=None,
    expires_at: datetime | None = None,
    send_email: bool = True,
    translations=(),
) -> list[tuple[EmbargoLink, str]]:
    """Give each address a personal link to ``article``, replacing any link it already
    had (the old one stops working), and e-mail them after commit. Returns each new link
    with its token, in the order given.

    ``translations``: other versions of the article's translation group, each scheduled
    too, shared with the same addresses (a link per version, each lifting at its own
    publication time); each recipient's page offers a switch between the versions they
    were given (``shared_versions``), and no other.
    """
    check_shareable(article)
    versions = [article]
    for translation in translations:
        if translation.pk == article.pk or translation.group_id != article.group_id:
            raise EmbargoError(
                f"“{translation.title}” is not a translation of “{article.title}”.",
                code="not_a_translation",
            )
        check_shareable(translation)
        if translation.pk not in {version.pk for version in versions}:
            versions.append(translation)
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise EmbargoError("The expiry must be in the future.", code="expiry_past")
    issued = []
    for version, email in ((version, email) for version in versions for email in emails):
        _revoke(
            EmbargoLink.objects.filter(
                article=version, email__iexact=email, revoked_at__isnull=True
            ),
            now=now,
        )
        link, token = EmbargoLink.issue(
            article=version,
            email=email,
            created_by=user,
            expires_at=expires_at,
            send_email=send_email,
        )
        link.save()
        issued.append((link, token))
    if send_email:
        from embargo.tasks import notify_recipient  # noqa: PLC0415 - tasks import services

        ids = [link.pk for link, _token in issued]
        transaction.on_commit(lambda: [notify_recipient.enqueue(link_id=pk) for pk in ids])
    return issued


def embargo_revoke(*, article, email: str | None = None) -> int:
    """Revoke one recipient's link (``email``) or, with ``email=None``, every link of the
    article. Returns how many links stopped working."""
    links = EmbargoLink.objects.filter(article=article, revoked_at__isnull=True)
    if email is not None:
        links = links.filter(email__iexact=email)
    return _revoke(links, now=timezone.now())


def _revoke(links, *, now) -> int:
    """Stop ``links``, and the mails still queued for them (their link would not work)."""
    ids = list(links.values_list("pk", flat=True))
    give_up(
        Message.objects.pending().filter(
            content_type=ContentType.objects.get_for_model(EmbargoLink), object_id__in=ids
        ),
        reason="not sent: the link was revoked",
    )
    return EmbargoLink.objects.filter(pk__in=ids).update(revoked_at=now)


def client_hash(request) -> str:
    """A keyed hash of the visitor's address: comparable between openings, not reversible
    without SECRET_KEY."""
    ip = client_ip(request)
    if not ip:
        return ""
    return salted_hmac("embargo.EmbargoOpening.client", ip, algorithm="sha256").hexdigest()


def record_opening(*, link: EmbargoLink, request) -> EmbargoOpening:
    return EmbargoOpening.objects.create(
        link=link,
        client_hash=client_hash(request),
        user_agent=request.headers.get("User-Agent", "")[:300],
    )


def shared_versions(link: EmbargoLink) -> list[EmbargoLink]:
    """The links its recipient holds to the versions of ``link``'s story (itself
    included), one per language, in the newsroom's order of languages: each active, not
    expired, to a version under embargo or live. A version nobody shared with this
    address is not among them, whatever its state."""
    article = link.article
    links = (
        EmbargoLink.objects.active()
        .filter(email__iexact=link.email, article__in=article.translation_group())
        .select_related("article")
        .order_by("-created_at", "-id")
    )
    by_language = {}
    for candidate in links:
        version = candidate.article
        if candidate.is_expired() or not (under_embargo(version) or version.is_live):
            continue
        by_language.setdefault(version.language, candidate)
    by_language[article.language] = link
    order = {code: index for index, code in enumerate(language_codes())}
    return sorted(by_language.values(), key=lambda one: order.get(one.article.language, 99))


def find_link(token: str) -> EmbargoLink | None:
    """The active link a token names, with its article, or None for anything else."""
    if not token or len(token) > 200:
        return None
    link = (
        EmbargoLink.objects.select_related("article", "article__hero_photo")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if link is None or link.is_expired():
        return None
    return link
