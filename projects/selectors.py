"""Queries the money ledger's pages, exports and admin share.

A project's and a funding line's money today is read from their roll-ups (`ProjectRollup`,
`FundingRollup`: one row each, kept by triggers), so a page's sums never re-add the payments.
Money as of a past date comes from correlated subqueries (`Sum` grouped inside a `Subquery`),
never from joins: joining both fundings and disbursements to a project would multiply rows and
inflate both sums. All sums are over MoneyField columns, so they are integer fen in the
database and exact Decimal yuan here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ledger.fields import MoneyField, money_difference, money_or_zero, money_sum
from ledger.numbers import percent
from projects.models import (
    STAGES,
    Disbursement,
    DisbursementRollup,
    Funding,
    FundingRollup,
    FundingSource,
    Indicator,
    InvestmentLead,
    Outlet,
    Project,
    Sale,
)

ZERO = Decimal("0.00")


def _sum_of(queryset: QuerySet, *, group_by: str) -> Coalesce:
    """The sum of `amount` over `queryset` (already correlated with OuterRef), 0.00 if none."""
    total = queryset.order_by().values(group_by).annotate(total=Sum("amount")).values("total")[:1]
    return money_or_zero(Subquery(total, output_field=MoneyField()))


def execution_rate(planned: Decimal | None, disbursed: Decimal | None) -> Decimal | None:
    """Disbursed as a percentage of planned (执行率), one decimal; None without a plan."""
    return percent(disbursed, planned)


def disbursed_total(*, funding_id: int, exclude: Iterable[int] = ()) -> Decimal:
    """What has been paid from one funding line, leaving out the disbursements `exclude`."""
    rows = Disbursement.objects.filter(funding_id=funding_id).exclude(pk__in=list(exclude))
    return rows.aggregate(total=money_sum("amount"))["total"]


def disbursed_totals(
    *, funding_ids: Iterable[int], exclude: Iterable[int] = (), chunk: int = 5000
) -> dict[int, Decimal]:
    """`disbursed_total()` of many funding lines at once: the lines' roll-ups (one query per
    `chunk` lines), and one grouped query for the stored amounts of `exclude` taken off.
    Exact inside the transaction that locked the lines: the roll-up moves with every write."""
    ids = sorted(set(funding_ids))
    totals = dict.fromkeys(ids, Decimal("0.00"))
    for start in range(0, len(ids), chunk):
        rollups = FundingRollup.objects.filter(funding_id__in=ids[start : start + chunk])
        for funding_id, total in rollups.values_list("funding_id", "disbursed"):
            totals[funding_id] += total
    excluded = sorted(set(exclude))
    for start in range(0, len(excluded), chunk):
        rows = Disbursement.objects.filter(pk__in=excluded[start : start + chunk])
        for funding_id, total in _by_line(rows.filter(funding_id__in=ids)):
            totals[funding_id] -= total
    return totals


def _by_line(rows: QuerySet) -> list[tuple[int, Decimal]]:
    return list(
        rows.order_by()
        .values("funding_id")
        .annotate(total=money_sum("amount"))
        .values_list("funding_id", "total")
    )


def project_started_by(date: datetime.date) -> Q:
    """Projects under way by `date`: started on or before it. A project without a start date
    cannot be placed in time and always counts (a plan not yet dated)."""
    return Q(start_date__lte=date) | Q(start_date__isnull=True)


def planned_by(date: datetime.date) -> Q:
    """Funding lines planned by `date`: approved on or before it; a line without an approval
    date counts from its budget year."""
    return Q(approved_on__lte=date) | Q(approved_on__isnull=True, year__lte=date.year)


def paid_by(date: datetime.date) -> Q:
    """Disbursements paid on or before `date`."""
    return Q(paid_on__lte=date)


def reached_by(stage: str, date: datetime.date) -> Q:
    """Investment leads that reached `stage` (a STAGES field) on or before `date`."""
    return Q(**{f"{stage}__lte": date})


def with_money(
    projects: QuerySet[Project], *, as_of: datetime.date | None = None
) -> QuerySet[Project]:
    """Projects annotated with `planned`, `disbursed` and `remaining` (Decimal yuan): today's
    from the project's roll-up; with `as_of`, only the money planned and paid by that date."""
    if as_of is None:
        return projects.annotate(
            planned=money_or_zero(F("rollup__planned")),
            disbursed=money_or_zero(F("rollup__disbursed")),
            remaining=money_difference("planned", "disbursed"),
        )
    fundings = Funding.objects.filter(planned_by(as_of), project=OuterRef("pk"))
    disbursements = Disbursement.objects.filter(paid_by(as_of), project=OuterRef("pk"))
    return projects.annotate(
        planned=_sum_of(fundings, group_by="project"),
        disbursed=_sum_of(disbursements, group_by="project"),
        remaining=money_difference("planned", "disbursed"),
    )


