"""The range every date and time the newsroom accepts must fall in.

Forms, the admin and the importer all reach the model fields, so the bound is a
validator on the fields (``validate_date_in_range``) and the importer calls the same
function. Why these ends:

- 1900-01-01: older than anything a human-rights newsroom publishes or imports (its
  archive starts in the 20th century), yet it rules out year 1, where converting to the
  newsroom's time zone already leaves what Python's ``datetime`` can hold.
- 2200-12-31: far beyond any real schedule or deadline, yet it rules out year 9999,
  which becomes year 10000 in UTC west of Greenwich and then cannot be read back.

Both ends are centuries from Python's limits, so every time-zone conversion and every
"next year" link (the admin's date drill-down) of an accepted value stays valid.
"""

import datetime

from django.core.exceptions import ValidationError

EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2200, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)

OUT_OF_RANGE_MESSAGE = "Give a date between 1 January 1900 and 31 December 2200."


def is_date_in_range(value: datetime.date | datetime.datetime) -> bool:
    """Whether ``value`` (a date, or a date-time naive in UTC or aware) is in the range."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=datetime.UTC)
        return EARLIEST <= value <= LATEST
    return EARLIEST.date() <= value <= LATEST.date()


def validate_date_in_range(value):
    """Refuse a date or date-time outside 1900-01-01 … 2200-12-31 (UTC)."""
    if value is not None and not is_date_in_range(value):
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="date_out_of_range")
