"""The projects and money ledger's imports: projects, funding lines, disbursements,
indicators, investment leads and sales (see ledger/imports/)."""

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aidledger.imports import BODY_HINT, MEMBER_HINT, working_group
from ledger.imports.cells import SEPARATOR, name_key
from ledger.imports.errors import CellError, RowCellError
from ledger.imports.parsers import Choice, Date, Integer, Money, Month, Number, Reference, Text
from ledger.imports.references import (
    LOADERS,
    REFERENCE_NAMES,
    RESOLVERS,
    ImportContext,
    by_name,
)
from ledger.imports.specs import LINE, Col, ImportSpec, Planned, register
from pairings.imports import helped_unit
from projects.models import (
    Disbursement,
    Funding,
    FundingSource,
    Indicator,
    Industry,
    InvestmentLead,
    Outlet,
    Product,
    Project,
    ProjectStatus,
    Sale,
    Sector,
    Segment,
)
from projects.services import overdraw_errors, record_disbursements


def _projects() -> dict[str, Project]:
    return {name_key(p.code): p for p in Project.objects.select_related("responsible_body")}


def resolve_project(ctx: ImportContext, text: str) -> Project:
    project = ctx.table("project").get(name_key(text))
    if project is None:
        raise CellError(_("No project with this code."))
    return project


def _segments() -> dict[str, list[Segment]]:
    return by_name(Segment.objects.all(), lambda s: s.name)


def resolve_segment(ctx: ImportContext, text: str) -> Segment:
    matches = ctx.table("segment").get(name_key(text))
    if not matches:
        raise CellError(_("No segment of this name."))
    return matches[0]


def _outlets() -> dict[str, list[Outlet]]:
    return by_name(Outlet.objects.select_related("responsible_body"), lambda o: o.name)


def resolve_outlet(ctx: ImportContext, text: str) -> Outlet:
    matches = ctx.table("outlet").get(name_key(text))
    if not matches:
        raise CellError(_("No outlet of this name."))
    return matches[0]


def _fundings() -> dict[tuple[int, str, int], list[Funding]]:
    """Funding lines by project, source and year, in entry order (line 1, 2 …)."""
    table: dict[tuple[int, str, int], list[Funding]] = defaultdict(list)
    for funding in Funding.objects.order_by("pk"):
        table[(funding.project_id, funding.source, funding.year)].append(funding)
    return table


LOADERS.update(project=_projects, segment=_segments, outlet=_outlets, funding=_fundings)
RESOLVERS.update(project=resolve_project, segment=resolve_segment, outlet=resolve_outlet)
REFERENCE_NAMES.update(project=lambda p: p.code, segment=lambda s: s.name, outlet=lambda o: o.name)
LINE_LABEL = gettext_lazy("line number of the same source and year")
LINE_HINT = gettext_lazy(
    "empty or 1; 2, 3 … only when a project has several lines of one source in one year, "
    "numbered in the order they were entered"
)
PROJECT_HINT = gettext_lazy("the project's code, e.g. NY-2023-01")


def project_ref() -> Reference:
    return Reference("project", example="NY-2023-01", hint=PROJECT_HINT)


