"""Model fields that carry the newsroom's date bound (see ``core.validators``)."""

import datetime

from django.db import models

from core.validators import validate_date_in_range

# A row written before the bound existed may hold any value Python can read, down to
# year 1 and up to year 9999. Converting such an extreme to the newsroom's time zone
# leaves Python's range and raises OverflowError in every list, page and command that
# shows it. Reading it one day inside Python's range keeps it displayable (and still
# outside the bound, so the admin asks for a real date when the row is next saved).
_READABLE_MIN = datetime.datetime.min.replace(tzinfo=datetime.UTC) + datetime.timedelta(days=1)
_READABLE_MAX = datetime.datetime.max.replace(tzinfo=datetime.UTC) - datetime.timedelta(days=1)


class BoundedDateTimeField(models.DateTimeField):
    """A ``DateTimeField`` that accepts only 1900 … 2200 and reads older rows safely."""

    default_validators = [validate_date_in_range]

    def from_db_value(self, value, expression, connection):
        if value is None or not isinstance(value, datetime.datetime):
            return value
        aware = value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
        if aware < _READABLE_MIN:
            return (
                _READABLE_MIN if value.tzinfo is not None else _READABLE_MIN.replace(tzinfo=None)
            )
        if aware > _READABLE_MAX:
            return (
                _READABLE_MAX if value.tzinfo is not None else _READABLE_MAX.replace(tzinfo=None)
            )
        return value
