"""FilterSets of the pairings ledger's lists.

Units can run to thousands, so no list renders a <select> of units: the `unit` filter is a
hidden field that links fill in (a unit's pairings, a pairing's exchanges), and the free-text
`q` searches unit names.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aidledger.filters import batch_filter, body_filter
from aidledger.models import Body, Member, MemberRole
from evidence.filters import evidence_filter
from ledger.filters import LinkedFilter, SearchFilter, choice_filter, date_filter
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
from pairings.selectors import active_on, mentorship_started_by, without_exchange


def _linked_unit() -> LinkedFilter:
    return LinkedFilter(label=_("unit"), queryset=Unit.objects.all(), method="filter_unit")


class UnitFilter(django_filters.FilterSet):
    q = SearchFilter(
        placeholder=_("name, area or contact"), fields=("name", "area", "contact_person", "notes")
    )
    side = choice_filter(_("side"), UnitSide.choices)
    kind = choice_filter(_("kind"), UnitKind.choices)

    class Meta:
        model = Unit
        fields = ["q", "side", "kind"]


class PairingFilter(django_filters.FilterSet):
    q = SearchFilter(
        placeholder=_("unit, agreement or notes"),
        fields=("helper__name", "helped__name", "agreement", "notes"),
    )
    batch = batch_filter("responsible_body__batch")
    category = choice_filter(_("category"), UnitKind.choices)
    body = body_filter(_("responsible working group"), "responsible_body", working_groups=True)
    status = choice_filter(_("status"), PairingStatus.choices)
    active_on = date_filter(pgettext_lazy("of a pairing", "active on"), method="filter_active_on")
    # The data-quality rule (summary.quality): no exchange from 1 January of the date's year
    # to the date.
    no_exchange_by = date_filter(_("no exchange this year by"), method="filter_no_exchange_by")
    unit = _linked_unit()

    class Meta:
        model = Pairing
        fields = ["q", "batch", "category", "body", "status", "active_on", "no_exchange_by", "unit"]

    def filter_unit(self, queryset: QuerySet[Pairing], name: str, value: Unit) -> QuerySet[Pairing]:
        return queryset.filter(Q(helper=value) | Q(helped=value))

    def filter_active_on(self, queryset: QuerySet[Pairing], name: str, value) -> QuerySet:
        return queryset.filter(active_on(value))

    def filter_no_exchange_by(self, queryset: QuerySet[Pairing], name: str, value) -> QuerySet:
        return without_exchange(queryset, by=value)


class ExchangeFilter(django_filters.FilterSet):
    q = SearchFilter(placeholder=_("title, place, outcome or unit"), method="search")
    batch = batch_filter("lead_body__batch")
    kind = choice_filter(_("kind"), ExchangeKind.choices)
    category = choice_filter(_("pairing category"), UnitKind.choices, method="filter_category")
    body = body_filter(_("lead body"), "lead_body")
    date_from = date_filter(_("from"), field_name="date", lookup_expr="gte")
    date_to = date_filter(_("until"), field_name="date", lookup_expr="lte")
    evidence = evidence_filter()
    pairing = LinkedFilter(
        label=_("pairing"),
        queryset=Pairing.objects.select_related("helper", "helped"),
        method="filter_pairing",
    )
    unit = _linked_unit()

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
            "evidence",
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
    q = SearchFilter(
        placeholder=_("mentor, mentee, unit or post"),
        fields=("mentor__name", "mentee_name", "mentee_unit__name", "mentee_post", "goals"),
    )
    batch = batch_filter("mentor__batch")
    body = body_filter(_("mentor's working group"), method="filter_body", working_groups=True)
    kind = choice_filter(_("kind of unit"), UnitKind.choices, field_name="mentee_unit__kind")
    started_by = date_filter(_("started by"), method="filter_started_by")
    # Not the members' "active on" (在岗日期): the mentorship runs on that day.
    active_on = date_filter(
        pgettext_lazy("of a mentorship", "active on"), method="filter_active_on"
    )
    mentor = LinkedFilter(label=_("mentor"), queryset=Member.objects.all())
    unit = LinkedFilter(label=_("unit"), queryset=Unit.objects.all(), field_name="mentee_unit")

    class Meta:
        model = Mentorship
        fields = ["q", "batch", "body", "kind", "started_by", "active_on", "mentor", "unit"]

    def filter_body(
        self, queryset: QuerySet[Mentorship], name: str, value: Body
    ) -> QuerySet[Mentorship]:
        roles = MemberRole.objects.filter(member=OuterRef("mentor"), body=value)
        return queryset.filter(Exists(roles))

    def filter_started_by(self, queryset: QuerySet[Mentorship], name: str, value) -> QuerySet:
        return queryset.filter(mentorship_started_by(value))

    def filter_active_on(self, queryset: QuerySet[Mentorship], name: str, value) -> QuerySet:
        return queryset.filter(
            Q(start_date__lte=value), Q(end_date__isnull=True) | Q(end_date__gte=value)
        )
