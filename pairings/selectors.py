"""Queries that the pairings pages, exports and (later) the summary share."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat

from pairings.models import Exchange, ExchangePairing, Mentorship, Pairing, Unit, UnitKind


def unit_list() -> QuerySet[Unit]:
    """Units with how many pairings and mentorships they have (a unit is on one side only,
    so one of the two pairing counts is always zero)."""
    return Unit.objects.annotate(
        helper_count=Count("helper_pairings", distinct=True),
        helped_count=Count("helped_pairings", distinct=True),
        mentorship_count=Count("mentorships", distinct=True),
    )


def pairing_list() -> QuerySet[Pairing]:
    """Pairings with both units, the responsible group and its batch, and their exchange count.

    The count is a correlated subquery, not a join with GROUP BY: the database computes it for
    the page's rows only, and counting the filtered pairings needs no join."""
    links = (
        ExchangePairing.objects.filter(pairing=OuterRef("pk"))
        .order_by()
        .values("pairing")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Pairing.objects.select_related("helper", "helped", "responsible_body__batch").annotate(
        exchange_count=Coalesce(Subquery(links, output_field=IntegerField()), 0)
    )


def active_on(date: datetime.date) -> Q:
    """Pairings in force on `date`: signed by then and not ended before it (the end day counts)."""
    return Q(signed_on__lte=date) & (Q(ended_on__isnull=True) | Q(ended_on__gte=date))


def mentorship_started_by(date: datetime.date) -> Q:
    """Mentorships begun on or before `date`: the cadres the team has mentored by then."""
    return Mentorship.started_by(date)


def distinct_mentees() -> Count:
    """How many people the mentorships mentor: a mentee is a name within a unit, so a cadre
    with two mentors counts once."""
    person = Concat(
        Cast("mentee_unit_id", CharField()), Value("|"), "mentee_name", output_field=CharField()
    )
    return Count(person, distinct=True)


def category_counts(pairings: QuerySet[Pairing]) -> list[tuple[str, str, int]]:
    """(category, label, count) for every category that has pairings, in the kinds' order.

    `pairings` must be a plain (unannotated) queryset: one GROUP BY query.
    """
    # COUNT(*): pairing_category_status answers from the index alone.
    rows = pairings.order_by().values("category").annotate(count=Count("*"))
    counts = {row["category"]: row["count"] for row in rows}
    return [(kind.value, kind.label, counts[kind.value]) for kind in UnitKind if kind in counts]


def exchange_list() -> QuerySet[Exchange]:
    """Exchanges with their lead body and its batch; attach_pairings() adds the pairings."""
    return Exchange.objects.select_related("lead_body__batch")


def attach_pairings(exchanges: list[Exchange]) -> None:
    """Set `exchange.pairing_list` (pairings with both units) in one query."""
    by_exchange: dict[int, list[Pairing]] = {exchange.pk: [] for exchange in exchanges}
    links = (
        ExchangePairing.objects.filter(exchange_id__in=by_exchange)
        .select_related("pairing__helper", "pairing__helped")
        .order_by("pk")
    )
    for link in links:
        by_exchange[link.exchange_id].append(link.pairing)
    for exchange in exchanges:
        exchange.pairing_list = by_exchange[exchange.pk]


def mentorship_list() -> QuerySet[Mentorship]:
    return Mentorship.objects.select_related("mentor__batch", "mentee_unit")


@dataclass(frozen=True)
class PairingDetail:
    pairing: Pairing
    exchanges: list[Exchange]
    mentorships: list[Mentorship]


def pairing_detail(pk: int) -> PairingDetail | None:
    """A pairing, its exchanges (each with all its pairings), and the mentorships of cadres in
    its helped unit: five queries whatever their number."""
    pairing = (
        Pairing.objects.select_related("programme", "helper", "helped", "responsible_body__batch")
        .filter(pk=pk)
        .first()
    )
    if pairing is None:
        return None
    exchanges = list(exchange_list().filter(links__pairing=pairing).order_by("-date", "pk"))
    attach_pairings(exchanges)
    mentorships = list(
        mentorship_list().filter(mentee_unit=pairing.helped_id).order_by("start_date", "pk")
    )
    return PairingDetail(pairing, exchanges, mentorships)


def without_exchange(pairings: QuerySet[Pairing], *, by: datetime.date) -> QuerySet[Pairing]:
    """Pairings with no exchange from the first of January of `by`'s year to `by` (the
    data-quality rule "no exchange this year", summary.quality)."""
    held = ExchangePairing.objects.filter(
        pairing=OuterRef("pk"),
        exchange__date__gte=datetime.date(by.year, 1, 1),
        exchange__date__lte=by,
    )
    return pairings.filter(~Exists(held))
