"""The filter pieces every ledger's lists share: date and month pickers, the free-text search,
the choice and date filters and the link-filled filter."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

# The calendar the ledger's dates live in. A date far outside it is a typo or a crafted URL;
# left in, 9999-12-31 overflows date arithmetic (the day after it, the dashboard's months) and
# 0001-01-01 the start of its day in local time. Every date a page reads from its URL is
# checked here: the list filters (LedgerListView binds them) and the dashboard's "as of".
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def validate_ledger_date(value) -> None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


class LedgerDateField(forms.DateField):
    """A date field that refuses dates outside EARLIEST_YEAR–LATEST_YEAR, with a message."""

    default_validators = [validate_ledger_date]


def bound_dates(form: forms.Form) -> None:
    """Give every date field of `form` (a FilterSet's, whatever filter made it) the ledger's
    calendar, so no list needs its own check."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and validate_ledger_date not in field.validators:
            field.validators.append(validate_ledger_date)


class DateInput(forms.DateInput):
    """A browser date picker that always sends ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    """A browser month picker: sends and shows "2024-03"."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class SearchInput(forms.TextInput):
    """A text box as wide as its hint (`placeholder`) in the page's language, up to
    MAX_SIZE characters, the hint also as its title: the default 20 characters cut the
    English hints ("title, place, outcome or u")."""

    MAX_SIZE = 36

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        hint = str(widget_attrs.get("placeholder", ""))
        # A Chinese character takes about two of the box's average character widths.
        width = sum(2 if ord(char) > 0x2E80 else 1 for char in hint) + 1
        widget_attrs["size"] = min(max(width, 20), self.MAX_SIZE)
        widget_attrs["title"] = hint
        return context


class SearchFilter(django_filters.CharFilter):
    """A list's free-text `q`: rows where any of `fields` contains the text.

    `fields` are on the row or its to-one relations; a search through to-many data (which
    would repeat rows) passes `method=` with an `Exists` instead.
    """

    def __init__(self, *, placeholder, fields: Sequence[str] = (), **kwargs) -> None:
        self.search_fields = tuple(fields)
        kwargs.setdefault("label", _("Search"))
        super().__init__(widget=SearchInput(attrs={"placeholder": placeholder}), **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return qs.filter(condition)


class LinkedFilter(django_filters.ModelChoiceFilter):
    """A filter that links fill in (a unit's pairings, a project's disbursements).

    A hidden field, so a page never renders a <select> of thousands of units or projects;
    the list names the chosen record above its table (LedgerListView.hidden_filters).
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)


def choice_filter(
    label: Any, choices: Iterable[tuple[Any, Any]] | Callable[[], Any], **kwargs: Any
) -> django_filters.ChoiceFilter:
    """A filter on one of `choices` (a list of pairs, or a function giving them), offering
    "All" first: a list's choice filters all read the same."""
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=_("All"), **kwargs)


def date_filter(label: Any, **kwargs: Any) -> django_filters.DateFilter:
    """A filter on a date, chosen in the browser's date picker."""
    return django_filters.DateFilter(label=label, widget=DateInput(), **kwargs)


def month_filter(label: Any, **kwargs: Any) -> django_filters.DateFilter:
    """A filter on a month (2024-09), chosen in the browser's month picker; its value is the
    month's first day."""
    return django_filters.DateFilter(
        label=label, input_formats=["%Y-%m"], widget=MonthInput(), **kwargs
    )


def range_ends(
    filterset: django_filters.FilterSet, name: str, first: str, last: str
) -> tuple[Any, Any] | None:
    """The two ends of a range whose two filters share one method, so the range applies once:
    (first, last) for the call that applies it (the first end's, or the last end's when only
    it is given), None for the other call."""
    start = filterset.form.cleaned_data.get(first)
    if name == last and start:
        return None
    return start, filterset.form.cleaned_data.get(last)
