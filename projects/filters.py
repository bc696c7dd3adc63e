"""FilterSets of the money ledger's lists."""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aidledger.filters import batch_filter, body_filter
from aidledger.models import Body
from evidence.filters import evidence_filter
from ledger.filters import (
    LinkedFilter,
    SearchFilter,
    choice_filter,
    date_filter,
    month_filter,
    range_ends,
)
from ledger.lookups import LookupFilter
from projects import selectors
from projects.models import (
    STAGES,
    Disbursement,
    DisbursementRollup,
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


class YearFilter(django_filters.NumberFilter):
    """A whole year: "2023.5" is an error, not cut down to 2023."""

    field_class = forms.IntegerField


def _projects() -> QuerySet[Project]:
    return Project.objects.order_by("code")


class ProjectScopedFilter(django_filters.FilterSet):
    """Filters on the project a row belongs to, through `prefix_path` ("" for projects)."""

    prefix_path = "project__"

    sector = choice_filter(_("sector"), Sector.choices, method="filter_project")
    status = choice_filter(_("status"), ProjectStatus.choices, method="filter_project")
    body = body_filter(_("responsible body"), method="filter_project", working_groups=True)
    batch = batch_filter(method="filter_project")
    township = LookupFilter(
        lookup="township",
        label=_("township"),
        method="filter_project",
    )

    LOOKUPS = {
        "sector": "sector",
        "status": "status",
        "body": "responsible_body",
        "batch": "responsible_body__batch",
        "township": "township",
        "project": "pk",
    }

    def filter_project(self, queryset: QuerySet, name: str, value) -> QuerySet:
        value = getattr(value, "pk", value)  # a chosen project, body or unit: by its key
        return queryset.filter(**{f"{self.prefix_path}{self.LOOKUPS[name]}": value})


class ProjectFilter(ProjectScopedFilter):
    prefix_path = ""
    q = SearchFilter(
        placeholder=_("code, name or implementing unit"),
        fields=("code", "name", "implementing_unit", "description"),
    )
    started_by = date_filter(_("started by"), method="filter_started_by")
    # The data-quality rule (summary.quality): money planned, not all paid, and nothing paid
    # from one date to the other (without the second: to this day).
    no_disbursement_since = date_filter(_("nothing disbursed from"), method="filter_not_disbursed")
    no_disbursement_until = date_filter(_("nothing disbursed until"), method="filter_not_disbursed")

    class Meta:
        model = Project
        fields = [
            "q",
            "sector",
            "status",
            "body",
            "batch",
            "township",
            "started_by",
            "no_disbursement_since",
            "no_disbursement_until",
        ]

    def filter_started_by(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(selectors.project_started_by(value))

    def filter_not_disbursed(self, queryset: QuerySet, name: str, value) -> QuerySet:
        ends = range_ends(self, name, "no_disbursement_since", "no_disbursement_until")
        if ends is None:
            return queryset
        since, until = ends
        return selectors.not_disbursed_since(queryset, since=since, until=until)


class FundingFilter(ProjectScopedFilter):
    q = SearchFilter(
        placeholder=_("project, document number"),
        fields=("project__code", "project__name", "document_number", "notes"),
    )
    project = LinkedFilter(label=_("project"), queryset=_projects(), method="filter_project")
    source = choice_filter(_("source"), FundingSource.choices)
    year = YearFilter(label=_("year"), field_name="year")
    planned_by = date_filter(_("planned by"), method="filter_planned_by")

    class Meta:
        model = Funding
        fields = [
            "q",
            "project",
            "source",
            "year",
            "planned_by",
            "sector",
            "status",
            "body",
            "batch",
            "township",
        ]

    def filter_planned_by(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(selectors.planned_by(value))


PROJECT_SCOPE = ("project", "sector", "status", "body", "batch", "township")


def first_of_month(day: datetime.date) -> bool:
    return day.day == 1


def last_of_month(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


class DisbursementFilter(ProjectScopedFilter):
    q = SearchFilter(
        placeholder=_("project, payee or voucher"),
        fields=("project__code", "project__name", "payee", "voucher_number", "notes"),
    )
    project = LinkedFilter(label=_("project"), queryset=_projects(), method="filter_project")
    source = choice_filter(_("source"), FundingSource.choices, field_name="funding__source")
    paid_from = date_filter(_("paid from"), field_name="paid_on", lookup_expr="gte")
    paid_to = date_filter(_("paid until"), field_name="paid_on", lookup_expr="lte")
    evidence = evidence_filter()

    class Meta:
        model = Disbursement
        fields = [
            "q",
            "project",
            "source",
            "paid_from",
            "paid_to",
            "evidence",
            "sector",
            "body",
            "batch",
            "township",
        ]

    def rollup_totals(self) -> tuple[int, Decimal] | None:
        """(count, sum) of the filtered payments from the roll-ups, or None when the filters
        need the payments themselves (README "Roll-ups": which filters are fast).

        - a source, sector, working group and batch at most, and dates (if any) that start
          and end on whole months: the month roll-ups (a few rows per month);
        - no dates, with a project or township: the filtered projects' roll-ups, or with a
          source the filtered funding lines';
        - free text, or a date inside a month: None (the list counts the payments).
        """
        cleaned = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
        # Free text, evidence and any filter not on the payment's date, source or project
        # need the payments themselves.
        if set(cleaned) - {"paid_from", "paid_to", "source", *PROJECT_SCOPE}:
            return None
        scope = {
            self.LOOKUPS[name]: getattr(cleaned[name], "pk", cleaned[name])
            for name in PROJECT_SCOPE
            if name in cleaned
        }
        start, end = cleaned.get("paid_from"), cleaned.get("paid_to")
        by_month = not set(cleaned) - {"paid_from", "paid_to", "source", "sector", "body", "batch"}
        if start is None and end is None and not by_month:
            if "source" in cleaned:
                fundings = Funding.objects.filter(
                    source=cleaned["source"], **{f"project__{k}": v for k, v in scope.items()}
                )
                return selectors.payments_totals(fundings=fundings)
            return selectors.payments_totals(projects=Project.objects.filter(**scope))
        whole_months = (start is None or first_of_month(start)) and (
            end is None or last_of_month(end)
        )
        if not whole_months or not by_month:
            return None
        rollups = DisbursementRollup.objects.all()
        if start is not None:
            rollups = rollups.filter(month__gte=start)
        if end is not None:
            rollups = rollups.filter(month__lte=end)
        if "source" in cleaned:
            rollups = rollups.filter(source=cleaned["source"])
        if "sector" in cleaned:
            rollups = rollups.filter(sector=cleaned["sector"])
        if "body" in cleaned:
            rollups = rollups.filter(body_id=cleaned["body"].pk)
        if "batch" in cleaned:
            bodies = Body.objects.filter(batch=cleaned["batch"]).values("pk")
            rollups = rollups.filter(body_id__in=bodies)
        return selectors.paid_by_month(rollups)


class IndicatorFilter(ProjectScopedFilter):
    q = SearchFilter(
        placeholder=_("indicator or project"), fields=("name", "project__code", "project__name")
    )
    project = LinkedFilter(label=_("project"), queryset=_projects(), method="filter_project")
    measured_by = date_filter(_("measured by"), field_name="as_of", lookup_expr="lte")
    # The data-quality rule (summary.quality): indicators of projects under way in those days
    # without an actual measured within them.
    no_actual_from = date_filter(_("no actual from"), method="filter_without_actual")
    no_actual_to = date_filter(_("no actual until"), method="filter_without_actual")

    class Meta:
        model = Indicator
        fields = [
            "q",
            "project",
            "sector",
            "body",
            "batch",
            "measured_by",
            "no_actual_from",
            "no_actual_to",
        ]

    def filter_without_actual(self, queryset: QuerySet, name: str, value) -> QuerySet:
        ends = range_ends(self, name, "no_actual_from", "no_actual_to")
        if ends is None:
            return queryset
        start, end = ends
        return selectors.without_actual(queryset, start=start, end=end)


class LeadFilter(django_filters.FilterSet):
    q = SearchFilter(placeholder=_("company or notes"), fields=("company", "notes"))
    stage = choice_filter(
        _("reached stage"), [(field, label) for field, label in STAGES], method="filter_stage"
    )
    industry = choice_filter(_("industry"), Industry.choices)
    segment = LookupFilter(lookup="segment", label=_("segment"))
    city = choice_filter(_("city met in"), lambda: [(c, c) for c in selectors.cities()])
    reached_by = date_filter(_("reached by"), method="filter_reached_by")
    body = body_filter(_("followed by body"), "follower_body")
    batch = batch_filter("follower_body__batch")

    class Meta:
        model = InvestmentLead
        fields = ["q", "stage", "reached_by", "industry", "segment", "city", "body", "batch"]

    def filter_stage(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if self.form.cleaned_data.get("reached_by"):
            return queryset  # filter_reached_by applies the stage and its date together
        return queryset.filter(**{f"{value}__isnull": False})

    def filter_reached_by(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """Leads that reached the chosen stage (any stage, without one) on or before the date."""
        if stage := self.form.cleaned_data.get("stage"):
            return queryset.filter(selectors.reached_by(stage, value))
        reached_any = Q()
        for field, _label in STAGES:
            reached_any |= selectors.reached_by(field, value)
        return queryset.filter(reached_any)


class SaleFilter(django_filters.FilterSet):
    outlet = LookupFilter(lookup="outlet", label=_("outlet"))
    product = choice_filter(_("product"), Product.choices)
    period_from = month_filter(_("from month"), field_name="period", lookup_expr="gte")
    period_to = month_filter(_("until month"), field_name="period", lookup_expr="lte")

    body = body_filter(_("responsible body"), "outlet__responsible_body")
    batch = batch_filter("outlet__responsible_body__batch")

    class Meta:
        model = Sale
        fields = ["outlet", "product", "period_from", "period_to", "body", "batch"]


class OutletFilter(django_filters.FilterSet):
    q = SearchFilter(
        placeholder=_("name, operator or address"), fields=("name", "operator", "address")
    )
    body = body_filter(_("responsible body"), "responsible_body")
    batch = batch_filter("responsible_body__batch")
    # The data-quality rule (summary.quality): outlets selling by then that have a month in
    # this range without a sale row. One month alone stands for both ends.
    sales_missing_from = month_filter(_("months without sales from"), method="filter_missing_sales")
    sales_missing_to = month_filter(_("months without sales until"), method="filter_missing_sales")

    class Meta:
        model = Outlet
        fields = ["q", "body", "batch", "sales_missing_from", "sales_missing_to"]

    def filter_missing_sales(self, queryset: QuerySet, name: str, value) -> QuerySet:
        ends = range_ends(self, name, "sales_missing_from", "sales_missing_to")
        if ends is None:
            return queryset
        first, last = ends
        return selectors.missing_sales(queryset, first=first or last, last=last or first)
