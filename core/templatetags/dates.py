from datetime import datetime

from django import template
from django.utils import timezone

from core import localise
from core.datetimes import compact_time as compact_time_text

register = template.Library()


@register.filter
def machine_time(value):
    """``<time datetime="{{ value|machine_time }}">``: ISO 8601 in the newsroom's time
    zone, to the second. HTML allows at most three decimals of a second, and the ``c``
    date format writes six."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def compact_time(value):
    """``{{ value|compact_time }}``: "Dec 1, 2026, 4:00 PM (America/New_York, UTC-05:00)",
    the table-cell form of ``core.datetimes``."""
    return compact_time_text(value) if isinstance(value, datetime) else ""


@register.filter
def public_date(value):
    """``{{ value|public_date }}``: "June 15, 2017", "15 de junio de 2017", "15 juin 2017"
    or "15 يونيو 2017", in the page's language and the newsroom's time zone."""
    return localise.public_date(value)


@register.filter
def public_number(value):
    """``{{ count|public_number }}``: "1,234" on an English page, "1.234" on a Spanish one."""
    return localise.public_number(value)
