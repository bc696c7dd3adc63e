"""The money roll-ups recounted from the records: what `rebuild_rollups` compares and writes.

The triggers of migration 0006_rollup_triggers keep `FundingRollup`, `ProjectRollup` and
`DisbursementRollup` in step with every write; this module is the independent recount that
says whether they did (`drift()`), and puts them right (`rebuild()`). Rows whose figures are
all zero mean the same as no row (a line whose payments were all deleted), so neither side
counts them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Model
from django.db.models.functions import TruncMonth

from ledger.fields import money_sum
from projects.models import (
    Disbursement,
    DisbursementRollup,
    Funding,
    FundingRollup,
    ProjectRollup,
)

Key = tuple[Any, ...]
Figures = tuple[int | Decimal, ...]


@dataclass(frozen=True)
class Rollup:
    model: type[Model]
    keys: tuple[str, ...]
    figures: tuple[str, ...]
    recount: Callable[[], dict[Key, Figures]]

    def stored(self) -> dict[Key, Figures]:
        rows = self.model.objects.values_list(*self.keys, *self.figures).iterator(chunk_size=5000)
        return _nonzero((row[: len(self.keys)], row[len(self.keys) :]) for row in rows)


def _nonzero(rows) -> dict[Key, Figures]:
    return {tuple(key): tuple(figures) for key, figures in rows if any(figures)}


def _funding_recount() -> dict[Key, Figures]:
    rows = (
        Disbursement.objects.order_by()
        .values("funding_id")
        .annotate(n=Count("*"), total=money_sum("amount"))
        .values_list("funding_id", "n", "total")
    )
    return _nonzero(((row[0],), row[1:]) for row in rows.iterator(chunk_size=5000))


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
    return _nonzero((key, figures) for key, figures in money.items())


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
    return _nonzero((row[:4], row[4:]) for row in rows.iterator(chunk_size=5000))


ROLLUPS = (
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


@dataclass(frozen=True)
class Drift:
    """Where one roll-up differs from its recount: keys missing, extra, or with other figures."""

    name: str
    missing: int
    extra: int
    different: int
    examples: list[str]

    @property
    def count(self) -> int:
        return self.missing + self.extra + self.different


def drift(*, examples: int = 5) -> list[Drift]:
    """Each roll-up compared with a recount from the records (consistent: one transaction)."""
    found = []
    with transaction.atomic():
        for rollup in ROLLUPS:
            expected, stored = rollup.recount(), rollup.stored()
            missing = [key for key in expected if key not in stored]
            extra = [key for key in stored if key not in expected]
            different = [k for k in expected if k in stored and stored[k] != expected[k]]
            shown = [
                f"{key}: stored {stored.get(key)}, recounted {expected.get(key)}"
                for key in (missing + extra + different)[:examples]
            ]
            found.append(
                Drift(
                    rollup.model._meta.model_name,
                    len(missing),
                    len(extra),
                    len(different),
                    shown,
                )
            )
    return found


def rebuild() -> None:
    """Replace every roll-up by its recount, in one transaction."""
    with transaction.atomic():
        for rollup in ROLLUPS:
            expected = rollup.recount()
            rollup.model.objects.all().delete()
            rollup.model.objects.bulk_create(
                (
                    rollup.model(
                        **dict(zip(rollup.keys + rollup.figures, key + figures, strict=True))
                    )
                    for key, figures in expected.items()
                ),
                batch_size=5000,
            )
