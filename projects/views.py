"""The money ledger's review pages: six lists with CSV export, and a project's page."""

from dataclasses import replace
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ledger.copy_export import Template
from ledger.fields import money_difference, money_sum
from ledger.listing import Column, LedgerListView, Total, ratio_sort
from ledger.records import Field, RecordDetailView
from projects import selectors
from projects.filters import (
    DisbursementFilter,
    FundingFilter,
    IndicatorFilter,
    LeadFilter,
    OutletFilter,
    ProjectFilter,
    SaleFilter,
)
from projects.models import (
    STAGES,
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
)


def _money_totals(*, planned: str | None, disbursed: str) -> tuple[Total, ...]:
    """Planned, disbursed and remaining over the filtered rows, from the given expressions."""
    if planned is None:
        return (Total("disbursed", _("disbursed"), money_sum(disbursed)),)
    return (
        Total("planned", pgettext_lazy("money", "planned"), money_sum(planned)),
        Total("disbursed", _("disbursed"), money_sum(disbursed)),
        Total(
            "remaining",
            _("remaining"),
            money_difference(money_sum(planned), money_sum(disbursed)),
        ),
    )


PROJECT_NAME = Column("project.name", sort="project__code", link="project")
PROJECT_CODE = Column("project.code", _("project code"), key="project_code", sort=True)
PROJECT_BODY = Column("project.responsible_body", key="body", sort=True)


class ProjectListView(LedgerListView):
    title = _("Projects")
    filterset_class = ProjectFilter
    default_sort = "code"
    totals = _money_totals(planned="planned", disbursed="disbursed")
    columns = (
        Column("code", sort=True),
        Column("name", sort=True, link=True),
        Column("sector", sort=True, choices=Sector),
        Column("status", sort=True, choices=ProjectStatus),
        Column("responsible_body", key="body", sort=True),
        Column("township.name", sort=True),
        Column("implementing_unit"),
        Column("start_date", sort=True),
        Column("end_date", sort=True),
        Column("planned", _("planned (yuan)"), sort=True),
        Column("disbursed", _("disbursed (yuan)"), sort=True),
        Column("remaining", _("remaining (yuan)"), sort=True),
        Column(
            lambda p: selectors.execution_rate(p.planned, p.disbursed),
            _("execution rate (%)"),
            key="rate",
            sort=ratio_sort("disbursed", "planned"),
            kind="percent",
        ),
    )

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.project_list()

    # Every filter of this list selects projects, and each project's money is one roll-up row:
    # the count and the totals are one query over the filtered projects, whatever the filter.
    def totals_and_count(self, rows: QuerySet[Project]) -> tuple[list[tuple[Total, Any]], int]:
        count, planned, disbursed = selectors.project_totals(rows)
        values = {"planned": planned, "disbursed": disbursed, "remaining": planned - disbursed}
        return [(total, values[total.key]) for total in self.totals], count


class FundingListView(LedgerListView):
    title = _("Funding lines")
    filterset_class = FundingFilter
    default_sort = "project_code"
    totals = _money_totals(planned="amount", disbursed="disbursed")
    columns = (
        PROJECT_CODE,
        # The line's own page, from the project a clerk looks for first (its page links on).
        replace(PROJECT_NAME, link=True),
        Column("source", sort=True, choices=FundingSource),
        Column("year", sort=True),
        Column("amount", _("planned (yuan)"), sort=True),
        Column("disbursed", _("disbursed (yuan)"), sort=True),
        Column("remaining", _("remaining (yuan)"), sort=True),
        Column(
            lambda f: selectors.execution_rate(f.amount, f.disbursed),
            _("execution rate (%)"),
            key="rate",
            sort=ratio_sort("disbursed", "amount"),
            kind="percent",
        ),
        Column("document_number"),
        Column("approved_on", sort=True),
        PROJECT_BODY,
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Funding]:
        return selectors.funding_list()


class DisbursementListView(LedgerListView):
    title = _("Disbursements")
    filterset_class = DisbursementFilter
    default_sort = "-paid_on"
    totals = _money_totals(planned=None, disbursed="amount")
    columns = (
        Column("paid_on", sort=True, link=True),
        PROJECT_CODE,
        PROJECT_NAME,
        Column("funding.source", sort=True, choices=FundingSource),
        Column("funding.year", sort=True),
        Column("amount", sort=True),
        Column("payee", sort=True),
        Column("voucher_number"),
        PROJECT_BODY,
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Disbursement]:
        return selectors.disbursement_list()

    def filter(self) -> DisbursementFilter:
        self.filterset = super().filter()
        return self.filterset

    def totals_and_count(
        self, rows: QuerySet[Disbursement]
    ) -> tuple[list[tuple[Total, Any]], int | None]:
        """From the roll-ups where the filters allow (`DisbursementFilter.rollup_totals`),
        otherwise the one aggregate over the filtered payments."""
        figures = self.filterset.rollup_totals() if self.filterset.is_valid() else None
        if figures is None:
            return super().totals_and_count(rows)
        count, disbursed = figures
        return [(total, disbursed) for total in self.totals], count


