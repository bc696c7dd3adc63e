"""What a report covers: a day ("as of"), or a range of days given as from/to or as a period
(2024-09, 2024Q3, 2024). The figures are the summary as of the range's last day (what has
been done by then, as the report counts it); the pack's ledgers list the range's events."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from periods.models import Snapshot, Status
from periods.services import TransitionRefused, period_for

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
# Years a ledger of this programme can hold; anything else is a typing slip.
FIRST_YEAR, LAST_YEAR = 2000, 2100


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


def _year(text: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(
            gettext("The year must be between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return year


def as_of(day: datetime.date) -> DateRange:
    return DateRange(None, day, gettext("as of %(date)s") % {"date": _day(day)})


def between(start: datetime.date, end: datetime.date) -> DateRange:
    if start > end:
        raise PeriodError(gettext("The range starts after it ends."))
    return DateRange(
        start, end, gettext("%(start)s to %(end)s") % {"start": _day(start), "end": _day(end)}
    )


def parse_period(text: str) -> DateRange:
    """A month (2024-09), a quarter (2024Q3) or a year (2024) as the range of its days."""
    text = (text or "").strip()[:20]
    if match := _MONTH.match(text):
        year, month = _year(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError(gettext("The month must be between 1 and 12."))
        last = calendar.monthrange(year, month)[1]
        label = gettext("%(year)d, month %(month)d") % {"year": year, "month": month}
        return DateRange(
            datetime.date(year, month, 1),
            datetime.date(year, month, last),
            label,
            code=f"{year}-{month:02d}",
        )
    if match := _QUARTER.match(text):
        year, quarter = _year(match[1]), int(match[2])
        first = 3 * quarter - 2
        last_month = first + 2
        end = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
        label = gettext("%(year)d, quarter %(quarter)d") % {"year": year, "quarter": quarter}
        return DateRange(datetime.date(year, first, 1), end, label, code=f"{year}Q{quarter}")
    if match := _YEAR.match(text):
        year = _year(match[1])
        label = gettext("the year %(year)d") % {"year": year}
        return DateRange(
            datetime.date(year, 1, 1), datetime.date(year, 12, 31), label, code=str(year)
        )
    raise PeriodError(
        gettext("A period is a month (2024-09), a quarter (2024Q3) or a year (2024), not %(text)s.")
        % {"text": repr(text)}
    )


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
        "who": who.get_full_name() or who.get_username(),
    }
