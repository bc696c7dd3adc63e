"""Every roll-up of the ledger and its recount from the records: what `rebuild_rollups`
compares (`ledger.rollups.drift`) and writes (`ledger.rollups.rebuild`).

The triggers of projects' migration 0006_rollup_triggers keep `FundingRollup`,
`ProjectRollup` and `DisbursementRollup` in step with every write, those of pairings'
0007_exchange_rollup_triggers `ExchangeRollup`; the recounts here are independent of them.
"""

from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import TruncMonth

from ledger.fields import money_sum
from ledger.rollups import Figures, Key, Rollup, nonzero
from pairings.rollups import ROLLUPS as PAIRING_ROLLUPS
from projects.models import (
    Disbursement,
    DisbursementRollup,
    Funding,
    FundingRollup,
    ProjectRollup,
)


def _funding_recount() -> dict[Key, Figures]:
    rows = (
        Disbursement.objects.order_by()
        .values("funding_id")
        .annotate(n=Count("*"), total=money_sum("amount"))
        .values_list("funding_id", "n", "total")
    )
    return nonzero(((row[0],), row[1:]) for row in rows.iterator(chunk_size=5000))


def _project_recount() -> dict[Key, Figures]:
    zero = Decimal("0.00")
    money: dict[Key, list] = {}
    plans = (
        Funding.objects.order_by()
        .values("project_id")
        .annotate(n=Count("*"), total=money_sum("amount"))
        .values_list("project_id", "n", "total")
    )
    for project_id, lines, planned in plans.iterator(chunk_size=5000):
        money[(project_id,)] = [lines, planned, 0, zero]
    paid = (
        Disbursement.objects.order_by()
        .values("project_id")
        .annotate(n=Count("*"), total=money_sum("amount"))
        .values_list("project_id", "n", "total")
    )
    for project_id, payments, disbursed in paid.iterator(chunk_size=5000):
        figures = money.setdefault((project_id,), [0, zero, 0, zero])
        figures[2:] = [payments, disbursed]
    return nonzero((key, figures) for key, figures in money.items())


def _disbursement_recount() -> dict[Key, Figures]:
    rows = (
        Disbursement.objects.order_by()
        .annotate(month=TruncMonth("paid_on"))
        .values("month", "funding__source", "project__sector", "project__responsible_body_id")
        .annotate(n=Count("*"), total=money_sum("amount"))
        .values_list(
            "month",
            "funding__source",
            "project__sector",
            "project__responsible_body_id",
            "n",
            "total",
        )
    )
    return nonzero((row[:4], row[4:]) for row in rows.iterator(chunk_size=5000))


ROLLUPS = (
    *PAIRING_ROLLUPS,
    Rollup(FundingRollup, ("funding_id",), ("payments", "disbursed"), _funding_recount),
    Rollup(
        ProjectRollup,
        ("project_id",),
        ("lines", "planned", "payments", "disbursed"),
        _project_recount,
    ),
    Rollup(
        DisbursementRollup,
        ("month", "source", "sector", "body_id"),
        ("payments", "amount"),
        _disbursement_recount,
    ),
)