class IndicatorListView(LedgerListView):
    title = _("Indicators")
    filterset_class = IndicatorFilter
    default_sort = "project_code"
    columns = (
        PROJECT_CODE,
        PROJECT_NAME,
        Column("name", _("indicator"), sort=True, link=True),
        Column("unit"),
        Column("baseline", sort=True),
        Column("target", sort=True),
        Column("actual", sort=True),
        Column(
            "completion", _("completion (%)"), sort=ratio_sort("actual", "target"), kind="percent"
        ),
        Column("as_of", sort=True),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Indicator]:
        return selectors.indicator_list()


class LeadListView(LedgerListView):
    title = _("Investment leads")
    filterset_class = LeadFilter
    default_sort = "company"
    totals = (
        *(
            Total(field, label, expression, kind="number")
            for (field, label), expression in zip(
                STAGES, selectors.funnel_counts().values(), strict=True
            )
        ),
        Total("registered_capital", _("registered capital"), money_sum("registered_capital")),
        Total("planned_investment", _("planned investment"), money_sum("planned_investment")),
    )
    columns = (
        Column("company", sort=True, link=True),
        Column("city", sort=True),
        Column("industry", sort=True, choices=Industry),
        Column("segment.name", sort="segment__position"),
        Column("furthest_stage", _("furthest stage"), key="stage"),
        *(Column(field, label, sort=True) for field, label in STAGES),
        Column("registered_capital", sort=True),
        Column("planned_investment", sort=True),
        Column("follower_body"),
        Column("follower.name"),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[InvestmentLead]:
        return selectors.lead_list()


class SaleListView(LedgerListView):
    title = _("Consumer-assistance sales")
    filterset_class = SaleFilter
    default_sort = "-period"
    totals = (Total("amount", _("amount of sales"), money_sum("amount")),)
    columns = (
        Column(
            lambda s: s.period.strftime("%Y-%m"),
            _("month"),
            key="period",
            sort="period",
            db_text=Template("to_char(%(expressions)s, 'YYYY-MM')", F("period")),
        ),
        Column("outlet.name", sort=True),
        Column("outlet.operator"),
        Column("product", sort=True, choices=Product, link=True),
        Column("quantity", sort=True),
        Column("quantity_unit", pgettext_lazy("of a quantity", "unit")),
        Column("amount", sort=True),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Sale]:
        return selectors.sale_list()


class OutletListView(LedgerListView):
    """The outlets (消费帮扶专柜): where the months without sales (summary.quality) lead."""

    title = _("Outlets")
    filterset_class = OutletFilter
    default_sort = "name"
    columns = (
        Column("name", sort=True),
        Column("operator", sort=True),
        Column("address"),
        Column("responsible_body", key="body", sort=True),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Outlet]:
        return selectors.outlet_list()


class FundingDetailView(RecordDetailView):
    model = Funding
    list_url_name = "funding"
    fields = (
        "project",
        "source",
        "year",
        "amount",
        Field("disbursed", _("disbursed (yuan)"), kind="money"),
        Field("remaining", _("remaining (yuan)"), kind="money"),
        "document_number",
        "approved_on",
        Field("project.responsible_body", _("responsible body")),
        "notes",
    )

    def get_queryset(self) -> QuerySet[Funding]:
        return selectors.funding_list()


class DisbursementDetailView(RecordDetailView):
    model = Disbursement
    list_url_name = "disbursements"
    fields = (
        "project",
        "funding",
        "paid_on",
        "amount",
        "payee",
        "voucher_number",
        Field("project.responsible_body", _("responsible body")),
        "notes",
    )

    def get_queryset(self) -> QuerySet[Disbursement]:
        return selectors.disbursement_list().select_related("funding__project")


class IndicatorDetailView(RecordDetailView):
    model = Indicator
    list_url_name = "indicators"
    fields = (
        "project",
        "name",
        "unit",
        "baseline",
        "target",
        "actual",
        Field("completion", _("completion (%)"), kind="percent"),
        "as_of",
        "notes",
    )

    def get_queryset(self) -> QuerySet[Indicator]:
        return selectors.indicator_list()


class LeadDetailView(RecordDetailView):
    model = InvestmentLead
    list_url_name = "leads"
    fields = (
        "company",
        "city",
        "industry",
        "segment",
        "follower_body",
        "follower",
        Field("furthest_stage", _("furthest stage")),
        *(field for field, _label in STAGES),
        "registered_capital",
        "planned_investment",
        "notes",
    )

    def get_queryset(self) -> QuerySet[InvestmentLead]:
        return selectors.lead_list()


class SaleDetailView(RecordDetailView):
    model = Sale
    list_url_name = "sales"
    fields = (
        "outlet",
        Field("outlet.operator", _("operator")),
        "product",
        "period",
        "quantity",
        "quantity_unit",
        "amount",
        Field("outlet.responsible_body", _("responsible body")),
        "notes",
    )

    def get_queryset(self) -> QuerySet[Sale]:
        return selectors.sale_list().select_related("outlet__responsible_body__batch")


def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.project_page(pk)
    return render(request, "projects/project_detail.html", {"page": page, "project": page.project})
