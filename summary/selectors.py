"""The ledger's summary "as of a date" (截至目前): the figures leaders read and report upward.

Computed from the records alone, never from typed-in totals. Every figure is an aggregate query
(conditional `Count`, `money_sum`, `values().annotate()` group-bys) whose result has one row per
choice (category, kind, sector, month …), never per ledger row, so the number of queries is the
same for ten records or a million. Each part reads the same rows that a list page shows with
the filters in `links()`: the dashboard links every figure to exactly its rows.

What "as of" means for each record:
- members: active on the date (in post); bodies: of batches begun by then;
- pairings: in force on the date (`pairings.selectors.active_on`);
- exchanges: held on or before it; mentorships: begun on or before it;
- projects: started by then (undated projects always count), by their current status;
- funds: planned by then (`projects.selectors.planned_by`), disbursed by then;
- indicators: the actual measured by then (an actual measured later is not known yet);
- investment leads: each stage reached on or before it; sales: months up to the date's month.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole
from ledger.fields import money_sum
from ledger.numbers import percent, wan
from pairings import selectors as pairing_selectors
from pairings.models import (
    Exchange,
    ExchangeKind,
    ExchangePairing,
    ExchangeRollup,
    Mentorship,
    Pairing,
    UnitKind,
)
from projects import selectors as project_selectors
from projects.models import (
    STAGES,
    Disbursement,
    DisbursementRollup,
    Funding,
    FundingSource,
    Indicator,
    InvestmentLead,
    Product,
    Project,
    ProjectRollup,
    ProjectStatus,
    Sale,
    Sector,
)

ZERO = Decimal("0.00")

# How many projects `Funds.by_project` names, largest plan first: every project of a team's
# ledger (the demo has 8 with money), a readable table for a province (tens of thousands,
# all in the projects list sorted by planned money).
TOP_PROJECTS = 20
# How many indicator lines `Indicators.lines` holds, by project code: all of a team's (the demo
# has 5); the rest of a province's are in the indicators list.
TOP_INDICATORS = 100

# The funnel's stages under the JSON keys scripts read (investment.visited …).
STAGE_KEYS = {
    "visited_on": "visited",
    "invited_on": "invited",
    "leader_visit_on": "leader_visits",
    "intent_on": "intent",
    "signed_on": "signed",
    "registered_on": "registered",
}


@dataclass(frozen=True)
class Figure:
    """One counted figure of a breakdown: its code ("hospital"), label and count."""

    key: str
    label: str | Promise
    count: int


@dataclass(frozen=True)
class Money:
    """One line of a money breakdown: planned and disbursed by the date."""

    key: str
    label: str | Promise
    planned: Decimal = ZERO
    disbursed: Decimal = ZERO

    @property
    def rate(self) -> Decimal | None:
        return project_selectors.execution_rate(self.planned, self.disbursed)


@dataclass(frozen=True)
class BatchFigure:
    pk: int
    number: int
    name: str
    count: int


@dataclass(frozen=True)
class Members:
    total: int
    by_batch: list[BatchFigure]


@dataclass(frozen=True)
class Pairings:
    total: int
    by_category: list[Figure]


@dataclass(frozen=True)
class Exchanges:
    total: int
    by_kind: list[Figure]
    hospital_visits: int
    new_techniques: int
    # (first day of the month, kind, count), months in order: the chart's data.
    by_month: list[tuple[datetime.date, str, int]]


@dataclass(frozen=True)
class Mentorships:
    mentors: int
    mentees: int
    mentorships: int


@dataclass(frozen=True)
class Projects:
    total: int
    by_sector: list[Figure]
    by_status: list[Figure]


@dataclass(frozen=True)
class ProjectMoney:
    pk: int
    code: str
    name: str
    sector: str
    planned: Decimal
    disbursed: Decimal

    @property
    def rate(self) -> Decimal | None:
        return project_selectors.execution_rate(self.planned, self.disbursed)


@dataclass(frozen=True)
class Funds:
    total: Money
    by_source: list[Money]
    by_sector: list[Money]
    by_project: list[ProjectMoney]  # the TOP_PROJECTS largest plans, largest first
    projects_planned: int  # how many projects have money planned by the date
    disbursed_by_month: list[tuple[datetime.date, Decimal]]


@dataclass(frozen=True)
class IndicatorLine:
    pk: int
    project_pk: int
    project_code: str
    name: str
    unit: str
    target: Decimal
    actual: Decimal | None  # None: not measured by the date
    measured_on: datetime.date | None

    @property
    def completion(self) -> Decimal | None:
        return percent(self.actual, self.target)


@dataclass(frozen=True)
class Indicators:
    total: int
    measured: int
    lines: list[IndicatorLine]  # the first TOP_INDICATORS of `total`, by project code


@dataclass(frozen=True)
class Investment:
    stages: list[Figure]  # key: the STAGES field (visited_on …)
    registered_capital: Decimal
    planned_investment: Decimal

    def count(self, field_name: str) -> int:
        return next(stage.count for stage in self.stages if stage.key == field_name)


@dataclass(frozen=True)
class Sales:
    total: Decimal
    by_outlet: list[tuple[int, str, Decimal]]  # (outlet pk, name, amount)
    by_product: list[tuple[str, str | Promise, Decimal]]


@dataclass(frozen=True)
class Summary:
    as_of: datetime.date
    batch: Batch | None
    body: Body | None
    members: Members
    bodies: list[Figure]
    pairings: Pairings
    exchanges: Exchanges
    mentorships: Mentorships
    projects: Projects
    funds: Funds
    indicators: Indicators
    investment: Investment
    sales: Sales


def _counts(rows: Iterable[dict], key: str, choices: Iterable) -> list[Figure]:
    """Every choice in its declared order with its count (0 when it has no rows)."""
    counts = {row[key]: row["count"] for row in rows}
    return [Figure(choice.value, choice.label, counts.get(choice.value, 0)) for choice in choices]


def _scoped(
    queryset: QuerySet,
    batch: Batch | None,
    body: Body | None,
    *,
    batch_path: str | None = None,
    body_path: str | None = None,
) -> QuerySet:
    """Narrow `queryset` to the batch and body through the given lookups (as the lists do)."""
    if batch is not None and batch_path:
        queryset = queryset.filter(**{batch_path: batch})
    if body is not None and body_path:
        queryset = queryset.filter(**{body_path: body})
    return queryset


def _members(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Members:
    members = Member.objects.filter(
        Q(active_from__isnull=True) | Q(active_from__lte=as_of),
        Q(active_until__isnull=True) | Q(active_until__gte=as_of),
    )
    members = _scoped(members, batch, None, batch_path="batch")
    if body is not None:
        members = members.filter(
            Exists(MemberRole.objects.filter(member=OuterRef("pk"), body=body))
        )
    rows = members.order_by().values("batch").annotate(count=Count("pk"))
    counts = {row["batch"]: row["count"] for row in rows}
    batches = Batch.objects.filter(start_date__lte=as_of).order_by("number")
    if batch is not None:
        batches = batches.filter(pk=batch.pk)
    by_batch = [BatchFigure(b.pk, b.number, b.name, counts.get(b.pk, 0)) for b in batches]
    return Members(sum(counts.values()), by_batch)


def _bodies(as_of: datetime.date, batch: Batch | None) -> list[Figure]:
    bodies = Body.objects.filter(batch__start_date__lte=as_of)
    if batch is not None:
        bodies = bodies.filter(batch=batch)
    return _counts(bodies.order_by().values("kind").annotate(count=Count("pk")), "kind", BodyKind)


def _pairings(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Pairings:
    pairings = _scoped(
        Pairing.objects.filter(pairing_selectors.active_on(as_of)),
        batch,
        body,
        batch_path="responsible_body__batch",
        body_path="responsible_body",
    )
    counts = {key: count for key, _label, count in pairing_selectors.category_counts(pairings)}
    by_category = [Figure(kind.value, kind.label, counts.get(kind.value, 0)) for kind in UnitKind]
    return Pairings(sum(counts.values()), by_category)


def _exchanges(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Exchanges:
    """The months before the date's month from the exchanges' roll-up (one row per month,
    kind, lead body and hospital flag); the date's own month, cut at the date, from its
    exchanges. Two queries."""
    month = as_of.replace(day=1)
    whole = ExchangeRollup.objects.filter(month__lt=month, exchanges__gt=0)
    if batch is not None:
        whole = whole.filter(body_id__in=Body.objects.filter(batch=batch).values("pk"))
    if body is not None:
        whole = whole.filter(body_id=body.pk)
    partial = _scoped(
        Exchange.objects.filter(date__gte=month, date__lte=as_of),
        batch,
        body,
        batch_path="lead_body__batch",
        body_path="lead_body",
    )
    # An exchange under a hospital's pairing: a non-correlated IN, hashed once.
    under_hospital = Q(
        pk__in=ExchangePairing.objects.filter(pairing__category=UnitKind.HOSPITAL).values(
            "exchange"
        )
    )
    rows = [
        (row["month"], row["kind"], row["count"], row["visits"], row["techniques"])
        for row in whole.order_by()
        .values("month", "kind")
        .annotate(
            count=Sum("exchanges"),
            visits=Coalesce(Sum("exchanges", filter=Q(hospital=True, kind=ExchangeKind.VISIT)), 0),
            techniques=Sum("new_techniques"),
        )
    ]
    rows += [
        (month, row["kind"], row["count"], row["visits"], row["techniques"])
        for row in partial.order_by()
        .values("kind")
        .annotate(
            count=Count("pk"),
            visits=Count("pk", filter=Q(under_hospital, kind=ExchangeKind.VISIT)),
            techniques=Coalesce(Sum("new_techniques"), 0),
        )
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    by_month = [(row[0], row[1], row[2]) for row in rows]
    kinds: dict[str, int] = {}
    for row in rows:
        kinds[row[1]] = kinds.get(row[1], 0) + row[2]
    by_kind = [Figure(kind.value, kind.label, kinds.get(kind.value, 0)) for kind in ExchangeKind]
    return Exchanges(
        sum(kinds.values()),
        by_kind,
        sum(row[3] for row in rows),
        sum(row[4] for row in rows),
        by_month,
    )


def _mentorships(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Mentorships:
    mentorships = _scoped(
        Mentorship.objects.filter(pairing_selectors.mentorship_started_by(as_of)),
        batch,
        None,
        batch_path="mentor__batch",
    )
    if body is not None:
        mentorships = mentorships.filter(
            Exists(MemberRole.objects.filter(member=OuterRef("mentor"), body=body))
        )
    figures = mentorships.order_by().aggregate(
        mentors=Count("mentor", distinct=True),
        mentees=pairing_selectors.distinct_mentees(),
        mentorships=Count("pk"),
    )
    return Mentorships(figures["mentors"], figures["mentees"], figures["mentorships"])


def _projects(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Projects:
    projects = _scoped(
        Project.objects.filter(project_selectors.project_started_by(as_of)),
        batch,
        body,
        batch_path="responsible_body__batch",
        body_path="responsible_body",
    )
    rows = list(projects.order_by().values("sector", "status").annotate(count=Count("pk")))
    by_sector: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for row in rows:  # one row per (sector, status) pair: a few dozen at most
        by_sector[row["sector"]] = by_sector.get(row["sector"], 0) + row["count"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["count"]
    return Projects(
        sum(by_sector.values()),
        [Figure(s.value, s.label, by_sector.get(s.value, 0)) for s in Sector],
        [Figure(s.value, s.label, by_status.get(s.value, 0)) for s in ProjectStatus],
    )


def _funds(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Funds:
    scope = {
        "batch_path": "project__responsible_body__batch",
        "body_path": "project__responsible_body",
    }
    fundings = _scoped(
        Funding.objects.filter(project_selectors.planned_by(as_of)), batch, body, **scope
    )
    planned_rows = list(
        fundings.order_by().values("source", "project__sector").annotate(total=money_sum("amount"))
    )
    paid_rows, by_month = _paid(as_of, batch, body)
    planned_by: dict[tuple[str, str], Decimal] = {}
    for row in planned_rows:
        planned_by[("source", row["source"])] = (
            planned_by.get(("source", row["source"]), ZERO) + row["total"]
        )
        planned_by[("sector", row["project__sector"])] = (
            planned_by.get(("sector", row["project__sector"]), ZERO) + row["total"]
        )
    paid_by: dict[tuple[str, str], Decimal] = {}
    for row in paid_rows:
        paid_by[("source", row["source"])] = (
            paid_by.get(("source", row["source"]), ZERO) + row["total"]
        )
        paid_by[("sector", row["sector"])] = (
            paid_by.get(("sector", row["sector"]), ZERO) + row["total"]
        )

    def lines(group: str, choices) -> list[Money]:
        return [
            Money(
                c.value,
                c.label,
                planned_by.get((group, c.value), ZERO),
                paid_by.get((group, c.value), ZERO),
            )
            for c in choices
        ]

    total = Money(
        "",
        "",
        sum((row["total"] for row in planned_rows), ZERO),
        sum((row["total"] for row in paid_rows), ZERO),
    )
    # The largest plans from one GROUP BY over the funding lines (no join unless scoped), in
    # the order of the projects list sorted by planned money (ties: the newest first); then
    # the money of just those few, through the lists' own per-project sums.
    # When no line is planned after the date (the summary as of today), every project's plan
    # is its roll-up's: the largest and their number come from one row per project.
    later = Funding.objects.filter(
        Q(approved_on__gt=as_of) | Q(approved_on__isnull=True, year__gt=as_of.year)
    )
    if not later.exists():
        planned = _scoped(
            ProjectRollup.objects.filter(lines__gt=0),
            batch,
            body,
            batch_path="project__responsible_body__batch",
            body_path="project__responsible_body",
        )
        largest = list(
            planned.order_by("-planned", "-project").values_list("project", flat=True)[
                :TOP_PROJECTS
            ]
        )
        projects_planned = planned.count()
    else:
        largest = list(
            fundings.order_by()
            .values("project")
            .annotate(total=money_sum("amount"))
            .order_by("-total", "-project")
            .values_list("project", flat=True)[:TOP_PROJECTS]
        )
        # Every funding line is positive: a project with a line has money planned.
        projects_planned = fundings.order_by().values("project").distinct().count()
    projects = project_selectors.with_money(
        Project.objects.filter(pk__in=largest), as_of=as_of
    ).only("pk", "code", "name", "sector")
    by_pk = {p.pk: p for p in projects}
    by_project = [
        ProjectMoney(p.pk, p.code, p.name, p.sector, p.planned, p.disbursed)
        for p in (by_pk[pk] for pk in largest)
    ]
    return Funds(
        total,
        lines("source", FundingSource),
        lines("sector", Sector),
        by_project,
        projects_planned,
        by_month,
    )


def _paid(
    as_of: datetime.date, batch: Batch | None, body: Body | None
) -> tuple[list[dict], list[tuple[datetime.date, Decimal]]]:
    """Money paid by `as_of`: rows of (source, sector, total), and (month, total) by month.

    The months before the date's month from the month roll-ups (one row per month, source,
    sector and working group, whatever the number of payments); the date's own month, cut at
    the date, from its payments. Two queries.
    """
    month = as_of.replace(day=1)
    whole = DisbursementRollup.objects.filter(month__lt=month, payments__gt=0)
    partial = Disbursement.objects.filter(paid_on__gte=month, paid_on__lte=as_of)
    if batch is not None:
        whole = whole.filter(body_id__in=Body.objects.filter(batch=batch).values("pk"))
        partial = partial.filter(project__responsible_body__batch=batch)
    if body is not None:
        whole = whole.filter(body_id=body.pk)
        partial = partial.filter(project__responsible_body=body)
    rows: dict[tuple[str, str], Decimal] = {}
    months: dict[datetime.date, Decimal] = {}
    for row in (
        whole.order_by()
        .values("month", "source", "sector")
        .annotate(total=money_sum("amount"))
        .values_list("month", "source", "sector", "total")
    ):
        paid_in, source, sector, total = row
        rows[(source, sector)] = rows.get((source, sector), ZERO) + total
        months[paid_in] = months.get(paid_in, ZERO) + total
    # A payment's source is its funding line's; its sector and group its project's.
    for source, sector, total in (
        partial.order_by()
        .values("funding__source", "project__sector")
        .annotate(total=money_sum("amount"))
        .values_list("funding__source", "project__sector", "total")
    ):
        rows[(source, sector)] = rows.get((source, sector), ZERO) + total
        months[month] = months.get(month, ZERO) + total
    paid_rows = [{"source": k[0], "sector": k[1], "total": v} for k, v in rows.items()]
    return paid_rows, sorted(months.items())


def _indicators(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Indicators:
    indicators = _scoped(
        Indicator.objects.all(),
        batch,
        body,
        batch_path="project__responsible_body__batch",
        body_path="project__responsible_body",
    )
    measured = Q(as_of__lte=as_of)
    figures = indicators.order_by().aggregate(
        total=Count("pk"), measured=Count("pk", filter=measured)
    )
    # An actual measured after the date was not known on it.
    rows = (
        indicators.annotate(
            known_actual=Case(When(measured, then="actual")),
            known_on=Case(When(measured, then="as_of")),
        )
        .order_by("project__code", "name", "pk")
        .values_list(
            "pk", "project", "project__code", "name", "unit", "target", "known_actual", "known_on"
        )[:TOP_INDICATORS]
    )
    return Indicators(figures["total"], figures["measured"], [IndicatorLine(*row) for row in rows])


def _investment(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Investment:
    leads = _scoped(
        InvestmentLead.objects.all(),
        batch,
        body,
        batch_path="follower_body__batch",
        body_path="follower_body",
    )
    figures = leads.order_by().aggregate(
        # Prefixed: an aggregate named like a field would shadow it in the filters below.
        **{
            f"stage__{name}": count
            for name, count in project_selectors.funnel_counts(as_of=as_of).items()
        },
        registered_capital=money_sum(
            "registered_capital", filter=project_selectors.reached_by("registered_on", as_of)
        ),
        planned_investment=money_sum(
            "planned_investment", filter=project_selectors.reached_by("intent_on", as_of)
        ),
    )
    return Investment(
        [Figure(name, label, figures[f"stage__{name}"]) for name, label in STAGES],
        figures["registered_capital"],
        figures["planned_investment"],
    )


def _sales(as_of: datetime.date, batch: Batch | None, body: Body | None) -> Sales:
    sales = _scoped(
        Sale.objects.filter(period__lte=as_of),
        batch,
        body,
        batch_path="outlet__responsible_body__batch",
        body_path="outlet__responsible_body",
    )
    rows = list(
        sales.order_by()
        .values("outlet", "outlet__name", "product")
        .annotate(total=money_sum("amount"))
        .order_by("outlet__name", "outlet")
    )
    outlets: dict[int, tuple[str, Decimal]] = {}
    products: dict[str, Decimal] = {}
    for row in rows:  # one row per (outlet, product)
        name, amount = outlets.get(row["outlet"], (row["outlet__name"], ZERO))
        outlets[row["outlet"]] = (name, amount + row["total"])
        products[row["product"]] = products.get(row["product"], ZERO) + row["total"]
    return Sales(
        sum(products.values(), ZERO),
        [(pk, name, amount) for pk, (name, amount) in outlets.items()],
        [(p.value, p.label, products[p.value]) for p in Product if p.value in products],
    )


def ledger_summary(
    *, as_of: datetime.date, batch: Batch | None = None, body: Body | None = None
) -> Summary:
    """The summary as of `as_of` (the day itself counted), for one batch and body if given.

    A body narrows to the records it is responsible for; its batch is then implied.
    """
    if body is not None and batch is None:
        batch = body.batch
    return Summary(
        as_of=as_of,
        batch=batch,
        body=body,
        members=_members(as_of, batch, body),
        bodies=_bodies(as_of, batch),
        pairings=_pairings(as_of, batch, body),
        exchanges=_exchanges(as_of, batch, body),
        mentorships=_mentorships(as_of, batch, body),
        projects=_projects(as_of, batch, body),
        funds=_funds(as_of, batch, body),
        indicators=_indicators(as_of, batch, body),
        investment=_investment(as_of, batch, body),
        sales=_sales(as_of, batch, body),
    )


def _money(amount: Decimal) -> str:
    """Money for scripts: a string with two decimals ("10000000.00"), never a float."""
    return f"{amount:.2f}"


def as_json(summary: Summary) -> dict:
    """The summary under stable keys for scripts: counts as integers, money as strings."""
    funds = summary.funds
    rate = funds.total.rate
    return {
        "as_of": summary.as_of.isoformat(),
        "batch": summary.batch.number if summary.batch else None,
        "body": summary.body.name if summary.body else None,
        "members": {
            "total": summary.members.total,
            "by_batch": {str(figure.number): figure.count for figure in summary.members.by_batch},
        },
        "bodies": {figure.key: figure.count for figure in summary.bodies},
        "pairings": {
            "total": summary.pairings.total,
            "by_category": {f.key: f.count for f in summary.pairings.by_category},
        },
        "exchanges": {
            "total": summary.exchanges.total,
            "by_kind": {f.key: f.count for f in summary.exchanges.by_kind},
            "hospital_visits": summary.exchanges.hospital_visits,
            "new_techniques": summary.exchanges.new_techniques,
        },
        "mentorships": {
            "mentors": summary.mentorships.mentors,
            "mentees": summary.mentorships.mentees,
            "mentorships": summary.mentorships.mentorships,
        },
        "projects": {
            "total": summary.projects.total,
            "by_sector": {f.key: f.count for f in summary.projects.by_sector},
            "by_status": {f.key: f.count for f in summary.projects.by_status},
        },
        "funds": {
            "planned": _money(funds.total.planned),
            "disbursed": _money(funds.total.disbursed),
            "execution_rate": None if rate is None else f"{rate:.1f}",
            "by_source": {
                line.key: {"planned": _money(line.planned), "disbursed": _money(line.disbursed)}
                for line in funds.by_source
            },
            "by_sector": {
                line.key: {"planned": _money(line.planned), "disbursed": _money(line.disbursed)}
                for line in funds.by_sector
            },
            # by_project: the TOP_PROJECTS largest plans of projects_planned projects.
            "projects_planned": funds.projects_planned,
            "by_project": {
                project.code: {
                    "name": project.name,
                    "planned": _money(project.planned),
                    "disbursed": _money(project.disbursed),
                }
                for project in funds.by_project
            },
        },
        # The first TOP_INDICATORS lines by project code, of indicators_total.
        "indicators_total": summary.indicators.total,
        "indicators": [
            {
                "project": line.project_code,
                "name": line.name,
                "unit": line.unit,
                "target": f"{line.target.normalize():f}",
                "actual": None if line.actual is None else f"{line.actual.normalize():f}",
                "as_of": line.measured_on.isoformat() if line.measured_on else None,
            }
            for line in summary.indicators.lines
        ],
        "investment": {
            **{STAGE_KEYS[f.key]: f.count for f in summary.investment.stages},
            "registered_capital": _money(summary.investment.registered_capital),
            "planned_investment": _money(summary.investment.planned_investment),
        },
        "sales": {
            "total": _money(summary.sales.total),
            "by_outlet": {name: _money(amount) for _pk, name, amount in summary.sales.by_outlet},
            "by_product": {key: _money(amount) for key, _label, amount in summary.sales.by_product},
        },
    }


# Measure words differ by category in Chinese (个部门, 所学校): one message per category.
CATEGORY_PHRASES = {
    UnitKind.DEPARTMENT: lambda n: ngettext(
        "%(count)d municipal department", "%(count)d municipal departments", n
    ),
    UnitKind.TOWNSHIP: lambda n: ngettext(
        "%(count)d township (subdistrict)", "%(count)d townships (subdistricts)", n
    ),
    UnitKind.SCHOOL: lambda n: ngettext("%(count)d school", "%(count)d schools", n),
    UnitKind.HOSPITAL: lambda n: ngettext("%(count)d hospital", "%(count)d hospitals", n),
    UnitKind.ENTERPRISE: lambda n: ngettext("%(count)d enterprise", "%(count)d enterprises", n),
    UnitKind.ASSOCIATION: lambda n: ngettext("%(count)d association", "%(count)d associations", n),
    UnitKind.OTHER: lambda n: ngettext("%(count)d other unit", "%(count)d other units", n),
}


def briefing(summary: Summary) -> str:
    """A short briefing in the words of the report (in the active language), one paragraph
    per part, figures in 万元 with one decimal."""
    pairings = [
        CATEGORY_PHRASES[figure.key](figure.count) % {"count": figure.count}
        for figure in summary.pairings.by_category
        if figure.count
    ]
    funds, investment = summary.funds, summary.investment
    lines = [
        gettext("As of %(date)s:") % {"date": date_format(summary.as_of, "DATE_FORMAT")},
        gettext(
            "%(units)s have paired with their counterparts (%(total)d pairings in force); "
            "%(exchanges)d exchanges held. %(mentors)d members mentor %(mentees)d cadres."
        )
        % {
            "units": gettext(", ").join(pairings) if pairings else gettext("No units"),
            "total": summary.pairings.total,
            "exchanges": summary.exchanges.total,
            "mentors": summary.mentorships.mentors,
            "mentees": summary.mentorships.mentees,
        },
        gettext(
            "Hospitals: %(visits)d mutual visits; %(techniques)d new techniques or projects "
            "introduced."
        )
        % {
            "visits": summary.exchanges.hospital_visits,
            "techniques": summary.exchanges.new_techniques,
        },
        gettext(
            "Funds: %(planned)s × 10,000 yuan planned for %(projects)d projects, %(disbursed)s × "
            "10,000 yuan disbursed (execution rate %(rate)s)."
        )
        % {
            "planned": wan(funds.total.planned, 1),
            "projects": summary.projects.total,
            "disbursed": wan(funds.total.disbursed, 1),
            "rate": "—" if funds.total.rate is None else f"{funds.total.rate:.1f}%",
        },
    ]
    named = [
        gettext("%(name)s %(amount)s × 10,000 yuan") % {"name": p.name, "amount": wan(p.planned, 1)}
        for p in funds.by_project[:3]
    ]
    if named:
        lines.append(gettext("Largest: %(projects)s.") % {"projects": gettext(", ").join(named)})
    lines.append(
        gettext(
            "Investment: %(visited)d companies visited, %(invited)d invited, %(leaders)d "
            "visited by leaders, %(intent)d with intent to sign, %(registered)d registered with "
            "%(capital)s × 10,000 yuan of registered capital."
        )
        % {
            "visited": investment.count("visited_on"),
            "invited": investment.count("invited_on"),
            "leaders": investment.count("leader_visit_on"),
            "intent": investment.count("intent_on"),
            "registered": investment.count("registered_on"),
            "capital": wan(investment.registered_capital, 1),
        }
    )
    lines.append(
        gettext("Consumer assistance: %(sales)s × 10,000 yuan of sales at %(outlets)d outlets.")
        % {"sales": wan(summary.sales.total, 1), "outlets": len(summary.sales.by_outlet)}
    )
    return "\n".join(lines)


def reported_summary(as_of: datetime.date) -> dict:
    """What approving a reporting period keeps as reported (settings.LEDGER_PERIOD_SNAPSHOT):
    the whole ledger's summary as of the period's last day, under `as_json`'s keys."""
    return as_json(ledger_summary(as_of=as_of))
