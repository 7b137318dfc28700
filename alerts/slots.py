"""When daily digests fall: an hour of the day in a subscriber's own time zone, as a
moment in UTC. Pure functions of the subscriptions, used by services and tasks alike."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from alerts.models import Subscription
from core.datetimes import get_zone


def next_slot(hour: int, zone_name: str = "", *, now: datetime | None = None) -> datetime:
    """The next time it is ``hour``:00 in ``zone_name`` (the newsroom's zone by default),
    in UTC."""
    now = now or timezone.now()
    zone = get_zone(zone_name) if zone_name else timezone.get_current_timezone()
    local = now.astimezone(zone)
    for days in range(3):
        day = local.date() + timedelta(days=days)
        candidate = datetime.combine(day, time(hour), tzinfo=zone)
        if candidate > now:
            return candidate.astimezone(UTC)
    raise AssertionError("unreachable: an hour comes round within three days")


def digest_times_at(slot: datetime) -> list[tuple[str, int]]:
    """The (zone, hour) choices of daily subscribers whose digest falls at ``slot``: the
    same rule as ``next_slot``, so a slot scheduled for a time finds it again, across
    daylight saving changes too."""
    just_before = slot - timedelta(seconds=1)
    return [
        (zone, hour)
        for zone, hour in Subscription.objects.digest_times()
        if next_slot(hour, zone, now=just_before) == slot
    ]
