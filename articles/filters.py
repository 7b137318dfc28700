"""The newsroom list's filters, shared by the list page and its feeds.

Every parameter is part of the public URL contract (docs/urls.md): ``type`` (repeatable),
``region``, ``topic``, ``year``, ``from``, ``to``, ``q`` and ``sort``. A parameter that
cannot be understood is ignored and reported in ``notices`` rather than failing the page.

The choices offered in the form come from small cached lookups so that rendering the form
costs no query on most requests: regions (about 250 rows), the 30 most-used topics (any
other existing topic slug is still accepted from the URL) and the years that have
articles. They are keyed by the content epoch (``core.cache.cached``), so a region or
topic added in the admin is offered and accepted at once.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, slug_unicode_re
from django.db import connection
from django.db.models import Count, DateTimeField, Exists, F, Func, IntegerField, OuterRef, Value
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields
from taggit.models import Tag

from articles.models import Article, TaggedArticle
from articles.regions import live_region_choices, region_index, region_name, sort_key
from articles.search import MAX_QUERY_LENGTH, clean_query, search
from articles.topic_names import local_name
from core.cache import cached
from core.localise import public_date, public_number

POPULAR_TOPICS = 30
# Sorting by relevance ranks at most this many matches: the newest ones. Ranking reads
# each match's whole search vector, so ranking every match of a word half the archive
# contains ("refugees": 68,000 articles at 100,000) took 380 ms; ranking the newest
# thousand takes a few milliseconds, and the page says when the bound applied. A search
# that matches fewer is ranked in full, as before.
RELEVANCE_CANDIDATES = 1000
MAX_TOPIC_SLUG = Tag._meta.get_field("slug").max_length
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"
    CHOICES = [
        (NEWEST, _("Newest first")),
        (OLDEST, _("Oldest first")),
        (RELEVANCE, _("Relevance")),
    ]


# --- Cached choices ---------------------------------------------------------------------


def popular_topics() -> dict[str, str]:
    """The most-used topics on live articles, slug -> name, in alphabetical order."""

    def build():
        rows = (
            TaggedArticle.objects.filter(content_object__in=Article.objects.listed())
            # The id too, which the name in another language is looked up by.
            .values("tag", "tag__slug", "tag__name")
            .annotate(uses=Count("id"))
        )
        # In the page's language, read in the same query (a language's list asks the
        # database what the default list asks).
        local = local_name("tag")
        if local is not None:
            rows = rows.annotate(local=local)
        rows = rows.order_by("-uses", "tag__name")[:POPULAR_TOPICS]
        return dict(
            sorted(
                ((r["tag__slug"], r.get("local") or r["tag__name"]) for r in rows),
                key=_by_name,
            )
        )

    return cached("filter-topics", build)


def _by_name(item):
    return sort_key(item[1])


def live_years() -> dict[int, int]:
    """How many live articles each year has (in the newsroom's time zone), newest first."""

    def build():
        rows = (
            Article.objects.listed()
            # Only years a visitor can choose: a legacy row from year 1 would also make
            # the time zone conversion overflow on SQLite.
            .filter(
                published_at__gte=_start_of_day(EARLIEST_DATE),
                published_at__lt=_start_of_day(LATEST_DATE + timedelta(days=1)),
            )
            .annotate(year=_year_in_newsroom_zone("published_at"))
            .values_list("year")
            .annotate(n=Count("id"))
            .order_by("-year")
        )
        return dict(rows)

    return cached("filter-years", build)


def _year_in_newsroom_zone(field):
    """``ExtractYear(field)`` (the year in the newsroom's time zone), for the years
    ``EARLIEST_DATE`` to ``LATEST_DATE``.

    On PostgreSQL, the position of the time among the years' first instants
    (``width_bucket``, a binary search) instead of converting every row's time zone:
    counting the live articles per year took 20 ms instead of 45 at 100,000 articles
    (the median of nine, on the bench database), on every list page's first request
    after a change.
    """
    if connection.vendor != "postgresql":
        return ExtractYear(field)
    starts = [
        _start_of_day(date(year, 1, 1)) for year in range(EARLIEST_DATE.year, LATEST_DATE.year + 2)
    ]
    bucket = Func(
        F(field),
        Value(starts, output_field=ArrayField(DateTimeField())),
        function="width_bucket",
        output_field=IntegerField(),
    )
    # Bucket 1 is EARLIEST_DATE's year.
    return bucket + Value(EARLIEST_DATE.year - 1)


def year_choices():
    """The years that have live articles, newest first, each with its count."""
    return [
        (str(year), f"{year} ({public_number(count)})") for year, count in live_years().items()
    ]


# --- Form fields ------------------------------------------------------------------------


class OfferedOrKnownField(filter_fields.ChoiceField):
    """Offers the choices that lead somewhere; accepts any value ``known()`` names.

    A region or year with nothing live is not offered, but a shared link to it still
    works: it is shown selected (``name()``) and the list is honestly empty.
    """

    def valid_value(self, value):
        name = self.name_of(value)
        if name is None:
            return False
        # Lazily: a feed validates the same parameters but never shows the choices.
        self.choices = lambda: self._with_selected(value, name)
        return True

    def _with_selected(self, value, name):
        offered = self.offered()
        if any(key == value for key, _ in _flat(offered)):
            return offered
        return [*offered, (value, name)]

    def offered(self):
        raise NotImplementedError

    def name_of(self, value) -> str | None:
        raise NotImplementedError


def _flat(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield key, label


class RegionField(OfferedOrKnownField):
    """A region slug or ISO code, in any case (``MX`` and ``mx`` both work)."""

    def __init__(self, **kwargs):
        kwargs["choices"] = live_region_choices
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().lower()

    def offered(self):
        return live_region_choices()

    def name_of(self, value):
        region = region_index().get(value)
        return region_name(region) if region else None


class YearField(OfferedOrKnownField):
    """A year with live articles, offered with its count; any other year in the sane
    range is accepted too (and finds nothing)."""

    def __init__(self, **kwargs):
        kwargs["choices"] = year_choices
        super().__init__(**kwargs)

    def offered(self):
        return year_choices()

    def name_of(self, value):
        if not (value.isascii() and value.isdigit() and len(value) == 4):
            return None
        return value if EARLIEST_DATE.year <= int(value) <= LATEST_DATE.year else None


class TopicField(forms.ChoiceField):
    """Offers the popular topics, accepts the slug of any topic of a live article."""

    def __init__(self, **kwargs):
        super().__init__(choices=_topic_choices, **kwargs)
        self.extra_topic = None

    def valid_value(self, value):
        if value in popular_topics():
            return True
        # Only something shaped like a slug is worth a query (and PostgreSQL refuses NULs).
        if len(value) > MAX_TOPIC_SLUG or not slug_unicode_re.fullmatch(value):
            return False
        # Only a topic of some live article: one used only by drafts or scheduled
        # articles must not show its name, nor answer differently from no topic at all.
        found = TaggedArticle.objects.filter(
            tag__slug=value, content_object__in=Article.objects.listed()
        )
        local = local_name("tag")
        if local is not None:
            found = found.annotate(local=local)
        row = found.values("tag__name", *(["local"] if local is not None else [])).first()
        if row is None:
            return False
        name = row.get("local") or row["tag__name"]
        # Shown selected in the form although it is not among the popular ones.
        self.extra_topic = (value, name)
        self.choices = [*self.choices, self.extra_topic]
        return True


def _topic_choices():
    return [("", gettext("All topics")), *popular_topics().items()]


class BoundedDateField(forms.DateField):
    """An ISO date within a sane range (no overflow when turned into a time)."""

    widget = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    default_validators = [MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


# The id of the one notice that says what was ignored.
NOTICE_ID = "filter-notice"


def _and(words):
    return get_text_list(list(words), gettext("and"))


class ArticleFilterForm(forms.Form):
    dates_reversed = False

    def full_clean(self):
        super().full_clean()
        # Every ignored control is described by the one notice that says so.
        for name in self._errors or ():
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = NOTICE_ID

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.dates_reversed = True
            message = "The end date is before the start date."
            self.add_error("from", message)
            self.add_error("to", message)
        return cleaned


class RegionFilter(django_filters.ChoiceFilter):
    field_class = RegionField


class YearFilter(django_filters.ChoiceFilter):
    field_class = YearField


class TopicFilter(django_filters.Filter):
    field_class = TopicField


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


# --- The FilterSet ----------------------------------------------------------------------


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class ArticleFilterSet(django_filters.FilterSet):
    """The newsroom list's filters, all combinable. Pass ``Article.objects.listed()``."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    type = django_filters.MultipleChoiceFilter(
        label=_("Type"),
        choices=Article.Kind.choices,
        method="filter_type",
        widget=forms.CheckboxSelectMultiple,
    )
    region = RegionFilter(label=_("Region"), method="filter_region", empty_label=_("All regions"))
    topic = TopicFilter(label=_("Topic"), method="filter_topic")
    year = YearFilter(label=_("Year"), method="filter_year", empty_label=_("Any year"))
    # Declared as date_from/date_to because "from" is a Python keyword; get_filters
    # publishes them under their URL names.
    date_from = BoundedDateFilter(label=_("From"), method="filter_from")
    date_to = BoundedDateFilter(label=_("To"), method="filter_to")
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=Sort.CHOICES, method="filter_sort", empty_label=None
    )

    URL_NAMES = {"date_from": "from", "date_to": "to"}

    class Meta:
        form = ArticleFilterForm

    def __init__(self, data=None, *args, **kwargs):
        # The search text is cleaned rather than refused (NULs dropped, length capped),
        # and the form shows the cleaned text back.
        self.query = clean_query(data.get("q") if data is not None else "")
        if data is not None and "q" in data:
            data = data.copy()
            data["q"] = self.query.text
        super().__init__(data, *args, **kwargs)

    @classmethod
    def get_filters(cls):
        return {cls.URL_NAMES.get(name, name): f for name, f in super().get_filters().items()}

    # Filter methods: each takes and returns a queryset.

    def filter_q(self, queryset, name, value):
        return search(queryset, value)

    def filter_type(self, queryset, name, value):
        return queryset.filter(kind__in=value)

    def filter_region(self, queryset, name, value):
        # A country's articles are read from its own rows first (querysets.IdAmong),
        # with or without a search: PostgreSQL otherwise walked the list by date testing
        # every search vector (q=asylum&region=mx at 100,000 articles: 140 ms, against 20).
        return queryset.in_regions([region_index()[value]])

    def filter_topic(self, queryset, name, value):
        tagged = TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__slug=value)
        return queryset.filter(Exists(tagged))

    def filter_year(self, queryset, name, value):
        return queryset.filter(published_at__year=int(value))

    def filter_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=_start_of_day(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(published_at__lt=_start_of_day(value + timedelta(days=1)))

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, once rank is known

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.sort_order == Sort.RELEVANCE:
            # A subquery: the page's count and ids, the only queries that apply it, are
            # kept under the content epoch (articles.pagination), and a warm page reads
            # its rows by id. Kept as a list of 1,000 ids instead, it cost every warm
            # request a round trip and preparing 1,000 values for the query, twice.
            newest = queryset.order_by("-published_at", "-id").values("pk")
            return queryset.filter(pk__in=newest[:RELEVANCE_CANDIDATES]).order_by(
                "-rank", "-published_at", "-id"
            )
        if self.sort_order == Sort.OLDEST:
            return queryset.order_by("published_at", "id")
        return queryset.order_by("-published_at", "-id")

    # What the page shows about the filters.

    @property
    def cleaned(self):
        self.is_valid()
        return self.form.cleaned_data

    @property
    def sort_order(self):
        sort = self.cleaned.get("sort") or Sort.NEWEST
        if sort == Sort.RELEVANCE and not self.cleaned.get("q"):
            return Sort.NEWEST
        return sort

    # Behind "More filters": the form opens that part when one of them is in the URL.
    MORE = ("region", "topic", "year", "from", "to")

    @property
    def more_active(self):
        return any(name in self.data and self.data.get(name) for name in self.MORE)

    @property
    def is_searching(self):
        return bool(self.cleaned.get("q"))

    @property
    def notices(self) -> list[dict]:
        """What was ignored or changed in the request, in words a visitor understands: at
        most one notice, however many parameters were ignored.

        ``[{"id", "text"}]`` or ``[]``; every form control that was ignored points to the
        notice's id with ``aria-describedby`` (``ArticleFilterForm.full_clean``).
        """
        self.is_valid()
        sentences = []
        unknown = [
            str(self.filters[name].label).lower() if name in self.filters else name
            for name in self.form.errors
            if not (self.form.dates_reversed and name in ("from", "to"))
        ]
        if unknown:
            sentences.append(
                ngettext(
                    "The %(filters)s filter was not understood and has been ignored.",
                    "The %(filters)s filters were not understood and have been ignored.",
                    len(unknown),
                )
                % {"filters": _and(unknown)}
            )
        if self.form.dates_reversed:
            sentences.append(
                gettext("The end date is before the start date, so both were ignored.")
            )
        if self.query.shortened:
            sentences.append(
                gettext("Your search was too long and was shortened to %(count)s characters.")
                % {"count": MAX_QUERY_LENGTH}
            )
        if self.cleaned.get("sort") == Sort.RELEVANCE and not self.is_searching:
            sentences.append(
                gettext("Sorting by relevance needs a search, so the newest come first.")
            )
        return [{"id": NOTICE_ID, "text": " ".join(sentences)}] if sentences else []

    def contradiction(self) -> str:
        """Why a list is empty when its year and dates cannot both hold, or "": "No
        articles in 2025 between Jan 1 and Dec 31, 2024"."""
        data = self.cleaned
        year, start, end = data.get("year"), data.get("from"), data.get("to")
        if not year or not (start or end):
            return ""
        year = int(year)
        if not ((start and start.year > year) or (end and end.year < year)):
            return ""
        if start and end:
            same_year = start.year == end.year
            first = public_date(start, form="day" if same_year else "medium")
            last = public_date(end, form="medium")
            return gettext(
                "No articles in %(year)s between %(first)s and %(last)s: the year and the "
                "dates do not overlap."
            ) % {"year": year, "first": first, "last": last}
        if start:
            return gettext(
                "No articles in %(year)s from %(first)s on: the year and the dates do not overlap."
            ) % {"year": year, "first": public_date(start, form="medium")}
        return gettext(
            "No articles in %(year)s up to %(last)s: the year and the dates do not overlap."
        ) % {"year": year, "last": public_date(end, form="medium")}

    @classmethod
    def parameters(cls) -> tuple[str, ...]:
        """The query parameters the list understands: its declared filters, by URL name.
        What shared caches are told the list and its feeds understand (articles/apps.py)."""
        return tuple(cls.get_filters())

    def params(self, *, sort=True) -> list[tuple[str, str]]:
        """The valid parameters, normalised and in a fixed order (the filters' declared
        order; a repeatable one's values in its choices' order): for links and cache keys.
        Every declared filter is included, so a new filter can never leave its lists
        cached under the unfiltered list's keys."""
        data = self.cleaned
        pairs = []
        for name, declared in self.filters.items():
            if name == "sort":
                continue
            value = data.get(name)
            if not value:
                continue
            if isinstance(declared, django_filters.MultipleChoiceFilter):
                choices = [key for key, _ in declared.extra["choices"]]
                pairs += [(name, key) for key in choices if key in value]
            elif isinstance(value, date):
                pairs.append((name, value.isoformat()))
            else:
                pairs.append((name, str(value)))
        if sort and self.sort_order != Sort.NEWEST:
            pairs.append(("sort", self.sort_order))
        return pairs

    def querystring(self, *, sort=True, **extra) -> str:
        """``?…`` for the current valid filters (plus ``extra``), or "" when there are none."""
        pairs = self.params(sort=sort) + [(k, v) for k, v in extra.items() if v is not None]
        return f"?{urlencode(pairs)}" if pairs else ""

    def cache_parts(self, *, sort=False) -> tuple:
        """Names the filtered list for ``core.cache``: whatever its order (for its count),
        or in its order (for the ids of a page). A list by relevance is named with its
        sort even for its count: it holds at most ``RELEVANCE_CANDIDATES`` matches."""
        return tuple(self.params(sort=sort or self.sort_order == Sort.RELEVANCE))

    def relevance_bounded(self, count: int) -> bool:
        """Whether a list of ``count`` articles is the bounded set ranked by relevance."""
        return self.sort_order == Sort.RELEVANCE and count >= RELEVANCE_CANDIDATES

    def form_parts(self) -> tuple:
        """What the rendered filter form shows: the submitted value of each of its fields
        (invalid ones included, as they are shown back), nothing else from the URL."""
        data = self.data
        return tuple((name, tuple(data.getlist(name))) for name in self.filters if name in data)

    def chips(self) -> list[dict]:
        """The active filters, each with a label and the URL of the list without it."""
        pairs = self.params()
        chips = []
        for pair in pairs:
            if pair[0] == "sort":
                continue
            rest = [p for p in pairs if p != pair]
            chips.append(
                {"label": self._label(*pair), "url": f"?{urlencode(rest)}" if rest else ""}
            )
        return chips

    def _label(self, name, value):
        if name == "q":
            return gettext("Search: “%(query)s”") % {"query": value}
        if name == "type":
            return str(Article.Kind(value).label)
        if name == "region":
            return region_name(region_index()[value])
        if name == "topic":
            extra = self.form.fields["topic"].extra_topic
            return popular_topics().get(value) or (extra[1] if extra else value)
        if name == "year":
            return value
        day = public_date(date.fromisoformat(value))
        if name == "from":
            return gettext("From %(day)s") % {"day": day}
        return gettext("Until %(day)s") % {"day": day}

    def describe(self) -> str:
        """The active filters in a few words, for feed and page titles."""
        return ", ".join(self._label(*pair) for pair in self.params(sort=False))
