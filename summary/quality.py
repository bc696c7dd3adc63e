"""Data-quality findings: what a reporting period still lacks before it is submitted.

Each rule is declared once here; its thresholds come from settings. A finding names the rule,
says in the user's language what is missing, counts the records and links to the filtered
list of exactly those records. The period's page shows them as its checklist, the reminders
e-mail each working group its own, and the dashboard's banner shows the same.

A rule's records come from the same selector its list's filter applies (projects.selectors,
pairings.selectors, aidledger.selectors, evidence.selectors), so a count is the row count of
the page its link opens. Each rule costs one aggregate query, whatever the ledger's size.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from aidledger import selectors as team_selectors
from aidledger.filters import NO_ROLE
from aidledger.models import Body, Member
from evidence.filters import WITHOUT
from evidence.selectors import has_evidence
from pairings import selectors as pairing_selectors
from pairings.models import Exchange, Pairing
from projects import selectors as project_selectors
from projects.models import Disbursement, Indicator, Outlet, Project


@dataclass(frozen=True)
class Finding:
    rule: str  # a stable code, e.g. "disbursement_without_evidence"
    label: str  # translated: what is missing
    count: int  # how many records
    url: str  # the list of exactly those records


@dataclass(frozen=True)
class Window:
    """The days a check covers (a reporting period), and what the rules derive from them."""

    start: datetime.date
    end: datetime.date

    @property
    def idle_since(self) -> datetime.date:
        """The first day of the last `no_disbursement_months` calendar months up to `end`."""
        months = settings.LEDGER_QUALITY["no_disbursement_months"]
        index = self.end.year * 12 + self.end.month - 1 - (months - 1)
        return datetime.date(index // 12, index % 12 + 1, 1)

    @property
    def months(self) -> int:
        return settings.LEDGER_QUALITY["no_disbursement_months"]


@dataclass(frozen=True)
class Rule:
    code: str
    url_name: str  # the list the finding links to
    records: Callable[[Window], QuerySet]  # the records lacking something, of every body
    query: Callable[[Window], dict[str, str]]  # the list's filters that select exactly them
    # The lookup from a record to the working group responsible for it (the list's `body`
    # filter); None for a rule no working group answers for (the ledger admin's).
    body_path: str | None
    label: Callable[[int, Window], str]  # translated, with the count


def _day(date: datetime.date) -> str:
    return date.isoformat()


def _month(date: datetime.date) -> str:
    return date.strftime("%Y-%m")


RULES: tuple[Rule, ...] = (
    Rule(
        "no_disbursement",
        "projects",
        lambda w: project_selectors.not_disbursed_since(
            Project.objects.all(), since=w.idle_since, until=w.end
        ),
        lambda w: {
            "no_disbursement_since": _day(w.idle_since),
            "no_disbursement_until": _day(w.end),
        },
        "responsible_body",
        lambda n, w: (
            ngettext(
                "%(count)d project has money planned but nothing disbursed in the last "
                "%(months)d months",
                "%(count)d projects have money planned but nothing disbursed in the last "
                "%(months)d months",
                n,
            )
            % {"count": n, "months": w.months}
        ),
    ),
    Rule(
        "indicator_without_actual",
        "indicators",
        lambda w: project_selectors.without_actual(
            Indicator.objects.all(), start=w.start, end=w.end
        ),
        lambda w: {"no_actual_from": _day(w.start), "no_actual_to": _day(w.end)},
        "project__responsible_body",
        lambda n, w: (
            ngettext(
                "%(count)d indicator has no actual measured in the period",
                "%(count)d indicators have no actual measured in the period",
                n,
            )
            % {"count": n}
        ),
    ),
    Rule(
        "exchange_without_evidence",
        "exchanges",
        lambda w: Exchange.objects.filter(date__gte=w.start, date__lte=w.end).filter(
            ~has_evidence(Exchange)
        ),
        lambda w: {"date_from": _day(w.start), "date_to": _day(w.end), "evidence": WITHOUT},
        "lead_body",
        lambda n, w: (
            ngettext(
                "%(count)d exchange of the period has no evidence files",
                "%(count)d exchanges of the period have no evidence files",
                n,
            )
            % {"count": n}
        ),
    ),
    Rule(
        "disbursement_without_evidence",
        "disbursements",
        lambda w: Disbursement.objects.filter(paid_on__gte=w.start, paid_on__lte=w.end).filter(
            ~has_evidence(Disbursement)
        ),
        lambda w: {"paid_from": _day(w.start), "paid_to": _day(w.end), "evidence": WITHOUT},
        "project__responsible_body",
        lambda n, w: (
            ngettext(
                "%(count)d disbursement of the period has no evidence files",
                "%(count)d disbursements of the period have no evidence files",
                n,
            )
            % {"count": n}
        ),
    ),
    Rule(
        "pairing_without_exchange",
        "pairings",
        lambda w: pairing_selectors.without_exchange(
            Pairing.objects.filter(pairing_selectors.active_on(w.end)), by=w.end
        ),
        lambda w: {"active_on": _day(w.end), "no_exchange_by": _day(w.end)},
        "responsible_body",
        lambda n, w: (
            ngettext(
                "%(count)d pairing in force has had no exchange this year",
                "%(count)d pairings in force have had no exchange this year",
                n,
            )
            % {"count": n}
        ),
    ),
    Rule(
        "sales_month_missing",
        "outlets",
        lambda w: project_selectors.missing_sales(Outlet.objects.all(), first=w.start, last=w.end),
        lambda w: {"sales_missing_from": _month(w.start), "sales_missing_to": _month(w.end)},
        "responsible_body",
        lambda n, w: (
            ngettext(
                "%(count)d outlet has a month of the period without sales",
                "%(count)d outlets have a month of the period without sales",
                n,
            )
            % {"count": n}
        ),
    ),
    Rule(
        "member_without_role",
        "members",
        lambda w: team_selectors.without_role(
            Member.objects.filter(
                team_selectors.in_post_from(w.start), team_selectors.in_post_until(w.end)
            )
        ),
        lambda w: {
            "in_post_from": _day(w.start),
            "in_post_until": _day(w.end),
            "role": NO_ROLE,
        },
        None,
        lambda n, w: (
            ngettext(
                "%(count)d member in post has no role",
                "%(count)d members in post have no role",
                n,
            )
            % {"count": n}
        ),
    ),
)


def _url(rule: Rule, window: Window, body_id: int | None = None) -> str:
    query = rule.query(window)
    if body_id is not None:
        query["body"] = str(body_id)
    return f"{reverse(rule.url_name)}?{urlencode(query)}"


def findings(
    *, start: datetime.date, end: datetime.date, body_ids: Iterable[int] | None = None
) -> list[Finding]:
    """The findings for records dated from start to end, of the given bodies (None: all).

    Only rules with a non-zero count are returned, in the order the rules are declared.
    With body_ids, a rule's records are those the bodies are responsible for, one finding per
    body (its link filters the list by that body; with several bodies the label names it);
    rules no working group answers for (members without a role) are left out.
    """
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    window = Window(start, end)
    if body_ids is None:
        result = []
        for rule in RULES:
            count = rule.records(window).order_by().count()
            if count:
                result.append(
                    Finding(rule.code, rule.label(count, window), count, _url(rule, window))
                )
        return result
    ids = sorted(set(body_ids))
    bodies = list(
        Body.objects.filter(pk__in=ids)
        .select_related("batch")
        .order_by("batch__number", "position", "pk")
    )
    named = len(bodies) > 1
    result = []
    for rule in RULES:
        if rule.body_path is None or not bodies:
            continue
        counts = dict(
            rule.records(window)
            .filter(**{f"{rule.body_path}__in": ids})
            .order_by()
            .values_list(rule.body_path)
            .annotate(count=Count("pk"))
            .values_list(rule.body_path, "count")
        )
        for body in bodies:
            count = counts.get(body.pk, 0)
            if not count:
                continue
            label = rule.label(count, window)
            if named:
                label = gettext("%(body)s: %(finding)s") % {"body": body, "finding": label}
            result.append(Finding(rule.code, label, count, _url(rule, window, body.pk)))
    return result
