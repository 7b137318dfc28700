"""How an embargo's time is written: one format, used by the banner, the e-mails and the
admin, in the newsroom's time zone with UTC beside it."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.formats import date_format

# "Thursday, June 15, 2017, 00:01 EDT": a 24-hour clock, as embargo notices use.
LOCAL_FORMAT = "l, F j, Y, H:i"


def embargo_time(moment: datetime) -> str:
    """``Thursday, June 15, 2017, 00:01 EDT (04:01 UTC)``; the UTC date is added when it
    is not the local one (``22:30 EDT (June 16, 02:30 UTC)``)."""
    local = timezone.localtime(moment)
    utc = moment.astimezone(UTC)
    utc_text = date_format(utc, "H:i")
    if utc.date() != local.date():
        utc_text = f"{date_format(utc, 'F j')}, {utc_text}"
    return f"{date_format(local, LOCAL_FORMAT)} {local.tzname()} ({utc_text} UTC)"