def project_totals(projects: QuerySet[Project]) -> tuple[int, Decimal, Decimal]:
    """(count, planned, disbursed) over `projects`, from their roll-ups: one query, whatever
    the filter (it selects projects; their money is one row each)."""
    figures = projects.order_by().aggregate(
        rows=Count("*"),
        planned_total=money_sum("rollup__planned"),
        disbursed_total=money_sum("rollup__disbursed"),
    )
    return figures["rows"], figures["planned_total"], figures["disbursed_total"]


def payments_totals(
    *, projects: QuerySet[Project] | None = None, fundings: QuerySet[Funding] | None = None
) -> tuple[int, Decimal]:
    """(count, sum) of the payments of `projects` or of `fundings`, from their roll-ups."""
    rows = fundings if fundings is not None else projects
    if rows is None:
        rows = Project.objects.all()
    figures = rows.order_by().aggregate(
        n=Sum("rollup__payments"), total=money_sum("rollup__disbursed")
    )
    return figures["n"] or 0, figures["total"]


def paid_by_month(rollups: QuerySet[DisbursementRollup]) -> tuple[int, Decimal]:
    """(count, sum) of the payments the month roll-ups `rollups` hold."""
    figures = rollups.order_by().aggregate(n=Sum("payments"), total=money_sum("amount"))
    return figures["n"] or 0, figures["total"]


def project_list() -> QuerySet[Project]:
    return with_money(Project.objects.select_related("responsible_body__batch", "township"))


def funding_list() -> QuerySet[Funding]:
    """Funding lines with their project, and `disbursed`/`remaining` per line."""
    return Funding.objects.select_related("project__responsible_body__batch").annotate(
        disbursed=money_or_zero(F("rollup__disbursed")),
        remaining=money_difference("amount", "disbursed"),
    )


def disbursement_list() -> QuerySet[Disbursement]:
    return Disbursement.objects.select_related("project__responsible_body__batch", "funding")


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("project__responsible_body__batch")


def lead_list() -> QuerySet[InvestmentLead]:
    return InvestmentLead.objects.select_related("segment", "follower_body__batch", "follower")


def funnel_counts(*, as_of: datetime.date | None = None) -> dict[str, Count]:
    """Count expressions, one per stage: how many leads reached it (by `as_of`, if given)."""
    return {
        field: Count(
            "pk",
            filter=Q(**{f"{field}__isnull": False}) if as_of is None else reached_by(field, as_of),
        )
        for field, _label in STAGES
    }


def sale_list() -> QuerySet[Sale]:
    return Sale.objects.select_related("outlet")


def cities() -> list[str]:
    """The cities leads were met in, for the leads filter (a handful of values)."""
    return list(
        InvestmentLead.objects.exclude(city="")
        .order_by("city")
        .values_list("city", flat=True)
        .distinct()
    )


# The project page ------------------------------------------------------------------------------


@dataclass
class SourceLine:
    source: str
    label: str
    planned: Decimal = ZERO
    disbursed: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.disbursed

    @property
    def rate(self) -> Decimal | None:
        return execution_rate(self.planned, self.disbursed)


@dataclass
class ProjectPage:
    project: Project
    fundings: list[Funding]
    by_source: list[SourceLine]
    total: SourceLine
    disbursements: list[Disbursement]
    indicators: list[Indicator]


