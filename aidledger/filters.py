"""FilterSets of the team's lists."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aidledger.models import Batch, Body, Member, MemberRole


class DateInput(forms.DateInput):
    """A browser date picker that always sends ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("name, unit or post")}),
    )
    batch = django_filters.ModelChoiceFilter(
        label=_("batch"), queryset=Batch.objects.all(), field_name="batch", empty_label=_("All")
    )
    body = django_filters.ModelChoiceFilter(
        label=_("body"),
        queryset=Body.objects.select_related("batch").order_by("-batch__number", "position", "pk"),
        method="filter_body",
        empty_label=_("All"),
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

    class Meta:
        model = Member
        fields = ["q", "batch", "body", "role", "active_on"]

    def search(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        condition = Q()
        for field in ("name", "home_unit", "home_post", "posting_unit", "posting_post"):
            condition |= Q(**{f"{field}__icontains": value.strip()})
        return queryset.filter(condition)

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
