"""Ranked admin search: what a writer typed exactly comes first.

Django's admin search matches every term with ``icontains`` and keeps the list's order,
so typing "Sudan" in an autocomplete offered "South Sudan" first (alphabetical) and Enter
tagged the wrong country. Every autocomplete that staff pick names from uses this mixin.
"""

from django.db.models import Case, IntegerField, Q, Value, When

EXACT, PREFIX, CONTAINS = 0, 1, 2


class ExactFirstSearchMixin:
    """Rank search results: an exact match of ``exact_search_fields`` (case-insensitive),
    then ``prefix_search_field`` starting with the term, then every other match; within
    a rank the admin's own ordering.

    Django's change list re-sorts by its column headers after searching, so the rank
    shows where nobody chose an order: the autocomplete widgets.
    """

    exact_search_fields: tuple[str, ...] = ("name",)
    prefix_search_field = "name"

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return queryset, may_have_duplicates
        exact = Q()
        for field in self.exact_search_fields:
            exact |= Q(**{f"{field}__iexact": term})
        rank = Case(
            When(exact, then=Value(EXACT)),
            When(Q(**{f"{self.prefix_search_field}__istartswith": term}), then=Value(PREFIX)),
            default=Value(CONTAINS),
            output_field=IntegerField(),
        )
        ordering = queryset.query.order_by or self.get_ordering(request) or ()
        # Annotated, not aliased: a DISTINCT query must select what it orders by.
        return queryset.annotate(search_rank=rank).order_by(
            "search_rank", *ordering
        ), may_have_duplicates
