"""FilterSets of the team's lists, and the filter pieces every ledger's lists share."""

from collections.abc import Sequence

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aidledger import history
from aidledger.lookups import LookupFilter
from aidledger.models import Batch, Body, Member, MemberRole
from pairings.models import Mentorship
from pairings.selectors import mentorship_started_by


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


class SearchFilter(django_filters.CharFilter):
    """A list's free-text `q`: rows where any of `fields` contains the text.

    `fields` are on the row or its to-one relations; a search through to-many data (which
    would repeat rows) passes `method=` with an `Exists` instead.
    """

    def __init__(self, *, placeholder, fields: Sequence[str] = (), **kwargs) -> None:
        self.search_fields = tuple(fields)
        kwargs.setdefault("label", _("Search"))
        super().__init__(widget=forms.TextInput(attrs={"placeholder": placeholder}), **kwargs)

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


def batches() -> QuerySet[Batch]:
    """Batch choices, newest first."""
    return Batch.objects.order_by("-number", "pk")


def bodies(*, working_groups: bool = False) -> QuerySet[Body]:
    """Body choices, newest batch first; each label names its batch, loaded in the same query."""
    queryset = Body.objects.select_related("batch").order_by("-batch__number", "position", "pk")
    return queryset.filter(kind=Body.Kind.WORKING_GROUP) if working_groups else queryset


class MemberFilter(django_filters.FilterSet):
    q = SearchFilter(
        placeholder=_("name, unit or post"),
        fields=("name", "home_unit", "home_post", "posting_unit", "posting_post"),
    )
    batch = LookupFilter(
        lookup="batch",
        label=_("batch"),
        field_name="batch",
    )
    body = LookupFilter(
        lookup="body",
        label=_("body"),
        method="filter_body",
    )
    role = django_filters.ChoiceFilter(
        label=_("role"),
        choices=MemberRole.Role.choices,
        method="filter_role",
        empty_label=_("All"),
    )
    active_on = django_filters.DateFilter(
        label=_("active on"), method="filter_active_on", widget=DateInput()
    )
    mentoring_by = django_filters.DateFilter(
        label=_("mentoring by"), method="filter_mentoring_by", widget=DateInput()
    )

    class Meta:
        model = Member
        fields = ["q", "batch", "body", "role", "active_on", "mentoring_by"]

    def _has_role(self, **lookups) -> Exists:
        # One subquery for body and role together: "组长 of 产业扶持组" must be one role row,
        # and a member with several matching roles still appears once.
        return Exists(MemberRole.objects.filter(member=OuterRef("pk"), **lookups))

    def filter_body(self, queryset: QuerySet[Member], name: str, value: Body) -> QuerySet[Member]:
        lookups = {"body": value}
        if role := self.form.cleaned_data.get("role"):
            lookups["role"] = role
        return queryset.filter(self._has_role(**lookups))

    def filter_role(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        if self.form.cleaned_data.get("body"):
            return queryset  # filter_body applies role and body together
        return queryset.filter(self._has_role(role=value))

    def filter_active_on(self, queryset: QuerySet[Member], name: str, value) -> QuerySet[Member]:
        return queryset.filter(
            Q(active_from__isnull=True) | Q(active_from__lte=value),
            Q(active_until__isnull=True) | Q(active_until__gte=value),
        )

    def filter_mentoring_by(self, queryset: QuerySet[Member], name: str, value) -> QuerySet:
        """Members who had begun mentoring a cadre by that date (the summary's mentors)."""
        started = Mentorship.objects.filter(mentorship_started_by(value), mentor=OuterRef("pk"))
        return queryset.filter(Exists(started))


class ChangeFilter(django_filters.FilterSet):
    """The recent changes' filters. The rows are a union of the historical tables, which
    cannot be filtered after the union: the filters go into each part of it
    (aidledger.history.recent_changes)."""

    model = django_filters.ChoiceFilter(
        label=_("record type"), choices=history.model_choices, empty_label=_("All")
    )
    user = LookupFilter(
        lookup="user",
        label=_("changed by"),
    )
    action = django_filters.ChoiceFilter(
        label=_("action"), choices=list(history.ACTIONS.items()), empty_label=_("All")
    )
    since = django_filters.DateFilter(label=_("from"), widget=DateInput())
    until = django_filters.DateFilter(label=_("to"), widget=DateInput())

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        data = self.form.cleaned_data
        return history.recent_changes(
            model=data.get("model") or "",
            user=data.get("user"),
            action=data.get("action") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
