"""manage.py embargo_links: distribution lists from the command line."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from embargo.models import EmbargoLink
from embargo.services import find_link
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LINE = r"^(\S+@\S+) http://localhost:8000/embargo/([0-9a-f]{64})/$"


def run(*args, capture=None):
    out, err = StringIO(), StringIO()
    if capture is not None:
        with capture(execute=True):
            call_command("embargo_links", *args, stdout=out, stderr=err)
    else:
        call_command("embargo_links", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def parse(out):
    lines = out.splitlines()
    matches = [re.match(LINE, line) for line in lines]
    assert all(matches), lines
    return {m[1]: m[2] for m in matches}


def test_prints_one_working_link_per_recipient_and_mails_them(
    embargoed, django_capture_on_commit_callbacks
):
    out, err = run(
        "quokka-tribunal",
        "--to",
        "ana@example.com",
        "--to",
        "bob@example.org",
        capture=django_capture_on_commit_callbacks,
    )

    links = parse(out)
    assert list(links) == ["ana@example.com", "bob@example.org"]
    assert all(find_link(token).email == email for email, token in links.items())
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "bob@example.org"]
    assert "2 personal link(s)" in err


def test_no_email_only_prints(embargoed, django_capture_on_commit_callbacks):
    out, _err = run(
        "quokka-tribunal",
        "--to",
        "ana@example.com",
        "--no-email",
        capture=django_capture_on_commit_callbacks,
    )

    assert list(parse(out)) == ["ana@example.com"]
    assert mail.outbox == []


def test_a_csv_distribution_list(tmp_path, embargoed):
    path = tmp_path / "list.csv"
    path.write_text(
        "Name,Email,Outlet\nAna,ana@example.com,Daily\nBob, bob@example.org ,Weekly\n"
        "Ana again,ANA@example.com,Daily\n",
        encoding="utf-8-sig",
    )

    out, _err = run(
        "quokka-tribunal", "--csv", str(path), "--to", "carl@example.net", "--no-email"
    )

    assert list(parse(out)) == ["carl@example.net", "ana@example.com", "bob@example.org"]


def test_bad_rows_are_all_named_and_nothing_is_made(tmp_path, embargoed):
    path = tmp_path / "list.csv"
    path.write_text(
        "email,name\nana@example.com,Ana\nnope,N\n,Empty\n\nbob@example.org,B\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as error:
        run("quokka-tribunal", "--csv", str(path), "--to", "bad@", "--no-email")

    message = str(error.value)
    assert "“bad@” is not an e-mail address." in message
    assert "line 3: “nope”" in message
    assert "line 4: “”" in message
    assert not EmbargoLink.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name,address\nAna,ana@example.com\n", "no “email” column"),
        (None, "Cannot read"),
    ],
    ids=["no-email-column", "missing-file"],
)
def test_unreadable_csv_files_are_refused(tmp_path, embargoed, content, expected):
    path = tmp_path / "list.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=expected):
        run("quokka-tribunal", "--csv", str(path))


def test_a_binary_csv_is_refused(tmp_path, embargoed):
    path = tmp_path / "list.csv"
    path.write_bytes(b"\xff\xfe\x00email\n\x80\x81")

    with pytest.raises(CommandError, match="not a UTF-8 CSV"):
        run("quokka-tribunal", "--csv", str(path))


def test_expires(embargoed):
    out, _err = run(
        "quokka-tribunal",
        "--to",
        "ana@example.com",
        "--no-email",
        "--expires",
        "2099-06-17T09:00-04:00",
    )

    link = find_link(parse(out)["ana@example.com"])
    assert link.expires_at.isoformat() == "2099-06-17T13:00:00+00:00"


@pytest.mark.parametrize(
    ("value", "expected"), [("2001-01-01T00:00", "in the past"), ("next week", "not an ISO")]
)
def test_bad_expiries_are_refused(embargoed, value, expected):
    with pytest.raises(CommandError, match=expected):
        run("quokka-tribunal", "--to", "ana@example.com", "--expires", value)
    assert not EmbargoLink.objects.exists()


@pytest.mark.parametrize("state", ["draft", "live"])
def test_refuses_an_article_that_is_not_scheduled(state):
    article = ArticleFactory(slug="not-scheduled", **({"draft": True} if state == "draft" else {}))

    with pytest.raises(CommandError) as error:
        run("not-scheduled", "--to", "ana@example.com")

    assert str(error.value) == (
        f"“{article.title}” is not scheduled ({state}): only a published article whose "
        "publication time is still ahead can be shared under embargo."
    )


def test_an_unknown_slug_or_no_recipient_is_refused(embargoed):
    with pytest.raises(CommandError, match="No article has the slug “nope”"):
        run("nope", "--to", "ana@example.com")
    with pytest.raises(CommandError, match="at least one recipient"):
        run("quokka-tribunal")


def test_revoke_one_then_all(embargoed):
    out, _err = run(
        "quokka-tribunal", "--to", "a@example.com", "--to", "b@example.com", "--no-email"
    )
    tokens = parse(out)

    out, _err = run("quokka-tribunal", "--revoke", "a@example.com")
    assert "Revoked 1 link(s)" in out
    assert find_link(tokens["a@example.com"]) is None
    assert find_link(tokens["b@example.com"]) is not None

    with pytest.raises(CommandError, match=r"a@example\.com has no active link"):
        run("quokka-tribunal", "--revoke", "a@example.com")

    out, _err = run("quokka-tribunal", "--revoke", "all")
    assert "Revoked 1 link(s)" in out
    assert not EmbargoLink.objects.filter(revoked_at__isnull=True).exists()
    assert EmbargoLink.objects.filter(revoked_at__lte=timezone.now()).count() == 2
