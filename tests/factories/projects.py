"""Factories for the projects and money ledger. Amounts are Decimal, never float."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

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
from tests.factories.team import BodyFactory

__all__ = [
    "DisbursementFactory",
    "FundingFactory",
    "IndicatorFactory",
    "InvestmentLeadFactory",
    "OutletFactory",
    "ProjectFactory",
    "SaleFactory",
    "SegmentFactory",
]


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"XM-{n:05d}")
    name = factory.Sequence(lambda n: f"项目{n:05d}")
    sector = Sector.AGRICULTURE
    responsible_body = factory.SubFactory(BodyFactory)
    status = ProjectStatus.IN_PROGRESS


class FundingFactory(DjangoModelFactory):
    class Meta:
        model = Funding

    project = factory.SubFactory(ProjectFactory)
    source = FundingSource.MUNICIPAL
    year = 2024
    amount = Decimal("1000000.00")


class DisbursementFactory(DjangoModelFactory):
    """Saved directly, like a row that is already in the ledger (not through the service)."""

    class Meta:
        model = Disbursement

    funding = factory.SubFactory(FundingFactory)
    project = factory.SelfAttribute("funding.project")
    paid_on = datetime.date(2024, 3, 1)
    amount = Decimal("1000.00")
    payee = factory.Sequence(lambda n: f"收款单位{n}")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"指标{n}")
    unit = "头"
    target = Decimal("100")


class SegmentFactory(DjangoModelFactory):
    class Meta:
        model = Segment

    industry = Industry.FOOD_BEVERAGE
    name = factory.Sequence(lambda n: f"赛道{n}")


class InvestmentLeadFactory(DjangoModelFactory):
    class Meta:
        model = InvestmentLead

    company = factory.Sequence(lambda n: f"企业{n:04d}")
    city = "深圳"
    industry = Industry.FOOD_BEVERAGE
    visited_on = datetime.date(2023, 9, 1)


class OutletFactory(DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"门店{n}")
    operator = "示例经营者"


class SaleFactory(DjangoModelFactory):
    class Meta:
        model = Sale

    outlet = factory.SubFactory(OutletFactory)
    product = Product.TEA
    period = datetime.date(2024, 7, 1)
    quantity = 10
    quantity_unit = "盒"
    amount = Decimal("1680.00")
