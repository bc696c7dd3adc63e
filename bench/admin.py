"""The baseline of the list pages: the Django admin at its best, on its own AdminSite.

Each ModelAdmin shows the same columns as the ledger's list, filters the same way, pages the
same 100 rows in the same default order, and takes the settings a careful developer would
(LIBRARY-NOTES "Admin on big tables"): no unfiltered COUNT(*) (`show_full_result_count`),
related rows joined (`list_select_related`), to-many data prefetched, the list's own selector
for annotated columns. Nothing here is registered on the product's admin.
"""

from django.contrib import admin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from pairings import selectors as pairing_selectors
from pairings.models import Exchange, Pairing
from pairings.views import ExchangeListView, PairingListView
from projects import selectors as project_selectors
from projects.filters import LeadFilter
from projects.models import STAGES, Disbursement, InvestmentLead, Project
from projects.views import DisbursementListView, LeadListView, ProjectListView

PAGE_ROWS = 100  # the bench's list pages ask for ?per_page=100

site = admin.AdminSite(name="bench_admin")


def label(view, key: str):
    """A column's heading on the ledger's list: the admin's twin column carries the same."""
    return next(column.label for column in view.columns if column.key == key)


class TunedAdmin(admin.ModelAdmin):
    list_per_page = PAGE_ROWS
    show_full_result_count = False
    actions = None  # the ledger's lists have no bulk actions either


@admin.register(Exchange, site=site)
class ExchangeAdmin(TunedAdmin):
    list_display = [
        "date",
        "title",
        "kind",
        "pairing_names",
        "place",
        "participants",
        "lead_body_name",
        "batch_name",
        "new_techniques",
        "outcome",
        "notes",
    ]
    list_filter = ["lead_body__batch", "date"]
    list_select_related = ["lead_body__batch"]
    ordering = ["-date", "-pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exchange]:
        pairings = Pairing.objects.select_related("helper", "helped")
        return super().get_queryset(request).prefetch_related(Prefetch("pairings", pairings))

    @admin.display(description=label(ExchangeListView, "pairings"))
    def pairing_names(self, exchange: Exchange) -> str:
        return "; ".join(str(pairing) for pairing in exchange.pairings.all())

    @admin.display(description=label(ExchangeListView, "lead_body"))
    def lead_body_name(self, exchange: Exchange) -> str:
        return exchange.lead_body.name

    @admin.display(description=label(ExchangeListView, "batch"))
    def batch_name(self, exchange: Exchange) -> str:
        return exchange.lead_body.batch.name


@admin.register(Disbursement, site=site)
class DisbursementAdmin(TunedAdmin):
    list_display = [
        "paid_on",
        "project_code",
        "project_name",
        "source",
        "year",
        "amount",
        "payee",
        "voucher_number",
        "body",
        "notes",
    ]
    list_filter = ["project__sector"]
    list_select_related = ["project__responsible_body__batch", "funding"]
    ordering = ["-paid_on", "-pk"]

    @admin.display(description=label(DisbursementListView, "project_code"))
    def project_code(self, disbursement: Disbursement) -> str:
        return disbursement.project.code

    @admin.display(description=label(DisbursementListView, "project"))
    def project_name(self, disbursement: Disbursement) -> str:
        return disbursement.project.name

    @admin.display(description=label(DisbursementListView, "source"))
    def source(self, disbursement: Disbursement) -> str:
        return disbursement.funding.get_source_display()

    @admin.display(description=label(DisbursementListView, "year"))
    def year(self, disbursement: Disbursement) -> int:
        return disbursement.funding.year

    @admin.display(description=label(DisbursementListView, "body"))
    def body(self, disbursement: Disbursement) -> str:
        return str(disbursement.project.responsible_body)


@admin.register(Project, site=site)
class ProjectAdmin(TunedAdmin):
    list_display = [
        "code",
        "name",
        "sector",
        "status",
        "responsible_body",
        "township_name",
        "implementing_unit",
        "start_date",
        "end_date",
        "planned",
        "disbursed",
        "remaining",
        "rate",
    ]
    list_filter = ["status"]
    list_select_related = ["responsible_body__batch", "township"]
    ordering = ["code"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return project_selectors.project_list()  # planned, disbursed, remaining per project

    @admin.display(description=label(ProjectListView, "township"))
    def township_name(self, project: Project) -> str:
        return project.township.name if project.township else ""

    @admin.display(description=label(ProjectListView, "planned"))
    def planned(self, project: Project):
        return project.planned

    @admin.display(description=label(ProjectListView, "disbursed"))
    def disbursed(self, project: Project):
        return project.disbursed

    @admin.display(description=label(ProjectListView, "remaining"))
    def remaining(self, project: Project):
        return project.remaining

    @admin.display(description=label(ProjectListView, "rate"))
    def rate(self, project: Project):
        return project_selectors.execution_rate(project.planned, project.disbursed)


@admin.register(Pairing, site=site)
class PairingAdmin(TunedAdmin):
    list_display = [
        "helper_name",
        "helped_name",
        "category",
        "signed_on",
        "agreement",
        "body_name",
        "batch_name",
        "status",
        "ended_on",
        "exchange_count",
        "notes",
    ]
    list_filter = ["category"]
    list_select_related = ["helper", "helped", "responsible_body__batch"]
    ordering = ["category", "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pairing]:
        return pairing_selectors.pairing_list()  # with exchange_count

    @admin.display(description=label(PairingListView, "helper"))
    def helper_name(self, pairing: Pairing) -> str:
        return pairing.helper.name

    @admin.display(description=label(PairingListView, "helped"))
    def helped_name(self, pairing: Pairing) -> str:
        return pairing.helped.name

    @admin.display(description=label(PairingListView, "body"))
    def body_name(self, pairing: Pairing) -> str:
        return pairing.responsible_body.name

    @admin.display(description=label(PairingListView, "batch"))
    def batch_name(self, pairing: Pairing) -> str:
        return pairing.responsible_body.batch.name

    @admin.display(description=label(PairingListView, "exchanges"))
    def exchange_count(self, pairing: Pairing) -> int:
        return pairing.exchange_count


class ReachedStageFilter(admin.SimpleListFilter):
    """The leads list's "reached stage": the stage's date is set."""

    title = LeadFilter.base_filters["stage"].label
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return STAGES

    def queryset(self, request, queryset):
        if self.value() in dict(STAGES):
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


@admin.register(InvestmentLead, site=site)
class LeadAdmin(TunedAdmin):
    list_display = [
        "company",
        "city",
        "industry",
        "segment_name",
        "furthest_stage",
        *(field for field, _label in STAGES),
        "registered_capital",
        "planned_investment",
        "follower_body",
        "follower_name",
        "notes",
    ]
    list_filter = [ReachedStageFilter]
    list_select_related = ["segment", "follower_body__batch", "follower"]
    ordering = ["company", "pk"]

    @admin.display(description=label(LeadListView, "segment"))
    def segment_name(self, lead: InvestmentLead) -> str:
        return lead.segment.name if lead.segment else ""

    @admin.display(description=label(LeadListView, "follower"))
    def follower_name(self, lead: InvestmentLead) -> str:
        return lead.follower.name if lead.follower else ""
