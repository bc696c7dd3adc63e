"""The money ledger in the admin. Disbursements are saved through
`services.record_disbursements()` so the over-plan check runs with the funding lines locked."""

from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aidledger.admin import BodyChoicesMixin, BodyListFilter
from ledger.admin import CarryOverMixin, CompactInline, LedgerAdmin
from ledger.fields import money_sum
from ledger.listing import display
from projects import selectors, services
from projects.models import (
    Disbursement,
    Funding,
    Indicator,
    InvestmentLead,
    Outlet,
    Project,
    Sale,
    Segment,
)


def money_text(value: Decimal | None) -> str:
    return display(value, "money")


def money_column(field: str, description) -> Callable:
    """A changelist column showing a money field with thousands separators, like the sums
    beside it (the admin shows a non-DecimalField value bare: 6000000.00)."""

    @admin.display(description=description, ordering=field)
    def column(model_admin: admin.ModelAdmin, obj) -> str:
        return money_text(getattr(obj, field))

    return column


# Disbursements: the lock and the check -----------------------------------------------------------


class DisbursementForm(forms.ModelForm):
    """One disbursement (the disbursement admin): the project is the chosen funding line's, so
    the clerk picks one line rather than a project and a line that must agree. Locks the line,
    then checks that its plan covers this payment with the line's other payments.

    The admin runs the whole change form (validation and save) in one transaction, so the lock
    taken here is held until the disbursement is saved and committed: a second clerk's form
    waits here, then sees the first one's disbursement in its sum.
    """

    class Meta:
        model = Disbursement
        fields = ["funding", "paid_on", "amount", "payee", "voucher_number", "notes"]

    def clean(self) -> dict:
        data = super().clean()
        funding, amount = data.get("funding"), data.get("amount")
        if funding:
            self.instance.project_id = funding.project_id
        if funding and amount is not None and amount > 0:
            services.lock_fundings([funding.pk])
            candidate = Disbursement(pk=self.instance.pk, funding=funding, amount=amount)
            for error in services.overdraw_errors(saving=[candidate]).values():
                self.add_error("amount", error)
        return data


class DisbursementFormSet(BaseInlineFormSet):
    """The disbursements on a project's page, checked together against their lines' plans as
    the ledger will be after the save: rows deleted, moved to another line or added in the
    same save all count, and so do plans changed in the funding lines above
    (`funding_formset`, set by ProjectAdmin)."""

    funding_formset: BaseInlineFormSet | None = None

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # the rows' own errors first; the sums once every row reads
        saving, deleting = [], []
        for form in self.forms:
            if form.cleaned_data.get("DELETE"):
                if form.instance.pk:
                    deleting.append(form.instance)
            elif form.has_changed():  # unchanged rows count as stored
                saving.append(form)
        deleted_lines = self.deleted_lines()
        for form in saving:
            if form.instance.funding_id in deleted_lines:
                form.add_error("funding", _("This funding line is being deleted in this save."))
        if any(self.errors):
            return
        services.lock_fundings(form.instance.funding_id for form in saving)
        errors = services.overdraw_errors(
            saving=[form.instance for form in saving],
            deleting=deleting,
            planned=self.new_plans(),
        )
        for funding_id, error in errors.items():
            # The message goes on the line's last row: the one the clerk just typed, usually.
            forms_of_line = [f for f in saving if f.instance.funding_id == funding_id]
            forms_of_line[-1].add_error("amount", error)

    def deleted_lines(self) -> set[int]:
        """This project's lines ticked for deletion in the same save."""
        fundings = self.funding_formset
        if fundings is None or not fundings.is_valid():
            return set()
        return {form.instance.pk for form in fundings.deleted_forms if form.instance.pk}

    def new_plans(self) -> dict[int, Decimal]:
        """Planned amounts of this project's lines as typed in the same save."""
        fundings = self.funding_formset
        if fundings is None or not fundings.is_valid():
            return {}  # that formset's errors stop the save anyway
        return {
            form.instance.pk: form.cleaned_data["amount"]
            for form in fundings.initial_forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }


class FundingForm(forms.ModelForm):
    """Locks a stored funding line before its model's clean() compares the new plan with what
    was paid: a clerk lowering the plan and another paying from the line cannot both pass."""

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk:
            services.lock_fundings([self.instance.pk])
        return data


