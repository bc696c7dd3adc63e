"""The projects and money ledger: projects, their planned funds and disbursements, indicators,
investment leads and consumer-assistance sales.

Money is a `MoneyField` (Decimal yuan in Python, whole fen in the database): sums are exact on
SQLite and PostgreSQL. The rule that a funding line is never overdrawn spans rows, so it lives
in `projects.services.record_disbursements()`, which every entry path goes through.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aidledger.models import Body, BodyKind, Member
from evidence.fields import EvidenceRelation
from ledger import permissions
from ledger.constraints import end_not_before_start, one_of
from ledger.fields import MoneyField, money_sum, yuan
from ledger.history import LedgerHistory
from ledger.numbers import percent
from pairings.models import Unit, UnitKind, UnitSide

AMOUNT_POSITIVE = _("The amount must be greater than zero.")


def validate_positive(amount: Decimal | None) -> None:
    """The field-level twin of the `positive()` constraints: the message sits on the field."""
    if amount is not None and amount <= 0:
        raise ValidationError(AMOUNT_POSITIVE, code="not_positive")


def positive(field: str, *, name: str, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gt": 0})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition, name=name, violation_error_message=AMOUNT_POSITIVE
    )


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("agriculture")
    INDUSTRY = "industry", pgettext_lazy("sector", "industry")
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health")
    GOVERNANCE = "governance", _("rural governance")
    CONSUMER = "consumer", _("consumer assistance")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    OTHER = "other", pgettext_lazy("sector", "other")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    SUSPENDED = "suspended", _("suspended")


class Project(models.Model):
    """A funded piece of assistance work (帮扶项目)."""

    # The path to the body that keeps it, for the choices an editor may save (ledger.permissions).
    responsible_body_lookup = "responsible_body"

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_("For example NY-2023-01.")
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    responsible_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("responsible body"),
        limit_choices_to={"kind": BodyKind.WORKING_GROUP},
    )
    township = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("township"),
        limit_choices_to={"side": UnitSide.HELPED, "kind": UnitKind.TOWNSHIP},
    )
    implementing_unit = models.CharField(_("implementing unit"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    beneficiaries = models.TextField(_("beneficiaries"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            one_of("sector", Sector, name="project_sector_valid"),
            one_of("status", ProjectStatus, name="project_status_valid"),
            end_not_before_start(start="start_date", end="end_date", name="project_dates"),
        ]
        indexes = [
            # The project list's sector filter (agriculture, industry …).
            models.Index(fields=["sector", "code"], name="project_sector_idx"),
            # The project list's status filter, its count, and its default sort by code.
            models.Index(fields=["status", "code"], name="project_status_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("project-detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.responsible_body_id and self.responsible_body.kind != BodyKind.WORKING_GROUP:
            errors["responsible_body"] = _("The responsible body must be a working group.")
        if self.township_id:
            township = self.township
            if township.side != UnitSide.HELPED or township.kind != UnitKind.TOWNSHIP:
                errors["township"] = _("Choose a township of the helped side.")
            elif (
                self.responsible_body_id
                and township.programme_id != self.responsible_body.batch.programme_id
            ):
                errors["township"] = _("The township belongs to another programme.")
        if errors:
            raise ValidationError(errors)

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its responsible working group (ledger.permissions)."""
        return permissions.ids(self.responsible_body_id)


class FundingSource(models.TextChoices):
    MUNICIPAL = "municipal", _("municipal finance")
    DISTRICT = "district", _("districts and counties")
    DEPARTMENT = "department", _("departments")
    DONATION = "donation", _("social donations")
    ENTERPRISE = "enterprise", _("enterprise investment")
    FINANCING = "financing", _("financing")


