"""FilterSets of the pairings ledger's lists.

Units can run to thousands, so no list renders a <select> of units: the `unit` filter is a
hidden field that links fill in (a unit's pairings, a pairing's exchanges), and the free-text
`q` searches unit names.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aidledger.filters import DateInput
from aidledger.models import Batch, Body, Member, MemberRole
from pairings.models import (
    Exchange,
    ExchangeKind,
    ExchangePairing,
    Mentorship,
    Pairing,
    PairingStatus,
    Unit,
    UnitKind,
    UnitSide,
)


def _search(queryset: QuerySet, fields: tuple[str, ...], value: str) -> QuerySet:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value.strip()})
    return queryset.filter(condition)


def _batches() -> QuerySet[Batch]:
    return Batch.objects.order_by("-number")


def _working_groups() -> QuerySet[Body]:
    return (
        Body.objects.filter(kind=Body.Kind.WORKING_GROUP)
        .select_related("batch")
        .order_by("-batch__number", "position", "pk")
    )


def _hidden_unit() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("unit"), queryset=Unit.objects.all(), method="filter_unit", widget=forms.HiddenInput
    )


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("name, area or contact")}),
    )
    side = django_filters.ChoiceFilter(
        label=_("side"), choices=UnitSide.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=UnitKind.choices, empty_label=_("All")
    )

    class Meta:
        model = Unit
        fields = ["q", "side", "kind"]

    def search(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return _search(queryset, ("name", "area", "contact_person", "notes"), value)


class PairingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("unit, agreement or notes")}),
    )
    batch = django_filters.ModelChoiceFilter(
        label=_("batch"),
        queryset=_batches(),
        field_name="responsible_body__batch",
        empty_label=_("All"),
    )
    category = django_filters.ChoiceFilter(
        label=_("category"), choices=UnitKind.choices, empty_label=_("All")
    )
    body = django_filters.ModelChoiceFilter(
        label=_("responsible working group"),
        queryset=_working_groups(),
        field_name="responsible_body",
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=PairingStatus.choices, empty_label=_("All")
    )
    unit = _hidden_unit()

    class Meta:
        model = Pairing
        fields = ["q", "batch", "category", "body", "status", "unit"]

    def search(self, queryset: QuerySet[Pairing], name: str, value: str) -> QuerySet[Pairing]:
        return _search(queryset, ("helper__name", "helped__name", "agreement", "notes"), value)

    def filter_unit(self, queryset: QuerySet[Pairing], name: str, value: Unit) -> QuerySet[Pairing]:
        return queryset.filter(Q(helper=value) | Q(helped=value))


class ExchangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("title, place, outcome or unit")}),
    )
    batch = django_filters.ModelChoiceFilter(
        label=_("batch"), queryset=_batches(), field_name="lead_body__batch", empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=ExchangeKind.choices, empty_label=_("All")
    )
    category = django_filters.ChoiceFilter(
        label=_("pairing category"),
        choices=UnitKind.choices,
        method="filter_category",
        empty_label=_("All"),
    )
    body = django_filters.ModelChoiceFilter(
        label=_("lead body"),
        queryset=Body.objects.select_related("batch").order_by("-batch__number", "position", "pk"),
        field_name="lead_body",
        empty_label=_("All"),
    )
    date_from = django_filters.DateFilter(
        label=_("from"), field_name="date", lookup_expr="gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("until"), field_name="date", lookup_expr="lte", widget=DateInput()
    )
    pairing = django_filters.ModelChoiceFilter(
        label=_("pairing"),
        queryset=Pairing.objects.select_related("helper", "helped"),
        method="filter_pairing",
        widget=forms.HiddenInput,
    )
    unit = _hidden_unit()

    class Meta:
        model = Exchange
        fields = [
            "q",
            "batch",
            "kind",
            "category",
            "body",
            "date_from",
            "date_to",
            "pairing",
            "unit",
        ]

    def _under(self, queryset: QuerySet[Exchange], **lookups) -> QuerySet[Exchange]:
        # Exists, not a join: an exchange under several matching pairings is listed once.
        return queryset.filter(
            Exists(ExchangePairing.objects.filter(exchange=OuterRef("pk"), **lookups))
        )

    def search(self, queryset: QuerySet[Exchange], name: str, value: str) -> QuerySet[Exchange]:
        value = value.strip()
        units = Q(pairing__helper__name__icontains=value) | Q(
            pairing__helped__name__icontains=value
        )
        return queryset.filter(
            Q(title__icontains=value)
            | Q(place__icontains=value)
            | Q(outcome__icontains=value)
            | Exists(ExchangePairing.objects.filter(units, exchange=OuterRef("pk")))
        )

    def filter_category(
        self, queryset: QuerySet[Exchange], name: str, value: str
    ) -> QuerySet[Exchange]:
        return self._under(queryset, pairing__category=value)

    def filter_pairing(
        self, queryset: QuerySet[Exchange], name: str, value: Pairing
    ) -> QuerySet[Exchange]:
        return self._under(queryset, pairing=value)

    def filter_unit(
        self, queryset: QuerySet[Exchange], name: str, value: Unit
    ) -> QuerySet[Exchange]:
        return queryset.filter(
            Exists(
                ExchangePairing.objects.filter(
                    Q(pairing__helper=value) | Q(pairing__helped=value), exchange=OuterRef("pk")
                )
            )
        )


class MentorshipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("mentor, mentee, unit or post")}),
    )
    batch = django_filters.ModelChoiceFilter(
        label=_("batch"), queryset=_batches(), field_name="mentor__batch", empty_label=_("All")
    )
    body = django_filters.ModelChoiceFilter(
        label=_("mentor's working group"),
        queryset=_working_groups(),
        method="filter_body",
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind of unit"),
        choices=UnitKind.choices,
        field_name="mentee_unit__kind",
        empty_label=_("All"),
    )
    active_on = django_filters.DateFilter(
        label=_("active on"), method="filter_active_on", widget=DateInput()
    )
    mentor = django_filters.ModelChoiceFilter(
        label=_("mentor"), queryset=Member.objects.all(), widget=forms.HiddenInput
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("unit"),
        queryset=Unit.objects.all(),
        field_name="mentee_unit",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Mentorship
        fields = ["q", "batch", "body", "kind", "active_on", "mentor", "unit"]

    def search(self, queryset: QuerySet[Mentorship], name: str, value: str) -> QuerySet[Mentorship]:
        fields = ("mentor__name", "mentee_name", "mentee_unit__name", "mentee_post", "goals")
        return _search(queryset, fields, value)

    def filter_body(
        self, queryset: QuerySet[Mentorship], name: str, value: Body
    ) -> QuerySet[Mentorship]:
        roles = MemberRole.objects.filter(member=OuterRef("mentor"), body=value)
        return queryset.filter(Exists(roles))

    def filter_active_on(self, queryset: QuerySet[Mentorship], name: str, value) -> QuerySet:
        return queryset.filter(
            Q(start_date__lte=value), Q(end_date__isnull=True) | Q(end_date__gte=value)
        )