def _project_being_edited(request: HttpRequest) -> str | None:
    match = request.resolver_match
    return match.kwargs.get("object_id") if match else None


class FundingInline(CompactInline):
    model = Funding
    form = FundingForm
    fields = [
        "source",
        "year",
        "amount",
        "disbursed",
        "remaining",
        "document_number",
        "approved_on",
        "notes",
    ]
    readonly_fields = ["disbursed", "remaining"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Funding]:
        return selectors.funding_list()

    @admin.display(description=_("disbursed (yuan)"))
    def disbursed(self, funding: Funding) -> str:
        return money_text(getattr(funding, "disbursed", None))

    @admin.display(description=_("remaining (yuan)"))
    def remaining(self, funding: Funding) -> str:
        return money_text(getattr(funding, "remaining", None))


class DisbursementInline(CompactInline):
    model = Disbursement
    formset = DisbursementFormSet
    fields = ["funding", "paid_on", "amount", "payee", "voucher_number", "notes"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Disbursement]:
        return super().get_queryset(request).select_related("funding__project")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "funding":
            # Only this project's funding lines (none yet while the project is being added).
            kwargs["queryset"] = Funding.objects.filter(
                project_id=_project_being_edited(request)
            ).select_related("project")
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            # Every row's <select> offers the same lines: read them once, not once per row.
            field.choices = list(field.choices)
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class IndicatorInline(CompactInline):
    model = Indicator
    fields = ["name", "unit", "baseline", "target", "actual", "as_of", "notes"]
    extra = 0