class Funding(models.Model):
    """A planned amount (资金安排) for a project, from one source in one year."""

    # The path to the body that keeps it, for the choices an editor may save (ledger.permissions).
    responsible_body_lookup = "project__responsible_body"

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="fundings",
        verbose_name=_("project"),
        db_index=False,  # funding_project_amount leads with it
    )
    source = models.CharField(_("source"), max_length=20, choices=FundingSource.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = MoneyField(_("planned amount (yuan)"), validators=[validate_positive])
    document_number = models.CharField(_("approval document number"), max_length=100, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    # A project's history shows its funding lines and their payments.
    history = LedgerHistory(str_related=("project",), shown_in=("project",))

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["project_id", "year", "source", "pk"]
        constraints = [
            one_of("source", FundingSource, name="funding_source_valid"),
            positive("amount", name="funding_amount_positive"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="funding_year_plausible",
                violation_error_message=_("Enter a year between 2000 and 2100."),
            ),
        ]
        indexes = [
            # The funding list's year and source filters.
            models.Index(fields=["year", "source"], name="funding_year_source_idx"),
            # A project's lines, and the planned total of a filtered project list from the
            # index alone (replaces the foreign key's own index).
            models.Index(fields=["project"], include=["amount"], name="funding_project_amount"),
            # The summary asks whether any line is planned after its date (else the plans
            # are the projects' roll-ups).
            models.Index(fields=["approved_on"], name="funding_approved_on"),
        ]

    def __str__(self) -> str:
        # Querysets that list funding lines select_related("project").
        return (
            f"{self.project.code} · {self.year} · {self.get_source_display()} · {yuan(self.amount)}"
        )

    def get_absolute_url(self) -> str:
        return reverse("funding-detail", args=[self.pk])

    def clean(self) -> None:
        """A line already paid from keeps its project, and a plan that covers the payments."""
        super().clean()
        if not self.pk:
            return
        stored = Funding.objects.filter(pk=self.pk).values_list("project_id", flat=True).first()
        if stored != self.project_id and self.disbursements.exists():
            raise ValidationError(
                {
                    "project": _(
                        "Money has been disbursed from this line for its project; it cannot "
                        "move to another project."
                    )
                }
            )
        if self.amount is None:
            return
        disbursed = self.disbursements.aggregate(total=money_sum("amount"))["total"]
        if self.amount < disbursed:
            raise ValidationError(
                {
                    "amount": _(
                        "%(disbursed)s yuan has already been disbursed from this line; the "
                        "planned amount cannot be less."
                    )
                    % {"disbursed": yuan(disbursed)}
                }
            )

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its project's working group (ledger.permissions)."""
        project = permissions.related(self, "project")
        return permissions.ids(project.responsible_body_id) if project else frozenset()


class Disbursement(models.Model):
    """Money paid out (资金拨付) from one funding line of a project."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="disbursements",
        verbose_name=_("project"),
        db_index=False,  # disbursement_project_amount leads with it
    )
    funding = models.ForeignKey(
        Funding,
        on_delete=models.PROTECT,
        related_name="disbursements",
        verbose_name=_("funding line"),
    )
    paid_on = models.DateField(_("paid on"))
    amount = MoneyField(_("amount (yuan)"), validators=[validate_positive])
    payee = models.CharField(_("payee"), max_length=200)
    voucher_number = models.CharField(_("voucher number"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory(shown_in=("project",))

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["paid_on", "pk"]
        constraints = [positive("amount", name="disbursement_amount_positive")]
        indexes = [
            # The disbursements list's date range and default sort.
            models.Index(fields=["paid_on"], name="disbursement_paid_on_idx"),
            # A project's payments, and the disbursed total of a filtered project or
            # disbursement list from the index alone (replaces the foreign key's own index).
            models.Index(
                fields=["project"], include=["amount"], name="disbursement_project_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paid_on} · {self.payee} · {yuan(self.amount)}"

    def get_absolute_url(self) -> str:
        return reverse("disbursement-detail", args=[self.pk])

    def clean(self) -> None:
        """Same project as its funding line. Whether the line's plan still covers it depends
        on everything saved at once, so `services.record_disbursements()` checks that."""
        super().clean()
        if self.funding_id and self.project_id and self.funding.project_id != self.project_id:
            raise ValidationError({"funding": _("The funding line belongs to another project.")})

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its project's working group (ledger.permissions)."""
        project = permissions.related(self, "project")
        if project is None and self.funding_id is not None:
            project = self.funding.project  # a disbursement not yet given its project
        return permissions.ids(project.responsible_body_id) if project else frozenset()


class Indicator(models.Model):
    """A performance indicator (绩效指标): target against actual, in one unit of measure."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(
        _("unit of measure"), max_length=20, help_text=_("For example 头, 所, 万元, 人.")
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    actual = models.DecimalField(
        _("actual"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    as_of = models.DateField(_("as of"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["project_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="indicator_name_unique_per_project",
                violation_error_message=_("This project already has an indicator of this name."),
            ),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(as_of__isnull=False),
                name="indicator_actual_has_date",
                violation_error_message=_("Give the date the actual value was measured."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("indicator-detail", args=[self.pk])

    @property
    def completion(self) -> Decimal | None:
        """Actual as a percentage of target, one decimal; None when it cannot be said."""
        return percent(self.actual, self.target)

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its project's working group (ledger.permissions)."""
        project = permissions.related(self, "project")
        return permissions.ids(project.responsible_body_id) if project else frozenset()


class Industry(models.TextChoices):
    ENERGY_CHEMICAL = "energy_chemical", _("energy and chemicals")
    ADVANCED_MATERIALS = "advanced_materials", _("advanced materials")
    FOOD_BEVERAGE = "food_beverage", _("food and beverages")


class Segment(models.Model):
    """One of the segments (细分赛道) of the leading industries: a managed list."""

    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices)
    name = models.CharField(_("name"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists; smaller comes first.")
    )

    history = LedgerHistory()

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["position", "name"]
        constraints = [one_of("industry", Industry, name="segment_industry_valid")]

    def __str__(self) -> str:
        return self.name


# The funnel in order: (field, label of the stage). A lead may skip a stage (a firm may state
# its intent without a leaders' visit), but the dates of the stages it reached never go back.
STAGES = [
    ("visited_on", _("visited")),
    ("invited_on", _("invited to the helped place")),
    ("leader_visit_on", _("visited by leaders")),
    ("intent_on", _("intent to sign")),
    ("signed_on", _("signed")),
    ("registered_on", _("registered")),
]
STAGE_ORDER_MESSAGE = _("A stage's date cannot be before the date of an earlier stage.")


def stage_order(field: str, earlier: list[str]) -> models.CheckConstraint:
    condition = Q()
    for previous in earlier:
        condition &= (
            Q(**{f"{field}__isnull": True})
            | Q(**{f"{previous}__isnull": True})
            | Q(**{f"{field}__gte": F(previous)})
        )
    return models.CheckConstraint(
        condition=condition,
        name=f"lead_{field}_not_before_earlier_stages",
        violation_error_message=STAGE_ORDER_MESSAGE,
    )


class InvestmentLead(models.Model):
    """A company in the investment-promotion funnel (招商线索)."""

    company = models.CharField(_("company"), max_length=200)
    city = models.CharField(
        _("city met in"), max_length=50, blank=True, help_text=_("For example 深圳, 成都.")
    )
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("segment"),
    )
    follower_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("followed by body"),
    )
    follower = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("followed by member"),
    )
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    leader_visit_on = models.DateField(_("leaders visited on"), null=True, blank=True)
    intent_on = models.DateField(_("intent stated on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    registered_capital = MoneyField(
        _("registered capital (yuan)"), null=True, blank=True, validators=[validate_positive]
    )
    planned_investment = MoneyField(
        _("planned investment (yuan)"), null=True, blank=True, validators=[validate_positive]
    )
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory()

    class Meta:
        verbose_name = _("investment lead")
        verbose_name_plural = _("investment leads")
        ordering = ["company", "pk"]
        constraints = [
            one_of("industry", Industry, name="lead_industry_valid"),
            positive("registered_capital", name="lead_registered_capital_positive", nullable=True),
            positive("planned_investment", name="lead_planned_investment_positive", nullable=True),
            *(
                stage_order(field, [earlier for earlier, _label in STAGES[:index]])
                for index, (field, _label) in enumerate(STAGES)
                if index
            ),
        ]

    def __str__(self) -> str:
        return self.company

    def get_absolute_url(self) -> str:
        return reverse("lead-detail", args=[self.pk])

    @property
    def furthest_stage(self) -> str | None:
        """The label of the last stage reached."""
        reached = [label for field, label in STAGES if getattr(self, field)]
        return str(reached[-1]) if reached else None

    def clean(self) -> None:
        super().clean()
        errors = {}
        previous: tuple[str, datetime.date] | None = None
        for field, label in STAGES:
            date = getattr(self, field)
            if date is None:
                continue
            if previous and date < previous[1]:
                errors[field] = _(
                    "The date of “%(stage)s” (%(date)s) cannot be before the date of "
                    "“%(previous)s” (%(previous_date)s)."
                ) % {
                    "stage": label,
                    "date": date.isoformat(),
                    "previous": previous[0],
                    "previous_date": previous[1].isoformat(),
                }
            if not previous or date >= previous[1]:
                previous = (label, date)
        if self.segment_id and self.industry and self.segment.industry != self.industry:
            errors["segment"] = _("This segment belongs to another industry.")
        if (
            self.follower_id
            and self.follower_body_id
            and self.follower.batch_id != self.follower_body.batch_id
        ):
            errors["follower"] = _("The member belongs to another batch than the body.")
        if errors:
            raise ValidationError(errors)

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its following body, or by the bodies of the member following it."""
        if self.follower_body_id is not None:
            return permissions.ids(self.follower_body_id)
        return Member.body_ids(self.follower_id)


class Outlet(models.Model):
    """A store that sells the helped place's products (消费帮扶专柜)."""

    # The path to the body that keeps it, for the choices an editor may save (ledger.permissions).
    responsible_body_lookup = "responsible_body"

    # A new outlet turns up while entering a sale: editors may add one (ledger.permissions).
    editors_may_add = True

    name = models.CharField(_("name"), max_length=100, unique=True)
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    responsible_body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outlets",
        verbose_name=_("responsible body"),
        help_text=_("The working group that keeps this outlet's sales in the ledger."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = LedgerHistory()

    class Meta:
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def responsible_body_ids(self) -> frozenset[int]:
        """The group that keeps an outlet's sales looks after the outlet too."""
        return permissions.ids(self.responsible_body_id)


class Product(models.TextChoices):
    XIAOJIAOLOU = "xiaojiaolou", _("Xiaojiaolou liquor")
    JIANGKOUCHUN = "jiangkouchun", _("Jiangkouchun liquor")
    TEA = "tea", _("tea")
    SAUSAGE = "sausage", _("sausage")
    CURED_MEAT = "cured_meat", _("cured meat")
    OTHER = "other", pgettext_lazy("product", "other")


class Sale(models.Model):
    """One month's sales of one product at one outlet (消费帮扶销售)."""

    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="sales", verbose_name=_("outlet")
    )
    product = models.CharField(_("product"), max_length=20, choices=Product.choices)
    period = models.DateField(_("month"), help_text=_("The first day of the month."))
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    quantity_unit = models.CharField(
        _("unit of quantity"), max_length=10, blank=True, help_text=_("For example 瓶, 斤.")
    )
    amount = MoneyField(_("amount (yuan)"), validators=[validate_positive])
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory(str_related=("outlet",))

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["period", "outlet_id", "product"]
        constraints = [
            one_of("product", Product, name="sale_product_valid"),
            positive("amount", name="sale_amount_positive"),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="sale_period_first_of_month",
                violation_error_message=_("A month is recorded as its first day."),
            ),
            models.UniqueConstraint(
                fields=["outlet", "product", "period"],
                name="sale_unique_per_outlet_product_month",
                violation_error_message=_(
                    "This outlet already has sales of this product for this month."
                ),
            ),
        ]
        indexes = [
            # The sales list's month filter and default sort.
            models.Index(fields=["period"], name="sale_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet} · {self.get_product_display()} · {self.period:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("sale-detail", args=[self.pk])

    def responsible_body_ids(self) -> frozenset[int]:
        """Kept by its outlet's working group (ledger.permissions)."""
        outlet = permissions.related(self, "outlet")
        return permissions.ids(outlet.responsible_body_id) if outlet else frozenset()


# Roll-ups -------------------------------------------------------------------------------------
#
# Sums the pages and the summary read instead of re-aggregating up to millions of records,
# kept by database triggers in the same transaction as every write to the records (migration
# 0005_rollups; why triggers: README "Roll-ups"). Never written by the code except
# `projects.rollups.rebuild()`. The money columns are whole fen, as the records'.


class FundingRollup(models.Model):
    """What has been paid from one funding line: its payments and their sum."""

    funding = models.OneToOneField(
        Funding,
        on_delete=models.DO_NOTHING,  # the trigger deletes the row with its line
        primary_key=True,
        db_constraint=False,  # kept by triggers; a constraint would order their writes
        related_name="rollup",
    )
    payments = models.BigIntegerField(default=0)
    disbursed = MoneyField(default=Decimal("0.00"))

    class Meta:
        verbose_name = _("funding line roll-up")
        verbose_name_plural = _("funding line roll-ups")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.funding_id}: {self.payments} · {yuan(self.disbursed)}"


class ProjectRollup(models.Model):
    """A project's money: its funding lines and their plans, its payments and their sum."""

    project = models.OneToOneField(
        Project,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="rollup",
    )
    lines = models.BigIntegerField(default=0)
    planned = MoneyField(default=Decimal("0.00"))
    payments = models.BigIntegerField(default=0)
    disbursed = MoneyField(default=Decimal("0.00"))

    class Meta:
        verbose_name = _("project roll-up")
        verbose_name_plural = _("project roll-ups")
        default_permissions = ()
        indexes = [
            # The summary's largest plans (the projects list sorted by planned money).
            models.Index(fields=["-planned", "-project"], name="rollup_project_planned"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {yuan(self.planned)} · {yuan(self.disbursed)}"


class DisbursementRollup(models.Model):
    """Payments by month, funding source, project sector and project working group: the
    summary's money paid (by source, by sector, by month) and the disbursements list's totals
    over whole months."""

    month = models.DateField()
    source = models.CharField(max_length=20)
    sector = models.CharField(max_length=20)
    body_id = models.BigIntegerField()  # the project's responsible body (no constraint: a key)
    payments = models.BigIntegerField(default=0)
    amount = MoneyField(default=Decimal("0.00"))

    class Meta:
        verbose_name = _("disbursement roll-up")
        verbose_name_plural = _("disbursement roll-ups")
        default_permissions = ()
        constraints = [
            # The triggers' upsert target: one row per key.
            models.UniqueConstraint(
                fields=["month", "source", "sector", "body_id"], name="rollup_disbursement_key"
            ),
        ]
        indexes = [
            # The disbursements list's totals of one sector (from the index alone).
            models.Index(
                fields=["sector"], include=["payments", "amount"], name="rollup_disbursement_sector"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.source} · {self.sector} · {self.body_id}"
