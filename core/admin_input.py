"""What every model admin adds to Django's against odd input (``core.admin_site`` puts
``OddInputAdminMixin`` in front of each as it is registered, Django's and other
packages' included): an action posted with a selection that is no key, a date
drill-down that is no date, and an autocomplete field posted with no key are answered
as Django answers an empty selection, a bad filter and a bad choice, never with a 500.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import IntegerField

from core.numbers import whole_number
from core.validators import EARLIEST, LATEST

# What a drill-down part (``?published_at__year=2017``) may be; Django computes the next
# year, month or day from it, which year 9999 or month 13 break.
DATE_PARTS = {"year": (EARLIEST.year, LATEST.year), "month": (1, 12), "day": (1, 31)}

UNREADABLE_SELECTION = (
    "The selected items could not be read, so the action was not run. No items have "
    "been changed: tick the items again and retry."
)


class OddInputAdminMixin:
    """Goes before the model admin class in the bases (see the module docstring)."""

    def response_action(self, request, queryset, *args, **kwargs):
        # Django filters ``pk__in`` with the posted values as they came: "", "²" or 25
        # digits end in a ValueError or OverflowError, not in its "Items must be
        # selected" message.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_key(self.model, value) for value in selected):
            self.message_user(request, UNREADABLE_SELECTION, messages.WARNING)
            return None
        return super().response_action(request, queryset, *args, **kwargs)

    def get_changelist_instance(self, request):
        # Raised here, IncorrectLookupParameters is Django's "?e=1": the list, unfiltered.
        for key, values in request.GET.lists():
            bounds = DATE_PARTS.get(key.rpartition("__")[2]) if "__" in key else None
            for value in values if bounds else ():
                number = whole_number(value)
                if number is None or not bounds[0] <= number <= bounds[1]:
                    raise IncorrectLookupParameters(f"{key} is not a date part")
        return super().get_changelist_instance(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeysOnlyMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeysOnlyAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class KeysOnlyMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses a value that is no key as a bad choice before looking it up: Django's
    lookup of 25 digits ends in an OverflowError, not in this error."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        field = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for item in value:
            if not _fits(field, str(item)):
                shown = str(item) if len(str(item)) <= 20 else f"{str(item)[:20]}…"
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": shown},
                )
        return super()._check_values(value)


class KeysOnlyMixin:
    """An autocomplete that shows a posted value which is no key ("²", 25 digits) as
    nothing: Django looks the values up as they came, and the form that refused them
    would end in a 500 when shown again with its error."""

    def optgroups(self, name, value, attr=None):
        keys = [item for item in value if _fits(self.field.target_field, str(item))]
        return super().optgroups(name, keys, attr)


class KeysOnlyAutocompleteSelect(KeysOnlyMixin, AutocompleteSelect):
    pass


class KeysOnlyAutocompleteSelectMultiple(KeysOnlyMixin, AutocompleteSelectMultiple):
    pass


def _is_key(model, value: str) -> bool:
    return _fits(model._meta.pk, value)


def _fits(field, value: str) -> bool:
    """Whether ``value`` can be looked up in ``field`` without a database error."""
    while field.is_relation:
        field = field.target_field
    if isinstance(field, IntegerField):
        return whole_number(value) is not None
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True