projects = register(
    ImportSpec(
        name="projects",
        model=Project,
        title=gettext_lazy("projects"),
        list_url_name="projects",
        key=("code",),
        body_column="responsible_body",
        columns=[
            Col("code", Text(max_length=30, example="NY-2023-01"), required=True),
            Col("name", Text(max_length=200, example="优质肉牛全产业链项目"), required=True),
            Col("sector", Choice(Sector), required=True),
            Col("responsible_body", working_group(), required=True),
            Col("township", helped_unit("平昌县江口镇")),
            Col("implementing_unit", Text(max_length=200, example="平昌县农业农村局")),
            Col("status", Choice(ProjectStatus, "in_progress")),
            Col("start_date", Date(datetime.date(2023, 9, 1))),
            Col("end_date", Date(None)),
            Col("description", Text()),
            Col("beneficiaries", Text()),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Project.objects.select_related(
            "responsible_body__batch", "township"
        ),
    )
)


fundings = register(
    ImportSpec(
        name="funding",
        model=Funding,
        title=gettext_lazy("funding lines"),
        list_url_name="funding",
        # Two lines of one project from one source in one year (two firms investing) are told
        # apart by their line number, 1 for the line entered first.
        key=("project", "source", "year", LINE),
        body_column="project",
        columns=[
            Col("project", project_ref(), required=True),
            Col("source", Choice(FundingSource), required=True),
            Col("year", Integer(minimum=2000, maximum=2100, example=2024), required=True),
            Col(LINE, Integer(minimum=1, example=1), label=LINE_LABEL, hint=LINE_HINT),
            Col("amount", Money("10000000.00"), required=True),
            Col("document_number", Text(max_length=100, example="自财预〔2024〕1号")),
            Col("approved_on", Date(datetime.date(2024, 3, 1))),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Funding.objects.select_related("project"),
    )
)


FUNDING_SOURCE = gettext_lazy("funding source")
FUNDING_YEAR = gettext_lazy("funding year")
FUNDING_LINE = gettext_lazy("funding line number")


def disbursement_fields(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """The funding line is named by its project, source and year (the natural key of a line)."""
    project = values.pop("project")
    source, year = values.pop("funding_source"), values.pop("funding_year")
    line = values.pop("funding_line", None) or 1
    lines = ctx.table("funding").get((project.pk, source, year), [])
    column = SEPARATOR.join(str(label) for label in (FUNDING_SOURCE, FUNDING_YEAR))
    if not lines:
        raise RowCellError(
            "funding_source",
            column,
            _("This project has no funding line of this source and year: add it first."),
        )
    if line > len(lines):
        raise RowCellError(
            "funding_line",
            str(FUNDING_LINE),
            _("This project has %(count)s funding line(s) of this source and year, not %(line)s.")
            % {"count": len(lines), "line": line},
        )
    return {"project": project, "funding": lines[line - 1], **values}


def disbursements_with_line_numbers() -> QuerySet[Disbursement]:
    """Payments with their funding line's number among the project's lines of the same source
    and year (1 for the line entered first), counted by the database in the same query."""
    earlier = (
        Funding.objects.filter(
            project=OuterRef("funding__project"),
            source=OuterRef("funding__source"),
            year=OuterRef("funding__year"),
            pk__lt=OuterRef("funding_id"),
        )
        .order_by()
        .values("project")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Disbursement.objects.select_related("project", "funding").annotate(
        funding_line=Coalesce(Subquery(earlier), 0) + 1
    )


def check_disbursements(items: list[Planned]) -> dict[int, list[tuple[str, str]]]:
    """A funding line paid beyond its plan by the file's rows together (with the ledger's
    other payments) is refused on the first row that draws on it."""
    saving = [item.obj for item in items if item.status != "unchanged"]
    errors = overdraw_errors(saving=saving)
    problems: dict[int, list[tuple[str, str]]] = {}
    for funding_id, message in errors.items():
        rows = [item.row for item in items if item.obj.funding_id == funding_id]
        problems[min(rows)] = [(str(Disbursement._meta.get_field("amount").verbose_name), message)]
    return problems


def write_disbursements(items: list[Planned]) -> None:
    """All the file's payments in one record_disbursements(): the lines locked, checked
    as they will be after the whole file (each row was full_clean()ed by the import's check,
    just before)."""
    record_disbursements(saving=[item.obj for item in items], cleaned=True)


disbursements = register(
    ImportSpec(
        name="disbursements",
        model=Disbursement,
        title=gettext_lazy("disbursements"),
        list_url_name="disbursements",
        # A payment has no number of its own in the team's sheets: the same line, day, payee
        # and amount is the same payment. Correcting an amount is done in the admin.
        key=("funding", "paid_on", "payee", "amount"),
        body_column="project",
        aliases={"funding": "funding_source"},
        to_fields=disbursement_fields,
        check_all=check_disbursements,
        writer=write_disbursements,
        columns=[
            Col("project", project_ref(), required=True),
            Col(
                "funding_source",
                Choice(FundingSource),
                required=True,
                label=FUNDING_SOURCE,
                value=lambda d: d.funding.source,
            ),
            Col(
                "funding_year",
                Integer(minimum=2000, maximum=2100, example=2024),
                required=True,
                label=FUNDING_YEAR,
                value=lambda d: d.funding.year,
            ),
            Col(
                "funding_line",
                Integer(minimum=1, example=1),
                label=FUNDING_LINE,
                value=lambda d: d.funding_line,
                hint=LINE_HINT,
            ),
            Col("paid_on", Date(datetime.date(2024, 5, 20)), required=True),
            Col("amount", Money("2500000.00"), required=True),
            Col("payee", Text(max_length=200, example="平昌县农业农村局"), required=True),
            Col("voucher_number", Text(max_length=100, example="记-2024-05-018")),
            Col("notes", Text()),
        ],
        export_queryset=disbursements_with_line_numbers,
    )
)


indicators = register(
    ImportSpec(
        name="indicators",
        model=Indicator,
        title=gettext_lazy("indicators"),
        list_url_name="indicators",
        key=("project", "name"),
        body_column="project",
        columns=[
            Col("project", project_ref(), required=True),
            Col("name", Text(max_length=100, example="肉牛饲养量"), required=True),
            Col("unit", Text(max_length=20, example="头"), required=True),
            Col("baseline", Number("80000")),
            Col("target", Number("100000"), required=True),
            Col("actual", Number("109800")),
            Col("as_of", Date()),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Indicator.objects.select_related("project"),
    )
)


leads = register(
    ImportSpec(
        name="leads",
        model=InvestmentLead,
        title=gettext_lazy("investment leads"),
        list_url_name="leads",
        key=("company",),
        body_column="follower_body",
        columns=[
            Col("company", Text(max_length=200, example="四川某茶业有限公司"), required=True),
            Col("city", Text(max_length=50, example="成都")),
            Col("industry", Choice(Industry, "food_beverage"), required=True),
            Col(
                "segment",
                Reference("segment", example="茶叶", hint=gettext_lazy("a segment's name")),
            ),
            Col("follower_body", Reference("body", example="第二批 · 产业扶持组", hint=BODY_HINT)),
            Col("follower", Reference("member", example="第二批 · 蔡小波", hint=MEMBER_HINT)),
            Col("visited_on", Date(datetime.date(2024, 3, 5))),
            Col("invited_on", Date(None)),
            Col("leader_visit_on", Date(None)),
            Col("intent_on", Date(None)),
            Col("signed_on", Date(None)),
            Col("registered_on", Date(None)),
            Col("registered_capital", Money("5000000.00")),
            Col("planned_investment", Money("6000000.00")),
            Col("notes", Text()),
        ],
        export_queryset=lambda: InvestmentLead.objects.select_related(
            "segment", "follower_body__batch", "follower__batch"
        ),
    )
)


sales = register(
    ImportSpec(
        name="sales",
        model=Sale,
        title=gettext_lazy("sales"),
        list_url_name="sales",
        key=("outlet", "product", "period"),
        body_column="outlet",
        columns=[
            Col(
                "outlet",
                Reference(
                    "outlet", example="百佳超市汇东店", hint=gettext_lazy("an outlet's name")
                ),
                required=True,
            ),
            Col("product", Choice(Product, "tea"), required=True),
            Col("period", Month(), required=True),
            Col("quantity", Integer(example=120)),
            Col("quantity_unit", Text(max_length=10, example="斤")),
            Col("amount", Money("36000.00"), required=True),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Sale.objects.select_related("outlet"),
    )
)