def project_page(pk: int) -> ProjectPage:
    """Everything the project page shows, in four queries whatever the project's size."""
    project = get_object_or_404(
        Project.objects.select_related("responsible_body__batch", "township"), pk=pk
    )
    fundings = list(funding_list().filter(project=project).order_by("year", "source", "pk"))
    lines: dict[str, SourceLine] = {}
    total = SourceLine("", "")
    for funding in fundings:
        line = lines.setdefault(
            funding.source, SourceLine(funding.source, FundingSource(funding.source).label)
        )
        line.planned += funding.amount
        line.disbursed += funding.disbursed
        total.planned += funding.amount
        total.disbursed += funding.disbursed
    order = list(FundingSource.values)
    by_source = sorted(lines.values(), key=lambda line: order.index(line.source))
    disbursements = list(
        Disbursement.objects.filter(project=project)
        .select_related("funding")
        .order_by("paid_on", "pk")
    )
    for disbursement in disbursements:
        disbursement.funding.project = project  # its label reads the project: no query
    indicators = list(Indicator.objects.filter(project=project).order_by("name"))
    return ProjectPage(project, fundings, by_source, total, disbursements, indicators)


# Data-quality rules (summary.quality) ------------------------------------------------------------
# Each is the one definition a list filter and the period's checklist share, so the checklist's
# count is the row count of the list its link opens.


def not_disbursed_since(
    projects: QuerySet[Project],
    *,
    since: datetime.date | None,
    until: datetime.date | None = None,
) -> QuerySet[Project]:
    """Projects with money planned by `until` that was not all paid by then, and no payment
    from `since` to `until` (AMP's "no disbursement in N months"). A project paid in full is
    not waiting for money, however long ago its last payment. Without `until`: to this day;
    without `since`: never paid."""
    fundings = Funding.objects.filter(project=OuterRef("pk"))
    paid = Disbursement.objects.filter(project=OuterRef("pk"))
    recent = Disbursement.objects.filter(project=OuterRef("pk"))
    if since is not None:
        recent = recent.filter(paid_on__gte=since)
    if until is not None:
        fundings = fundings.filter(planned_by(until))
        paid = paid.filter(paid_by(until))
        recent = recent.filter(paid_by(until))
    return (
        projects.alias(
            idle_planned=_sum_of(fundings, group_by="project"),
            idle_paid=_sum_of(paid, group_by="project"),
        )
        .filter(idle_planned__gt=F("idle_paid"))
        .filter(~Exists(recent))
    )


def without_actual(
    indicators: QuerySet[Indicator],
    *,
    start: datetime.date | None,
    end: datetime.date | None,
) -> QuerySet[Indicator]:
    """Indicators of projects under way from `start` to `end` (started by `end`, not ended
    before `start`) whose actual was not measured within those days. A missing end is open."""
    running, measured = Q(), Q(actual__isnull=False)
    if end is not None:
        running &= Q(project__start_date__lte=end) | Q(project__start_date__isnull=True)
        measured &= Q(as_of__lte=end)
    if start is not None:
        running &= Q(project__end_date__gte=start) | Q(project__end_date__isnull=True)
        measured &= Q(as_of__gte=start)
    return indicators.filter(running).exclude(measured)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """How many calendar months from `first`'s month to `last`'s, both counted (0 if none)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def missing_sales(
    outlets: QuerySet[Outlet], *, first: datetime.date, last: datetime.date
) -> QuerySet[Outlet]:
    """Outlets lacking a sale row for at least one month from `first`'s month to `last`'s.
    Only outlets that had begun selling count: a sale in `last`'s month or earlier."""
    first, last = first.replace(day=1), last.replace(day=1)
    months = months_between(first, last)
    sold = (
        Sale.objects.filter(outlet=OuterRef("pk"), period__gte=first, period__lte=last)
        .order_by()
        .values("outlet")
        .annotate(months=Count("period", distinct=True))
        .values("months")
    )
    begun = Sale.objects.filter(outlet=OuterRef("pk"), period__lte=last)
    return (
        outlets.filter(Exists(begun))
        .alias(months_sold=Coalesce(Subquery(sold, output_field=IntegerField()), 0))
        .filter(months_sold__lt=months)
    )


def outlet_list() -> QuerySet[Outlet]:
    return Outlet.objects.select_related("responsible_body__batch")
