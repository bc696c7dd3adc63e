"""The exchanges' roll-up recounted from the records (see `projects.rollups`)."""

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import Coalesce, TruncMonth

from ledger.rollups import Figures, Key, Rollup, nonzero
from pairings.models import Exchange, ExchangePairing, ExchangeRollup, UnitKind


def _exchange_recount() -> dict[Key, Figures]:
    hospital = ExchangePairing.objects.filter(
        exchange=OuterRef("pk"), pairing__category=UnitKind.HOSPITAL
    )
    rows = (
        Exchange.objects.order_by()
        .annotate(month=TruncMonth("date"), hospital=Exists(hospital))
        .values("month", "kind", "lead_body_id", "hospital")
        .annotate(n=Count("*"), techniques=Coalesce(Sum("new_techniques"), 0))
        .values_list("month", "kind", "lead_body_id", "hospital", "n", "techniques")
    )
    return nonzero((row[:4], row[4:]) for row in rows.iterator(chunk_size=5000))


ROLLUPS = (
    Rollup(
        ExchangeRollup,
        ("month", "kind", "body_id", "hospital"),
        ("exchanges", "new_techniques"),
        _exchange_recount,
    ),
)
