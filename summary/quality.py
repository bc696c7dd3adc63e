"""Data-quality findings: what a reporting period still lacks before it is submitted.

Each rule is declared once here; its thresholds come from settings. A finding names the rule,
says in the user's language what is missing, counts the records and links to the filtered
list of exactly those records. The period's page shows them as its checklist, the reminders
e-mail each working group its own, and the dashboard's banner shows the same.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str  # a stable code, e.g. "disbursement_without_evidence"
    label: str  # translated: what is missing
    count: int  # how many records
    url: str  # the list of exactly those records


def findings(
    *, start: datetime.date, end: datetime.date, body_ids: Iterable[int] | None = None
) -> list[Finding]:
    """The findings for records dated from start to end, of the given bodies (None: all).

    Only rules with a non-zero count are returned, in the order the rules are declared.
    """
    return []
