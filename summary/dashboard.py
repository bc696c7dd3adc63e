"""The dashboard's pieces around the summary: its filter form, the link behind every figure,
the charts' data, and the rows of its CSV and XLSX exports.

A link is a list page with the filters that select exactly the rows a figure counts (or sums),
under the same batch and working group: `summary.selectors` and the lists' FilterSets share
their date rules (`pairings.selectors.active_on`, `projects.selectors.planned_by` …).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aidledger.filters import batches, bodies
from ledger import exports
from ledger.exports import Cell
from ledger.filters import DateInput, LedgerDateField
from pairings.models import ExchangeKind, UnitKind
from summary.selectors import Summary


class SummaryForm(forms.Form):
    """The dashboard's as-of date, batch and working group (every list accepts these)."""

    as_of = LedgerDateField(label=_("as of"), required=False, widget=DateInput())
    batch = forms.ModelChoiceField(
        label=_("batch"), queryset=batches(), required=False, empty_label=_("All")
    )
    # Working groups only: the pairings and mentorships lists filter by working group.
    body = forms.ModelChoiceField(
        label=_("working group"),
        queryset=bodies(working_groups=True),
        required=False,
        empty_label=_("All"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["as_of"] = cleaned.get("as_of") or timezone.localdate()
        batch, body = cleaned.get("batch"), cleaned.get("body")
        if batch and body and body.batch_id != batch.pk:
            self.add_error("body", _("This working group belongs to another batch."))
        return cleaned


def _url(name: str, scope: dict[str, Any], **params: Any) -> str:
    query = {key: value for key, value in (scope | params).items() if value not in (None, "")}
    return f"{reverse(name)}?{urlencode(query)}"


def links(summary: Summary) -> dict[str, Any]:
    """The list page behind every figure of `summary`, by the figure's place in it."""
    day = summary.as_of.isoformat()
    scope = {
        "batch": summary.batch.pk if summary.batch else None,
        "body": summary.body.pk if summary.body else None,
    }
    members = {"active_on": day}
    pairings = {"active_on": day}
    exchanges = {"date_to": day}
    projects = {"started_by": day}
    planned = {"planned_by": day}
    paid = {"paid_to": day}
    sales = {"period_to": summary.as_of.strftime("%Y-%m")}
    return {
        "members": _url("members", scope, **members),
        "members_by_batch": {
            figure.pk: _url("members", scope | {"batch": figure.pk}, **members)
            for figure in summary.members.by_batch
        },
        "pairings": _url("pairings", scope, **pairings),
        "pairings_by_category": {
            figure.key: _url("pairings", scope, category=figure.key, **pairings)
            for figure in summary.pairings.by_category
        },
        "exchanges": _url("exchanges", scope, **exchanges),
        "exchanges_by_kind": {
            figure.key: _url("exchanges", scope, kind=figure.key, **exchanges)
            for figure in summary.exchanges.by_kind
        },
        "hospital_visits": _url(
            "exchanges", scope, kind=ExchangeKind.VISIT, category=UnitKind.HOSPITAL, **exchanges
        ),
        # A sum: the exchanges list totals it; those that introduced techniques come first.
        "new_techniques": _url("exchanges", scope, sort="-new_techniques", **exchanges),
        "mentors": _url("members", scope, mentoring_by=day),
        "mentees": _url("mentorships", scope, started_by=day),
        "projects": _url("projects", scope, **projects),
        "projects_by_sector": {
            figure.key: _url("projects", scope, sector=figure.key, **projects)
            for figure in summary.projects.by_sector
        },
        "projects_by_status": {
            figure.key: _url("projects", scope, status=figure.key, **projects)
            for figure in summary.projects.by_status
        },
        "planned": _url("funding", scope, **planned),
        "disbursed": _url("disbursements", scope, **paid),
        "planned_by_source": {
            line.key: _url("funding", scope, source=line.key, **planned)
            for line in summary.funds.by_source
        },
        "disbursed_by_source": {
            line.key: _url("disbursements", scope, source=line.key, **paid)
            for line in summary.funds.by_source
        },
        "planned_by_sector": {
            line.key: _url("funding", scope, sector=line.key, **planned)
            for line in summary.funds.by_sector
        },
        "disbursed_by_sector": {
            line.key: _url("disbursements", scope, sector=line.key, **paid)
            for line in summary.funds.by_sector
        },
        # by_project names the largest few: the projects list, largest plan first, has them all.
        "projects_by_planned": _url("projects", scope, sort="-planned"),
        "planned_by_project": {
            project.pk: _url("funding", scope, project=project.pk, **planned)
            for project in summary.funds.by_project
        },
        "disbursed_by_project": {
            project.pk: _url("disbursements", scope, project=project.pk, **paid)
            for project in summary.funds.by_project
        },
        "indicators": _url("indicators", scope, measured_by=day),
        "indicators_all": _url("indicators", scope),
        "indicators_by_project": {
            line.project_pk: _url("indicators", scope, project=line.project_pk)
            for line in summary.indicators.lines
        },
        "stages": {
            figure.key: _url("leads", scope, stage=figure.key, reached_by=day)
            for figure in summary.investment.stages
        },
        "registered_capital": _url("leads", scope, stage="registered_on", reached_by=day),
        "planned_investment": _url("leads", scope, stage="intent_on", reached_by=day),
        "sales": _url("sales", scope, **sales),
        "sales_by_outlet": {
            pk: _url("sales", scope, outlet=pk, **sales)
            for pk, _name, _amount in summary.sales.by_outlet
        },
        "sales_by_product": {
            key: _url("sales", scope, product=key, **sales)
            for key, _label, _amount in summary.sales.by_product
        },
    }


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _wan(amount: Decimal) -> Decimal:
    # Chart heights in 万元. json_script writes a Decimal as a string ("1000.00"), which
    # Chart.js reads as a number: no float on the way.
    return (amount / 10000).quantize(Decimal("0.01"))


def chart_data(summary: Summary) -> dict[str, Any]:
    """What dashboard.js draws, labels translated here: money in 万元, counts as integers."""
    funds, exchanges = summary.funds, summary.exchanges
    starts = [month for month, _total in funds.disbursed_by_month] + [
        month for month, _kind, _count in exchanges.by_month
    ]
    # From the first month with data to the last: a date long after the data (today, once the
    # programme is over) adds no run of empty months to the right of the charts.
    months = _months(min(starts), max(starts)) if starts else []
    paid = dict(funds.disbursed_by_month)
    kinds = [figure for figure in exchanges.by_kind if figure.count]
    held = {(month, kind): count for month, kind, count in exchanges.by_month}
    sectors = [line for line in funds.by_sector if line.planned or line.disbursed]
    return {
        "months": [month.strftime("%Y-%m") for month in months],
        "disbursed_by_month": {
            "label": gettext("disbursed, 10,000 yuan"),
            "data": [_wan(paid.get(month, Decimal(0))) for month in months],
        },
        "by_sector": {
            "labels": [str(line.label) for line in sectors],
            "planned": [_wan(line.planned) for line in sectors],
            "disbursed": [_wan(line.disbursed) for line in sectors],
            "planned_label": str(pgettext_lazy("money", "planned, 10,000 yuan")),
            "disbursed_label": gettext("disbursed, 10,000 yuan"),
        },
        "exchanges_by_month": [
            {
                "label": str(figure.label),
                "data": [held.get((month, figure.key), 0) for month in months],
            }
            for figure in kinds
        ],
        "funnel": {
            "labels": [str(figure.label) for figure in summary.investment.stages],
            "data": [figure.count for figure in summary.investment.stages],
            "label": gettext("companies"),
        },
    }


def scope(summary: Summary) -> list[tuple[str, str]]:
    """(label, value) of the filters the figures are under: the batch and the working group."""
    return [
        (gettext("Batch"), summary.batch.name if summary.batch else gettext("All")),
        (gettext("Working group"), summary.body.name if summary.body else gettext("All")),
    ]


def scope_names(summary: Summary) -> list[str]:
    """The names of the filters in effect (第二批, 产业扶持组), for a heading or a file name."""
    return [record.name for record in (summary.batch, summary.body) if record is not None]


def export_filename(summary: Summary, extension: str) -> str:
    """工作汇总-第二批-产业扶持组-20241009.xlsx: what, under which filters, as of when."""
    return exports.export_filename(
        pgettext("file name", "Work summary"),
        *scope_names(summary),
        f"{summary.as_of:%Y%m%d}",
        extension=extension,
    )


def figure_header() -> list[str]:
    return [
        gettext("Part"),
        gettext("Figure"),
        gettext("Value"),
        gettext("Unit"),
        pgettext("column of amounts", "10,000 yuan"),
    ]


def csv_rows(summary: Summary) -> Iterator[list[Any]]:
    """The filters, then the summary's figures as rows (part, figure, value, unit, 万元)."""
    for label, value in scope(summary):
        yield [label, value]
    yield []
    yield figure_header()
    yuan = gettext("yuan")
    for part, figure, value, unit in figure_rows(summary):
        wan = _wan(value) if unit == yuan and value is not None else None
        yield [part, figure, value, unit, wan]


def xlsx_rows(summary: Summary) -> Iterator[list[Any]]:
    """The figures of `csv_rows`, each value typed by its unit: yuan as money (#,##0.00),
    the execution rate as a rate, counts and indicator quantities as numbers."""
    yuan = gettext("yuan")
    kinds = {yuan: "money", "%": "percent"}
    for part, figure, value, unit in figure_rows(summary):
        wan = Cell(_wan(value), "money") if unit == yuan and value is not None else None
        yield [part, figure, Cell(value, kinds.get(unit, "number")), unit, wan]


def figure_rows(summary: Summary) -> Iterator[list[Any]]:
    """The summary's figures as rows (part, figure, value, unit) with exact yuan; each count
    in its own unit, as the report writes it (30名队员 → 人, 21对 → 对, 31场次 …)."""
    people, pairs = pgettext("unit", "people"), pgettext("unit", "pairs")
    events, items = pgettext("unit", "events"), pgettext("unit", "items")
    companies, yuan = pgettext("unit", "companies"), gettext("yuan")
    members = gettext("Members")
    yield [members, gettext("members in post"), summary.members.total, people]
    for figure in summary.members.by_batch:
        yield [members, figure.name, figure.count, people]
    for figure in summary.bodies:
        yield [gettext("Bodies"), figure.label, figure.count, items]
    part = gettext("Pairings")
    yield [part, gettext("pairings in force"), summary.pairings.total, pairs]
    for figure in summary.pairings.by_category:
        yield [part, figure.label, figure.count, pairs]
    part = gettext("Exchanges")
    yield [part, gettext("exchanges held"), summary.exchanges.total, events]
    for figure in summary.exchanges.by_kind:
        yield [part, figure.label, figure.count, events]
    yield [part, gettext("hospital mutual visits"), summary.exchanges.hospital_visits, events]
    yield [
        part,
        gettext("new techniques or projects"),
        summary.exchanges.new_techniques,
        pgettext("unit", "techniques"),
    ]
    part = gettext("Mentorships")
    yield [part, gettext("mentors"), summary.mentorships.mentors, people]
    yield [part, gettext("mentees"), summary.mentorships.mentees, people]
    part = gettext("Projects")
    yield [part, gettext("projects"), summary.projects.total, items]
    for figure in summary.projects.by_sector:
        yield [part, figure.label, figure.count, items]
    for figure in summary.projects.by_status:
        yield [part, figure.label, figure.count, items]
    part = gettext("Funds")
    planned, disbursed = pgettext("money", "planned"), gettext("disbursed")
    total = summary.funds.total
    yield [part, planned, total.planned, yuan]
    yield [part, disbursed, total.disbursed, yuan]
    yield [part, gettext("execution rate"), total.rate, "%"]
    for line in [*summary.funds.by_source, *summary.funds.by_sector]:
        yield [part, f"{line.label} · {planned}", line.planned, yuan]
        yield [part, f"{line.label} · {disbursed}", line.disbursed, yuan]
    for project in summary.funds.by_project:
        yield [part, f"{project.code} {project.name} · {planned}", project.planned, yuan]
        yield [part, f"{project.code} {project.name} · {disbursed}", project.disbursed, yuan]
    part = gettext("Indicators")
    for line in summary.indicators.lines:
        label = f"{line.project_code} {line.name}"
        yield [part, f"{label} · {gettext('target')}", line.target, line.unit]
        yield [part, f"{label} · {gettext('actual')}", line.actual, line.unit]
    part = gettext("Investment")
    for figure in summary.investment.stages:
        yield [part, figure.label, figure.count, companies]
    yield [part, gettext("registered capital"), summary.investment.registered_capital, yuan]
    yield [part, gettext("planned investment"), summary.investment.planned_investment, yuan]
    part = gettext("Consumer-assistance sales")
    yield [part, gettext("sales"), summary.sales.total, yuan]
    for _pk, name, amount in summary.sales.by_outlet:
        yield [part, name, amount, yuan]
    for _key, label, amount in summary.sales.by_product:
        yield [part, label, amount, yuan]
