"""Whole numbers from what people and scripts send: ids, versions and page parts in admin
parameters and hidden form fields.

``str.isdigit`` is not the check: "²" and the Arabic-Indic "1" are digits to it, and
``int("²")`` fails; ``int`` of 5,000 digits fails too (Python's limit is 4,300), and 25
digits pass ``int`` but not the database. Every such value is "not a number we know"
here, for the caller to answer with a message or a 400/404.
"""

# A 64-bit key has 19 digits; 18 always fit one, and no id or version comes near.
MAX_DIGITS = 18


def whole_number(value, *, max_digits: int = MAX_DIGITS) -> int | None:
    """``value`` as an int when it is 1 to ``max_digits`` ASCII digits (spaces around them
    allowed), else None: missing, empty, signed, decimal, other scripts, too long."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not (0 < len(value) <= max_digits and value.isascii() and value.isdigit()):
        return None
    return int(value)
