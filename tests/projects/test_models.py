"""The money ledger's rules: database constraints, and clean() messages a person reads."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory

from aidledger.models import BodyKind
from ledger.constraints import END_NOT_BEFORE_START
from pairings.models import UnitKind, UnitSide
from projects.models import (
    AMOUNT_POSITIVE,
    STAGE_ORDER_MESSAGE,
    STAGES,
    Disbursement,
    Funding,
    Indicator,
    Industry,
    Project,
    Sale,
)
from tests.factories import (
    BodyFactory,
    DisbursementFactory,
    FundingFactory,
    IndicatorFactory,
    InvestmentLeadFactory,
    ProjectFactory,
    SaleFactory,
    SegmentFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def refused_by_database(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


# Amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-0.01"), Decimal("-100.00")])
def test_zero_or_negative_amounts_are_refused_with_a_message(amount):
    funding = FundingFactory.build(amount=amount, project=ProjectFactory())
    with pytest.raises(ValidationError) as error:
        funding.full_clean()
    assert str(AMOUNT_POSITIVE) in messages(error.value)
    refused_by_database(lambda: FundingFactory(amount=amount))
    refused_by_database(lambda: DisbursementFactory(amount=amount))
    refused_by_database(lambda: SaleFactory(amount=amount))
    refused_by_database(lambda: InvestmentLeadFactory(registered_capital=amount))


def test_more_than_two_decimals_is_refused_by_the_form_and_nothing_is_saved():
    project = ProjectFactory()
    Form = modelform_factory(Funding, fields=["project", "source", "year", "amount"])
    form = Form({"project": project.pk, "source": "municipal", "year": 2024, "amount": "1.005"})
    assert not form.is_valid()
    assert "amount" in form.errors
    assert Funding.objects.count() == 0


def test_funding_year_must_be_plausible():
    refused_by_database(lambda: FundingFactory(year=1900))


# Projects ----------------------------------------------------------------------------------


def test_project_end_before_start_is_refused():
    project = ProjectFactory.build(
        responsible_body=BodyFactory(),
        start_date=D(2024, 5, 1),
        end_date=D(2024, 4, 30),
    )
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert str(END_NOT_BEFORE_START) in messages(error.value)
    refused_by_database(lambda: ProjectFactory(start_date=D(2024, 5, 1), end_date=D(2024, 4, 30)))


def test_invalid_sector_or_status_is_refused_by_the_database():
    refused_by_database(lambda: ProjectFactory(sector="fishing"))
    refused_by_database(lambda: ProjectFactory(status="dreaming"))


def test_project_township_must_be_a_helped_side_township_of_the_same_programme():
    body = BodyFactory()
    helper = UnitFactory(programme=body.batch.programme, side=UnitSide.HELPER)
    project = ProjectFactory.build(responsible_body=body, township=helper)
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "township" in error.value.message_dict
    other = UnitFactory(side=UnitSide.HELPED, kind=UnitKind.TOWNSHIP)
    project.township = other
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "township" in error.value.message_dict
    project.township = UnitFactory(
        programme=body.batch.programme, side=UnitSide.HELPED, kind=UnitKind.TOWNSHIP
    )
    project.full_clean()


def test_responsible_body_must_be_a_working_group():
    body = BodyFactory(kind=BodyKind.COMMAND_POST)
    project = ProjectFactory.build(responsible_body=body)
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "responsible_body" in error.value.message_dict


def test_funding_plan_cannot_drop_below_what_was_disbursed():
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("60.00"))
    funding.amount = Decimal("59.99")
    with pytest.raises(ValidationError) as error:
        funding.full_clean()
    assert "60.00" in error.value.message_dict["amount"][0]
    funding.amount = Decimal("60.00")
    funding.full_clean()


def test_disbursement_counts_against_its_own_project_only():
    funding = FundingFactory()
    disbursement = Disbursement(
        project=ProjectFactory(),
        funding=funding,
        paid_on=D(2024, 1, 1),
        amount=Decimal("1.00"),
        payee="甲",
    )
    with pytest.raises(ValidationError) as error:
        disbursement.full_clean()
    assert "funding" in error.value.message_dict


def test_deleting_a_funded_project_is_refused():
    funding = FundingFactory()
    DisbursementFactory(funding=funding)
    with pytest.raises(Exception, match="protected"):
        funding.project.delete()
    assert Project.objects.count() == 1


# Indicators --------------------------------------------------------------------------------


def test_indicator_actual_that_is_not_a_number_is_refused():
    indicator = IndicatorFactory()
    Form = modelform_factory(Indicator, fields=["name", "unit", "target", "actual", "as_of"])
    form = Form(
        {"name": "存栏", "unit": "头", "target": "100", "actual": "N/A", "as_of": "2024-10-09"},
        instance=indicator,
    )
    assert not form.is_valid()
    assert list(form.errors) == ["actual"]
    indicator.refresh_from_db()
    assert indicator.actual is None


def test_indicator_names_are_unique_per_project_and_actual_needs_a_date():
    indicator = IndicatorFactory(name="存栏")
    refused_by_database(lambda: IndicatorFactory(project=indicator.project, name="存栏"))
    refused_by_database(lambda: IndicatorFactory(actual=Decimal("3"), as_of=None))


def test_indicator_completion_is_actual_over_target():
    indicator = IndicatorFactory.build(target=Decimal("109800"), actual=Decimal("109800"))
    assert indicator.completion == Decimal("100.0")
    assert IndicatorFactory.build(target=Decimal("0"), actual=Decimal("1")).completion is None


# Leads -------------------------------------------------------------------------------------


def test_lead_stage_before_the_stage_it_follows_is_refused_with_both_dates():
    lead = InvestmentLeadFactory.build(visited_on=D(2024, 3, 1), invited_on=D(2024, 2, 1))
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    message = error.value.message_dict["invited_on"][0]
    assert "2024-02-01" in message
    assert "2024-03-01" in message
    # The constraint's own message, when clean() is bypassed (e.g. validate_constraints only).
    with pytest.raises(ValidationError) as error:
        lead.validate_constraints()
    assert str(STAGE_ORDER_MESSAGE) in messages(error.value)
    refused_by_database(
        lambda: InvestmentLeadFactory(visited_on=D(2024, 3, 1), invited_on=D(2024, 2, 1))
    )


def test_lead_stage_is_checked_against_earlier_stages_it_skipped_over():
    # Registered without a recorded signing, but before the intent: refused.
    refused_by_database(
        lambda: InvestmentLeadFactory(intent_on=D(2024, 5, 1), registered_on=D(2024, 4, 1))
    )
    lead = InvestmentLeadFactory.build(intent_on=D(2024, 5, 1), registered_on=D(2024, 4, 1))
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert "registered_on" in error.value.message_dict


def test_lead_may_skip_stages_and_same_day_stages_are_fine():
    lead = InvestmentLeadFactory(
        visited_on=D(2024, 1, 1), intent_on=D(2024, 1, 1), registered_on=D(2024, 2, 1)
    )
    lead.full_clean()
    assert lead.furthest_stage == str(STAGES[-1][1])


def test_lead_segment_must_belong_to_its_industry():
    segment = SegmentFactory(industry=Industry.ENERGY_CHEMICAL)
    lead = InvestmentLeadFactory.build(segment=segment)
    with pytest.raises(ValidationError) as error:
        lead.full_clean()
    assert "segment" in error.value.message_dict


# Sales -------------------------------------------------------------------------------------


def test_sale_period_is_the_first_of_a_month():
    sale = SaleFactory.build(outlet=SaleFactory().outlet, period=D(2024, 7, 15))
    with pytest.raises(ValidationError) as error:
        sale.full_clean()
    constraint = next(c for c in Sale._meta.constraints if c.name == "sale_period_first_of_month")
    assert str(constraint.violation_error_message) in messages(error.value)
    refused_by_database(lambda: SaleFactory(period=D(2024, 7, 15)))


def test_one_sale_row_per_outlet_product_and_month():
    sale = SaleFactory()
    refused_by_database(
        lambda: SaleFactory(outlet=sale.outlet, product=sale.product, period=sale.period)
    )
    assert Sale.objects.count() == 1
