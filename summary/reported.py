"""A period "as reported" next to the ledger "as now": the summary kept when the period was
approved (periods.Snapshot) against the same summary computed from today's records, each
figure that differs marked (only possible after the period was reopened and changed), with a
link to the changes made between the approval and now. Also the dashboard's banner: the
periods due and the open items of the reader's own working groups."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from aidledger.models import Body, BodyKind, Programme
from ledger import permissions
from periods import reminders, selectors
from periods.models import Snapshot
from summary.selectors import reported_summary

# The dashboard's headline figures, by their place in the summary's JSON (as_json).
HEADLINES = (
    ("pairings.total", _("pairings in force")),
    ("exchanges.total", _("exchanges held")),
    ("exchanges.hospital_visits", _("hospital mutual visits")),
    ("exchanges.new_techniques", _("new techniques or projects")),
    ("mentorships.mentors", _("members mentoring")),
    ("mentorships.mentees", _("cadres mentored")),
    ("members.total", _("members in post")),
    ("projects.total", _("projects")),
    ("funds.planned", _("funds planned (yuan)")),
    ("funds.disbursed", _("funds disbursed (yuan)")),
    ("funds.execution_rate", _("execution rate")),
    ("investment.visited", _("companies visited")),
    ("investment.registered_capital", _("registered capital (yuan)")),
    ("sales.total", _("consumer-assistance sales (yuan)")),
)


@dataclass(frozen=True)
class Row:
    key: str
    label: Any
    reported: Any
    now: Any

    @property
    def changed(self) -> bool:
        return self.reported != self.now


@dataclass(frozen=True)
class Comparison:
    snapshot: Snapshot
    headlines: list[Row]
    others: list[Row]  # every other figure that changed, by its key
    changes_url: str

    @property
    def changed(self) -> int:
        return sum(row.changed for row in self.headlines) + len(self.others)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested JSON → {"funds.by_source.municipal.planned": "…"}; an indicator line is named
    by its project and name."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat |= flatten(inner, f"{prefix}{key}.")
        return flat
    if isinstance(value, list):
        flat = {}
        for index, inner in enumerate(value):
            name = (
                f"{inner.get('project')} {inner.get('name')}"
                if isinstance(inner, dict)
                else str(index)
            )
            flat |= flatten(inner, f"{prefix}{name}.")
        return flat
    return {prefix.rstrip("."): value}


def compare(snapshot: Snapshot) -> Comparison:
    reported = flatten(snapshot.summary)
    now = flatten(reported_summary(snapshot.period.last_day))
    headline_keys = {key for key, _label in HEADLINES}
    headlines = [Row(key, label, reported.get(key), now.get(key)) for key, label in HEADLINES]
    others = [
        Row(key, key, reported.get(key), now.get(key))
        for key in sorted(set(reported) | set(now))
        if key not in headline_keys and key != "as_of" and reported.get(key) != now.get(key)
    ]
    query = {
        "since": timezone.localtime(snapshot.approved_at).date().isoformat(),
        "until": timezone.localdate().isoformat(),
    }
    return Comparison(snapshot, headlines, others, f"{reverse('changes')}?{urlencode(query)}")


def recent_snapshots(limit: int = 12) -> list[Snapshot]:
    """The first "as reported" summary of each of the latest periods approved (what the
    province received first; the period's page lists every approval). One query."""
    first_programme = Programme.objects.order_by("pk").values("pk")[:1]
    first: dict[int, Snapshot] = {}
    for snapshot in selectors.reported(first_programme)[: limit * 4]:
        first.setdefault(snapshot.period_id, snapshot)
    return list(first.values())[:limit]


def banner(user) -> reminders.OpenItems | None:
    """What the reader should act on: the periods due (for those who submit them) and the
    findings of their own working groups (for their members). None when nothing is open."""
    reviewer = permissions.can_review_periods(user)
    groups = list(
        Body.of_account(user).filter(kind=BodyKind.WORKING_GROUP).values_list("pk", flat=True)
    )
    if not reviewer and not groups:
        return None
    programme = Programme.objects.order_by("pk").first()
    if programme is None:
        return None
    today = timezone.localdate()
    items = reminders.open_items(programme, today=today, body_ids=groups or None)
    if not reviewer:
        items.due = [] if not items.findings else items.due
    return items or None
