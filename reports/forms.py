"""What a report covers, as the pages ask it: a day, a period (2024-09, 2024Q3, 2024) or a
range of days, and a batch and working group (the dashboard's own form, extended)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ledger.filters import DateInput, LedgerDateField
from reports.pack import Scope
from reports.periods import PeriodError, as_of, between, parse_period
from summary.dashboard import SummaryForm


class ReportForm(SummaryForm):
    period = forms.CharField(
        label=_("period"),
        required=False,
        max_length=20,
        help_text=_("A month (2024-09), a quarter (2024Q3) or a year (2024)."),
    )
    date_from = LedgerDateField(label=_("from"), required=False, widget=DateInput())
    date_to = LedgerDateField(label=_("until"), required=False, widget=DateInput())

    field_order = ["period", "date_from", "date_to", "as_of", "batch", "body"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        try:
            if cleaned.get("period"):
                cleaned["range"] = parse_period(cleaned["period"])
            elif start or end:
                if not (start and end):
                    raise PeriodError(_("Give both ends of the range, or a period."))
                cleaned["range"] = between(start, end)
            else:
                cleaned["range"] = as_of(cleaned["as_of"])
        except PeriodError as error:
            self.add_error("period" if cleaned.get("period") else "date_to", str(error))
        return cleaned

    def scope(self) -> Scope:
        """The scope of a valid form."""
        cleaned = self.cleaned_data
        return Scope(cleaned["range"], cleaned.get("batch"), cleaned.get("body"))
