"""Embargo links: tokens, recipients, sharing and revoking."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from embargo.formats import embargo_time
from embargo.models import EmbargoLink
from embargo.services import EmbargoError, embargo_revoke, find_link, parse_recipients
from tests.embargo.conftest import share
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_tokens_are_long_random_and_only_their_hash_is_stored(embargoed):
    tokens = share(embargoed, *[f"r{n}@example.com" for n in range(50)])

    assert len(set(tokens)) == 50
    # 64 hex characters: 256 bits, well over the 128 required.
    assert all(len(token) == 64 and int(token, 16) >= 0 for token in tokens)
    for link in EmbargoLink.objects.all():
        assert link.token_hash == hashlib.sha256(link.token.encode()).hexdigest()
        stored = " ".join(
            str(value) for value in EmbargoLink.objects.filter(pk=link.pk).values().get().values()
        )
        assert link.token not in stored
    # Distinct bits: no two tokens share a long prefix (they are not sequential).
    assert len({token[:8] for token in tokens}) == 50


def test_a_token_finds_its_link_and_nothing_else(embargoed):
    (token,) = share(embargoed, "a@example.com")

    assert find_link(token).email == "a@example.com"
    assert find_link(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert find_link("") is None
    assert find_link("x" * 10_000) is None


def test_pasted_addresses_are_split_checked_and_deduplicated():
    parsed = parse_recipients(
        "ana@example.com, Bob <bob@example.org>\n\nnot-an-address; ANA@example.com\n"
        "carl@example.net,,  broken@@x"
    )

    assert parsed.emails == ["ana@example.com", "bob@example.org", "carl@example.net"]
    assert parsed.errors == [
        "“not-an-address” is not an e-mail address.",
        "“broken@@x” is not an e-mail address.",
    ]


def test_pasted_addresses_are_normalised_and_one_mailbox_is_one_recipient():
    parsed = parse_recipients(
        "Ana@EXAMPLE.com\nana@example.com, ana@exämple.com; ANA@xn--exmple-cua.com\n"
        "x@[192.0.2.1], ana(desk)@example.com"
    )

    assert parsed.emails == ["Ana@example.com", "ana@xn--exmple-cua.com"]
    assert parsed.errors == [
        "“x@[192.0.2.1]”: Give an address at a domain name, not at an IP address in brackets.",
        "“ana(desk)@example.com”: Remove the comment in brackets from this address.",
    ]


@pytest.mark.parametrize(
    "state",
    [{"draft": True, "scheduled": True}, {}],
    ids=["draft", "live"],
)
def test_only_a_scheduled_article_can_be_shared(state):
    article = ArticleFactory(**state)

    with pytest.raises(EmbargoError, match="not scheduled"):
        share(article, "a@example.com")
    assert not EmbargoLink.objects.exists()


def test_an_expiry_in_the_past_is_refused(embargoed):
    with pytest.raises(EmbargoError, match="future"):
        share(embargoed, "a@example.com", expires_at=timezone.now() - timedelta(minutes=1))


def test_sharing_again_replaces_the_recipients_link(embargoed):
    (first,) = share(embargoed, "a@example.com")
    (second,) = share(embargoed, "A@example.com")

    assert find_link(first) is None
    assert find_link(second) is not None
    assert EmbargoLink.objects.active().count() == 1


def test_the_default_expiry_is_48_hours_after_the_lift_and_follows_it(embargoed):
    (token,) = share(embargoed, "a@example.com")
    link = find_link(token)
    assert link.effective_expiry() == embargoed.published_at + timedelta(hours=48)

    embargoed.published_at += timedelta(days=3)
    embargoed.save()
    assert find_link(token).effective_expiry() == embargoed.published_at + timedelta(hours=48)


def test_revoke_one_or_all(embargoed):
    a, b, c = share(embargoed, "a@example.com", "b@example.com", "c@example.com")

    assert embargo_revoke(article=embargoed, email="B@example.com") == 1
    assert [find_link(t) is not None for t in (a, b, c)] == [True, False, True]
    assert embargo_revoke(article=embargoed) == 2
    assert [find_link(t) for t in (a, b, c)] == [None, None, None]


def test_the_embargo_time_is_in_the_newsroom_zone_with_utc_beside_it():
    from datetime import UTC, datetime

    assert (
        embargo_time(datetime(2017, 6, 15, 4, 1, tzinfo=UTC))
        == "Thursday, June 15, 2017, 00:01 EDT (04:01 UTC)"
    )
    # The UTC date is given when it is not the newsroom's.
    assert (
        embargo_time(datetime(2017, 1, 16, 2, 30, tzinfo=UTC))
        == "Sunday, January 15, 2017, 21:30 EST (January 16, 02:30 UTC)"
    )
