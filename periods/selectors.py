"""Reads of the reporting cycle: the periods list, what is due, a period's checklist."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from aidledger.models import Programme
from periods.models import Kind, Period, Snapshot, Status, parse_code

OPEN_STATUSES = (Status.OPEN, Status.RETURNED, Status.REOPENED)


def periods(programme: Programme) -> QuerySet[Period]:
    return (
        Period.objects.filter(programme=programme)
        .select_related("approved_by")
        .order_by("-first_day", "kind")
    )


def month_code(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def previous_month(day: datetime.date) -> datetime.date:
    """The first day of the month before `day`'s."""
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def due(programme: Programme, *, today: datetime.date) -> list[Period | str]:
    """What should have been reported by `today`: the programme's periods that ended and are
    not submitted or approved, and last month if it has no period yet (its code)."""
    found: list[Period | str] = list(
        Period.objects.filter(
            programme=programme, status__in=OPEN_STATUSES, last_day__lt=today
        ).order_by("first_day", "kind")
    )
    last_month = previous_month(today)
    if not Period.objects.filter(
        programme=programme, kind=Kind.MONTH, first_day=last_month
    ).exists():
        found.append(month_code(last_month))
    return found


def span(item: Period | str) -> tuple[datetime.date, datetime.date]:
    if isinstance(item, Period):
        return item.first_day, item.last_day
    _kind, first, last = parse_code(item)
    return first, last


def findings(
    *, start: datetime.date, end: datetime.date, body_ids: Iterable[int] | None = None
) -> list[Any]:
    """The data-quality findings for a span (settings.LEDGER_PERIOD_FINDINGS names the
    function: the summary layer's rules, above this app)."""
    return import_string(settings.LEDGER_PERIOD_FINDINGS)(start=start, end=end, body_ids=body_ids)


def snapshots(period: Period) -> QuerySet[Snapshot]:
    return period.snapshots.select_related("approved_by").order_by("approved_at", "pk")


def reported(programme: Programme | QuerySet) -> QuerySet[Snapshot]:
    """Every stored "as reported" summary of the programme, newest period first."""
    return (
        Snapshot.objects.filter(period__programme=programme)
        .select_related("period", "approved_by")
        .order_by("-period__first_day", "period__kind", "approved_at", "pk")
    )