@admin.register(Project)
class ProjectAdmin(BodyChoicesMixin, LedgerAdmin):
    list_display = [
        "code",
        "name",
        "sector",
        "status",
        "responsible_body",
        "township",
        "planned_yuan",
        "disbursed_yuan",
        "remaining_yuan",
    ]
    # No township filter: a province has thousands, listed on every page; search finds one.
    list_filter = ["sector", "status", ("responsible_body", BodyListFilter)]
    list_select_related = ["responsible_body__batch", "township"]
    search_fields = ["code", "name", "implementing_unit", "township__name"]
    autocomplete_fields = ["responsible_body", "township"]
    readonly_fields = ["money_summary"]
    fieldsets = [
        (None, {"fields": ["code", "name", "sector", "status", "responsible_body", "township"]}),
        (None, {"fields": ["implementing_unit", "start_date", "end_date"]}),
        (None, {"fields": ["description", "beneficiaries", "notes"]}),
        (_("Funds"), {"fields": ["money_summary"]}),
    ]
    inlines = [FundingInline, DisbursementInline, IndicatorInline]

    planned_yuan = money_column("planned", _("planned (yuan)"))
    disbursed_yuan = money_column("disbursed", _("disbursed (yuan)"))
    remaining_yuan = money_column("remaining", _("remaining (yuan)"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return selectors.with_money(super().get_queryset(request))

    @admin.display(description=_("planned / disbursed / remaining"))
    def money_summary(self, project: Project) -> str:
        if not project.pk:
            return "—"
        rate = selectors.execution_rate(project.planned, project.disbursed)
        return _(
            "planned %(planned)s yuan, disbursed %(disbursed)s yuan, remaining %(remaining)s "
            "yuan; execution rate %(rate)s%%"
        ) % {
            "planned": money_text(project.planned),
            "disbursed": money_text(project.disbursed),
            "remaining": money_text(project.remaining),
            "rate": "—" if rate is None else rate,
        }

    def _create_formsets(self, request, obj, change):
        # The disbursements are checked against the plans typed in the same save; the admin
        # has no public hook that sees all of a page's formsets before they are validated.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        fundings = next((f for f in formsets if f.model is Funding), None)
        for formset in formsets:
            if isinstance(formset, DisbursementFormSet):
                formset.funding_formset = fundings
        return formsets, inline_instances

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Disbursement:
            super().save_formset(request, form, formset, change)
            return
        # The funding lines (the inline above) are saved first, with their new plans.
        instances = formset.save(commit=False)
        services.record_disbursements(saving=instances, deleting=formset.deleted_objects)


@admin.register(Funding)
class FundingAdmin(CarryOverMixin, LedgerAdmin):
    carry_over = ("project", "source", "year")
    form = FundingForm
    list_display = [
        "project",
        "source",
        "year",
        "amount_yuan",
        "disbursed_yuan",
        "remaining_yuan",
        "document_number",
        "approved_on",
    ]
    list_filter = ["source", "year", "project__sector"]
    list_select_related = ["project"]
    search_fields = ["project__code", "project__name", "document_number"]
    autocomplete_fields = ["project"]
    date_hierarchy = "approved_on"

    amount_yuan = money_column("amount", _("planned amount (yuan)"))
    disbursed_yuan = money_column("disbursed", _("disbursed (yuan)"))
    remaining_yuan = money_column("remaining", _("remaining (yuan)"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Funding]:
        # Also the autocomplete's queryset: a line's label names its project.
        return selectors.funding_list()


@admin.register(Disbursement)
class DisbursementAdmin(CarryOverMixin, LedgerAdmin):
    carry_over = ("funding", "paid_on", "payee")
    form = DisbursementForm
    list_display = ["paid_on", "project", "funding", "amount_yuan", "payee", "voucher_number"]
    list_filter = ["funding__source", "project__sector", "paid_on"]
    list_select_related = ["project", "funding__project"]
    search_fields = ["project__code", "project__name", "payee", "voucher_number"]
    fields = ["funding", "project", "paid_on", "amount", "payee", "voucher_number", "notes"]
    autocomplete_fields = ["funding"]
    readonly_fields = ["project"]
    date_hierarchy = "paid_on"
    amount_yuan = money_column("amount", _("amount (yuan)"))

    def save_model(self, request, obj: Disbursement, form, change) -> None:
        services.record_disbursement(obj)


@admin.register(Indicator)
class IndicatorAdmin(CarryOverMixin, LedgerAdmin):
    carry_over = ("project", "as_of")
    list_display = ["name", "project", "unit", "baseline", "target", "actual", "as_of"]
    list_filter = ["project__sector"]
    list_select_related = ["project"]
    search_fields = ["name", "project__code", "project__name"]
    autocomplete_fields = ["project"]
    date_hierarchy = "as_of"


@admin.register(Segment)
class SegmentAdmin(LedgerAdmin):
    list_display = ["name", "industry", "position"]
    list_filter = ["industry"]
    search_fields = ["name"]


@admin.register(InvestmentLead)
class InvestmentLeadAdmin(BodyChoicesMixin, LedgerAdmin):
    list_display = [
        "company",
        "city",
        "industry",
        "segment",
        "visited_on",
        "invited_on",
        "leader_visit_on",
        "intent_on",
        "signed_on",
        "registered_on",
        "registered_capital_yuan",
    ]
    list_filter = ["industry", "segment", "city"]
    list_select_related = ["segment"]
    search_fields = ["company", "city", "notes"]
    registered_capital_yuan = money_column("registered_capital", _("registered capital (yuan)"))
    autocomplete_fields = ["segment", "follower_body", "follower"]
    fieldsets = [
        (None, {"fields": ["company", "city", "industry", "segment"]}),
        (_("Followed by"), {"fields": ["follower_body", "follower"]}),
        (
            _("Funnel"),
            {
                "fields": [
                    "visited_on",
                    "invited_on",
                    "leader_visit_on",
                    "intent_on",
                    "signed_on",
                    "registered_on",
                ]
            },
        ),
        (None, {"fields": ["registered_capital", "planned_investment", "notes"]}),
    ]


@admin.register(Outlet)
class OutletAdmin(BodyChoicesMixin, LedgerAdmin):
    list_display = ["name", "operator", "address", "responsible_body", "total_sales"]
    list_select_related = ["responsible_body__batch"]
    search_fields = ["name", "operator"]
    total_sales = money_column("total", _("sales (yuan)"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outlet]:
        return super().get_queryset(request).annotate(total=money_sum("sales__amount"))


@admin.register(Sale)
class SaleAdmin(CarryOverMixin, LedgerAdmin):
    carry_over = ("outlet", "period")
    list_display = ["period", "outlet", "product", "quantity", "quantity_unit", "amount_yuan"]
    # No outlet filter: outlets can run to thousands, listed on every page; search finds one.
    list_filter = ["product", "period"]
    list_select_related = ["outlet"]
    search_fields = ["outlet__name", "notes"]
    autocomplete_fields = ["outlet"]
    date_hierarchy = "period"
    amount_yuan = money_column("amount", _("amount (yuan)"))
