"""What a report covers: a day ("as of"), or a range of days given as from/to or as a period
(2024-09, 2024Q3, 2024). The figures are the summary as of the range's last day (what has
been done by then, as the report counts it); the pack's ledgers list the range's events."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from ledger.history import user_name
from periods.models import Kind, Snapshot, Status, parse_code
from periods.services import TransitionRefused, period_for


class PeriodError(ValueError):
    """A period or range that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class DateRange:
    start: datetime.date | None  # None: from the beginning (a report "as of" a day)
    end: datetime.date
    label: str  # as the document's title says it: 2024年9月, 2024年第3季度, 截至2024年10月9日
    # The reporting period it is, written as periods write it (2024-09, 2024Q3, 2024), when
    # it was given as one: its "as reported" figures are used once the period is approved.
    code: str = ""

    @property
    def as_of(self) -> datetime.date:
        return self.end

    def query(self) -> dict[str, str]:
        """The range as the report pages' query string reads it back."""
        if self.start is None:
            return {"as_of": self.end.isoformat()}
        return {"date_from": self.start.isoformat(), "date_to": self.end.isoformat()}


def as_of(day: datetime.date) -> DateRange:
    return DateRange(None, day, gettext("as of %(date)s") % {"date": _day(day)})


def between(start: datetime.date, end: datetime.date) -> DateRange:
    if start > end:
        raise PeriodError(gettext("The range starts after it ends."))
    return DateRange(
        start, end, gettext("%(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}
    )


def parse_period(text: str) -> DateRange:
    """A month (2024-09), a quarter (2024Q3) or a year (2024) as the range of its days, read
    as the reporting periods read their codes (`periods.models.parse_code`)."""
    text = (text or "").strip()[:20]
    parsed = parse_code(text)
    if parsed is None:
        raise PeriodError(
            gettext(
                "A period is a month (2024-09), a quarter (2024Q3) or a year (2024) between "
                "2000 and 2100, not %(text)s."
            )
            % {"text": repr(text)}
        )
    kind, first, last = parsed
    if kind == Kind.MONTH:
        label = gettext("%(year)d, month %(month)d") % {"year": first.year, "month": first.month}
        code = f"{first.year}-{first.month:02d}"
    elif kind == Kind.QUARTER:
        quarter = (first.month + 2) // 3
        label = gettext("%(year)d, quarter %(quarter)d") % {"year": first.year, "quarter": quarter}
        code = f"{first.year}Q{quarter}"
    else:
        label = gettext("the year %(year)d") % {"year": first.year}
        code = str(first.year)
    return DateRange(first, last, label, code=code)


def _day(day: datetime.date) -> str:
    return gettext("%(year)d-%(month)02d-%(day)02d") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def as_reported(code: str) -> Snapshot | None:
    """The latest "as reported" summary of the period written `code`, if it is approved now.
    A period never named, or one reopened for correction, has none: its report reads the
    ledger as it stands."""
    try:
        period = period_for(code, create=False)
    except TransitionRefused:  # no such period yet, or no single programme to read it in
        return None
    if period.status != Status.APPROVED:
        return None
    return period.snapshots.select_related("approved_by").order_by("-approved_at", "-pk").first()


def reported_text(snapshot: Snapshot) -> str:
    """The footer's line saying the figures are those reported, and when they were approved."""
    when = timezone.localtime(snapshot.approved_at).strftime("%Y-%m-%d %H:%M")
    who = snapshot.approved_by
    if who is None:
        return gettext("as reported (approved %(when)s)") % {"when": when}
    return gettext("as reported (approved %(when)s by %(who)s)") % {
        "when": when,
        "who": user_name(who),
    }
