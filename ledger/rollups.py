"""Roll-ups (sums kept by database triggers) and their recount from the records: the
machinery `rebuild_rollups` runs over every app's roll-ups (`projects.rollups.ROLLUPS`).

Rows whose figures are all zero mean the same as no row (a line whose payments were all
deleted), so neither side of a comparison counts them.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

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
        return nonzero((row[: len(self.keys)], row[len(self.keys) :]) for row in rows)


def nonzero(rows: Iterable) -> dict[Key, Figures]:
    return {tuple(key): tuple(figures) for key, figures in rows if any(figures)}


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


def hold_writes(rollups: Sequence[Rollup]) -> None:
    """Inside a transaction: let no write reach the roll-ups until it ends, and wait for
    those under way, so a recount and the stored roll-ups read the same records. Every write
    to the records passes through a trigger that writes a roll-up, so locking the roll-ups
    (reads still go on) holds the records' writers at their trigger. On SQLite the
    transaction is already IMMEDIATE: it holds the database's one write lock."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(r.model._meta.db_table) for r in rollups)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def drift(rollups: Sequence[Rollup], *, examples: int = 5) -> list[Drift]:
    """Each roll-up compared with a recount from the records (consistent: one transaction,
    writers held off while it reads)."""
    found = []
    with transaction.atomic():
        hold_writes(rollups)
        for rollup in rollups:
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


def rebuild(rollups: Sequence[Rollup]) -> None:
    """Replace every roll-up by its recount, in one transaction; writes that arrive
    meanwhile wait, then add to the rebuilt figures (none is lost)."""
    with transaction.atomic():
        hold_writes(rollups)
        for rollup in rollups:
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
