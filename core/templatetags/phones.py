from django import template

from core.phones import tel_uri as _tel_uri

register = template.Library()


@register.filter
def tel_uri(number):
    """``{{ number|tel_uri }}``: the number as a ``tel:`` URI, or "" (see core.phones)."""
    return _tel_uri(str(number or ""))
