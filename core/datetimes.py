"""How the newsroom writes a moment for people: one format per use, and always the zone
and its UTC offset, because journalists and staff may be anywhere.

- ``FULL_FORMAT``: in a sentence, an e-mail or a form (a deadline, a retry time):
  "Tuesday, December 1, 2026, 4:00 PM".
- ``COMPACT_FORMAT``: in a table cell (created, sent, a deadline in a column), with the
  offset only, the zone being the newsroom's: "Dec 1, 2026, 4:00 PM UTC-05:00".

``in_zone`` adds the zone and its offset at that moment: "… (America/New_York, UTC-05:00)";
``compact_time`` is the table-cell form.
"""

import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.formats import date_format

FULL_FORMAT = "l, F j, Y, g:i A"
COMPACT_FORMAT = "M j, Y, g:i A"
# How the desk names a moment of publication to staff: "Thursday, December 3, 2026,
# 9:00 a.m. EST", always in the newsroom's zone.
MOMENT_FORMAT = "l, F j, Y, g:i a T"

# The zones a person can pick: every canonical region/city name (and the old names some
# browsers still report, such as Asia/Calcutta), plus UTC; not the POSIX leftovers.
_REGIONS = {
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    names = (name for name in zoneinfo.available_timezones() if name.split("/")[0] in _REGIONS)
    return ("UTC", *sorted(names))


def newsroom_zone_name() -> str:
    return settings.TIME_ZONE


def get_zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of that name, or the newsroom's when the name is empty or unknown."""
    if name and name in zone_names():
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo(newsroom_zone_name())


def utc_offset(offset: timedelta | None) -> str:
    """``UTC+05:30``, ``UTC-05:00``, ``UTC+00:00``."""
    minutes = int((offset or timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone_label(name: str, *, at: datetime | None = None) -> str:
    """A zone as a choice reads: "Europe/London (UTC+00:00)", its offset at ``at`` (now)."""
    moment = (at or timezone.now()).astimezone(get_zone(name))
    return f"{name} ({utc_offset(moment.utcoffset())})"


def zone_choices(*, at: datetime | None = None) -> list[tuple[str, str]]:
    """Every zone a person can pick, labelled with its offset now."""
    return _zone_choices_for_hour(int((at or timezone.now()).timestamp() // 3600))


@lru_cache(maxsize=2)
def _zone_choices_for_hour(hour: int) -> list[tuple[str, str]]:
    # Offsets change at most on the hour (daylight saving), so one list serves an hour.
    at = datetime.fromtimestamp(hour * 3600, tz=UTC)
    return [(name, zone_label(name, at=at)) for name in zone_names()]


def in_zone(moment: datetime, zone: str | None = None, *, fmt: str = FULL_FORMAT) -> str:
    """``moment`` in ``zone`` (the newsroom's by default), the zone and offset named:
    "Tuesday, December 1, 2026, 4:00 PM (America/New_York, UTC-05:00)"."""
    tz = get_zone(zone) if zone else timezone.get_current_timezone()
    local = moment.astimezone(tz)
    return f"{date_format(local, fmt)} ({tz.key}, {utc_offset(local.utcoffset())})"


def compact_time(moment: datetime | None) -> str:
    """A time for a table cell, in the newsroom's zone with its offset: "Dec 1, 2026,
    4:00 PM UTC-05:00"; "—" for none."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{date_format(local, COMPACT_FORMAT)} {utc_offset(local.utcoffset())}"


def in_two_zones(moment: datetime, zone: str | None) -> str:
    """A deadline as both sides read it: the journalist's zone first, then the press
    office's; one zone when they are the same."""
    newsroom = timezone.get_current_timezone().key
    if not zone or get_zone(zone).key == newsroom:
        return in_zone(moment)
    return f"{in_zone(moment, zone)}, which is {in_zone(moment)} for the press office"


def describe_moment(moment: datetime) -> str:
    """``Thursday, December 3, 2026, 9:00 a.m. EST``: in the newsroom's zone."""
    return dateformat.format(timezone.localtime(moment), MOMENT_FORMAT)
