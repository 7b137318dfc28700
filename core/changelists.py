"""An admin change list whose date drill-down survives dates outside the bound."""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q

from core.validators import EARLIEST, LATEST


class BoundedDateChangeList(ChangeList):
    """Django's change list, minus two ways a bad date turns it into a 500.

    The date drill-down (``date_hierarchy``) truncates every row's date in the database
    and links to "the next year": a row from year 1 or 9999, written before the bound
    existed, breaks both. While such rows exist the drill-down is left out (the list, its
    search and filters still work, so staff can find and fix them), and a hand-written
    ``?published_at__year=9999`` is answered like any other bad filter.
    """

    def __init__(self, request, model, *args, **kwargs):
        # ChangeList's sixth positional argument (after list_filter) is date_hierarchy.
        args = list(args)
        if args[3] and _has_rows_outside_bound(model, args[3]):
            field = model._meta.get_field(args[3])
            messages.warning(
                request,
                f"Some {model._meta.verbose_name_plural} have a {field.verbose_name} outside "
                "1 January 1900 to 31 December 2200, so the date drill-down is hidden. "
                "Sort by that column to find them and give each a real date.",
            )
            args[3] = None
        super().__init__(request, model, *args, **kwargs)

    def get_filters(self, request):
        # A drill-down outside the bound (year 9999 ends in year 10000 west of UTC) is
        # refused before this by ``core.admin_input.OddInputAdminMixin``.
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


def _has_rows_outside_bound(model, field_name):
    outside = Q(**{f"{field_name}__lt": EARLIEST}) | Q(**{f"{field_name}__gt": LATEST})
    return model._default_manager.filter(outside).exists()
