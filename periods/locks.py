"""The lock of approved periods: which date judges each record, and the check itself.

A record whose judged date falls in an approved period of its programme cannot be added,
changed or deleted (README "Locked periods" has the table). The check is registered with
`ledger.locks` (the admin and the importer ask it) and connected to every judged model's
pre_save and pre_delete (services, scripts, any future API). Where the date is a plain column
the database refuses too (migration `0002_period_lock_triggers`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models.signals import pre_delete, pre_save
from django.utils.translation import gettext

from aidledger.models import Batch, Body, Member
from ledger import locks, permissions
from pairings.models import Exchange, ExchangePairing, Mentorship
from periods.models import Period, Status
from projects.models import STAGES, Disbursement, Funding, Indicator, InvestmentLead, Sale


@dataclass(frozen=True)
class Judged:
    """How a model's records are judged. `dates`: the date fields (attnames). `whole`: any
    change is refused when a date (before or after) is locked; otherwise only a change of a
    locked date itself, or of a figure in `guards` whose date is locked (a lead may reach its
    next stage after an approved month that counted its visit). `via`: the date is another
    record's (an exchange's pairing link is judged by the exchange's date)."""

    dates: tuple[str, ...]
    whole: bool = True
    guards: dict[str, str] = field(default_factory=dict)
    via: str | None = None


JUDGED: dict[type[models.Model], Judged] = {
    Exchange: Judged(("date",)),
    ExchangePairing: Judged(("date",), via="exchange"),
    Mentorship: Judged(("start_date",)),
    Funding: Judged(("approved_on",)),
    Disbursement: Judged(("paid_on",)),
    Indicator: Judged(("as_of",)),
    Sale: Judged(("period",)),
    InvestmentLead: Judged(
        tuple(name for name, _label in STAGES),
        whole=False,
        guards={"registered_capital": "registered_on", "planned_investment": "intent_on"},
    ),
    Member: Judged(("active_from", "active_until"), whole=False),
}


class PeriodLocks:
    """The approved periods, loaded once; `__call__` is the check ledger.locks asks."""

    def __init__(self) -> None:
        self.periods = list(
            Period.objects.filter(status=Status.APPROVED)
            .select_related("approved_by")
            .order_by("first_day", "kind")
        )
        self._programme_of_body: dict[int, int] | None = None
        self._programme_of_batch: dict[int, int] | None = None

    def programmes(self, obj: models.Model) -> frozenset[int]:
        """The programmes obj belongs to (empty: unknown, every programme's periods apply)."""
        if isinstance(obj, Member):
            if self._programme_of_batch is None:
                self._programme_of_batch = dict(Batch.objects.values_list("pk", "programme_id"))
            found = self._programme_of_batch.get(obj.batch_id)
            return frozenset([found]) if found else frozenset()
        bodies = permissions.responsible_body_ids(obj)
        if not bodies:
            return frozenset()
        if self._programme_of_body is None:
            self._programme_of_body = dict(Body.objects.values_list("pk", "batch__programme_id"))
        return frozenset(self._programme_of_body[b] for b in bodies if b in self._programme_of_body)

    def locking(self, day: Any, programmes: frozenset[int]) -> Period | None:
        if not isinstance(day, datetime.date):
            return None
        for period in self.periods:
            if period.first_day <= day <= period.last_day and (
                not programmes or period.programme_id in programmes
            ):
                return period
        return None

    def __call__(
        self, obj: models.Model, before: dict[str, Any] | None, deleting: bool
    ) -> str | None:
        judged = JUDGED.get(type(obj))
        if judged is None or not self.periods:
            return None
        if judged.via:
            return self._via(obj, judged, before, deleting)
        now = locks.values(obj)
        programmes = self.programmes(obj)
        if deleting:  # judged by what it holds: a delete changes nothing first
            return self._first_locked(obj, before or now, judged.dates, programmes)
        if obj.pk and before is None:
            before = stored(obj)
        if before is None:  # a new record
            return self._first_locked(obj, now, judged.dates, programmes)
        changed = {name for name, value in now.items() if before.get(name) != value}
        if not changed:
            return None
        if judged.whole:
            return self._first_locked(obj, before, judged.dates, programmes) or (
                self._first_locked(obj, now, judged.dates, programmes)
            )
        watched = [name for name in judged.dates if name in changed]
        watched += [date for figure, date in judged.guards.items() if figure in changed]
        return self._first_locked(obj, before, watched, programmes) or (
            self._first_locked(obj, now, watched, programmes)
        )

    def _via(self, obj, judged: Judged, before, deleting: bool) -> str | None:
        related = permissions.related(obj, judged.via)
        if related is None:
            return None
        if not deleting and obj.pk and (before or stored(obj)) == locks.values(obj):
            return None
        values = {name: getattr(related, name) for name in judged.dates}
        return self._first_locked(related, values, judged.dates, self.programmes(obj))

    def _first_locked(
        self, obj: models.Model, values: dict[str, Any], names, programmes: frozenset[int]
    ) -> str | None:
        for name in names:
            period = self.locking(values.get(name), programmes)
            if period is not None:
                return message(obj, name, values[name], period)
        return None


def stored(obj: models.Model) -> dict[str, Any] | None:
    """The record's values as the database holds them (None when it has no row)."""
    return (
        type(obj)
        ._base_manager.filter(pk=obj.pk)
        .values(*(f.attname for f in obj._meta.concrete_fields))
        .first()
    )


def message(obj: models.Model, name: str, day: datetime.date, period: Period) -> locks.Refusal:
    label = obj._meta.get_field(name.removesuffix("_id")).verbose_name
    text = gettext(
        "The reporting period %(period)s is locked: a %(record)s whose %(field)s is %(day)s "
        "cannot be added, changed or deleted. A ledger administrator may reopen the period "
        "with a reason."
    ) % {
        "period": period.lock_text(),
        "record": obj._meta.verbose_name,
        "field": label,
        "day": day.isoformat(),
    }
    return locks.Refusal(text, field=name)


def refuse_locked_save(sender, instance: models.Model, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: a restore writes what was there
        return
    locks.enforce(instance)


def refuse_locked_delete(sender, instance: models.Model, **kwargs) -> None:
    locks.enforce(instance, deleting=True)


def connect() -> None:
    """Register the check with the machinery and guard every judged model (AppConfig.ready)."""
    locks.register(PeriodLocks)
    for model in JUDGED:
        pre_save.connect(refuse_locked_save, sender=model, dispatch_uid=f"period_lock_{model}")
        pre_delete.connect(
            refuse_locked_delete, sender=model, dispatch_uid=f"period_lock_del_{model}"
        )
