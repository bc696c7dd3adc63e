"""The summary as of a date (summary.selectors.ledger_summary) against a hand-built ledger."""

import datetime
from decimal import Decimal

import pytest

from aidledger.models import Body, BodyKind
from pairings.models import Exchange, ExchangeKind, Pairing, PairingStatus, UnitKind, UnitSide
from projects.models import FundingSource, Product, ProjectStatus, Sector
from summary import selectors as summary_module
from summary.selectors import as_json, ledger_summary
from tests.factories import (
    BatchFactory,
    BodyFactory,
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    IndicatorFactory,
    InvestmentLeadFactory,
    MemberFactory,
    MemberRoleFactory,
    MentorshipFactory,
    OutletFactory,
    PairingFactory,
    ProgrammeFactory,
    ProjectFactory,
    SaleFactory,
    UnitFactory,
    create_pairings_ledger,
)

pytestmark = pytest.mark.django_db

D = datetime.date
AS_OF = D(2024, 10, 9)
AFTER = D(2024, 10, 10)


class Ledger:
    """A small ledger with a record on each side of every boundary of AS_OF."""

    def __init__(self) -> None:
        self.programme = programme = ProgrammeFactory()
        self.first = BatchFactory(
            programme=programme, number=1, start_date=D(2021, 6, 1), end_date=D(2023, 6, 30)
        )
        self.second = second = BatchFactory(programme=programme, number=2, start_date=D(2023, 7, 1))
        BodyFactory(batch=second, kind=BodyKind.COMMAND_POST, name="前线指挥部")
        BodyFactory(batch=second, kind=BodyKind.PARTY_BRANCH, name="临时党支部")
        self.group_a = BodyFactory(batch=second, name="产业扶持组")
        self.group_b = BodyFactory(batch=second, name="社会事业组")

        # Members: three in post in batch 2, one of batch 1 whose term ended.
        post = {"active_from": D(2023, 7, 1)}
        self.a = MemberFactory(batch=second, name="甲", **post)
        self.b = MemberFactory(batch=second, name="乙", **post)
        self.c = MemberFactory(batch=second, name="丙", **post)
        MemberRoleFactory(member=self.a, body=self.group_a)
        MemberRoleFactory(member=self.b, body=self.group_b)
        MemberFactory(batch=self.first, active_from=D(2021, 6, 1), active_until=D(2023, 6, 30))

        # Pairings: in force (department, hospital), ended before (school), signed after.
        def pairing(kind: str, body: Body, **fields) -> Pairing:
            helper = UnitFactory(programme=programme, side=UnitSide.HELPER, kind=kind)
            helped = UnitFactory(programme=programme, side=UnitSide.HELPED, kind=kind)
            return PairingFactory(helper=helper, helped=helped, responsible_body=body, **fields)

        self.department = pairing(UnitKind.DEPARTMENT, self.group_a, signed_on=D(2023, 8, 1))
        self.hospital = pairing(UnitKind.HOSPITAL, self.group_b, signed_on=D(2024, 1, 10))
        pairing(
            UnitKind.SCHOOL,
            self.group_a,
            signed_on=D(2023, 8, 1),
            status=PairingStatus.ENDED,
            ended_on=D(2024, 1, 31),
        )
        pairing(UnitKind.TOWNSHIP, self.group_a, signed_on=AFTER)

        # Exchanges: two hospital visits (one on the day itself), a hospital training, a
        # department visit, and a lecture the day after.
        def exchange(date, kind, pairings, body, techniques=0) -> Exchange:
            return ExchangeFactory(
                date=date, kind=kind, pairings=pairings, lead_body=body, new_techniques=techniques
            )

        V = ExchangeKind.VISIT
        exchange(D(2024, 3, 1), V, [self.hospital], self.group_b, techniques=2)
        exchange(AS_OF, V, [self.hospital], self.group_b, techniques=1)
        exchange(D(2024, 2, 1), ExchangeKind.TRAINING, [self.hospital], self.group_b)
        exchange(D(2023, 9, 1), V, [self.department], self.group_a)
        exchange(AFTER, ExchangeKind.LECTURE, [self.hospital], self.group_b, techniques=5)

        # Mentorships: 甲 mentors X (2023) and Y (on the day); 乙 mentors X too (one person);
        # 丙 starts the day after.
        cadres = UnitFactory(programme=programme, side=UnitSide.HELPED)
        MentorshipFactory(mentor=self.a, mentee_unit=cadres, mentee_name="X")
        MentorshipFactory(mentor=self.a, mentee_unit=cadres, mentee_name="Y", start_date=AS_OF)
        MentorshipFactory(mentor=self.b, mentee_unit=cadres, mentee_name="X")
        MentorshipFactory(mentor=self.c, mentee_unit=cadres, mentee_name="Z", start_date=AFTER)

        # Projects and money.
        self.beef = ProjectFactory(
            name="优质肉牛全产业链",
            sector=Sector.AGRICULTURE,
            responsible_body=self.group_a,
            start_date=D(2023, 8, 1),
        )
        municipal = FundingFactory(
            project=self.beef,
            source=FundingSource.MUNICIPAL,
            year=2023,
            approved_on=D(2023, 8, 20),
            amount=Decimal("1000000.00"),
        )
        # No approval date: counts from its budget year.
        FundingFactory(
            project=self.beef,
            source=FundingSource.DISTRICT,
            year=2024,
            approved_on=None,
            amount=Decimal("500000.00"),
        )
        FundingFactory(
            project=self.beef, year=2025, approved_on=D(2025, 1, 5), amount=Decimal("9.00")
        )
        DisbursementFactory(funding=municipal, paid_on=D(2023, 9, 1), amount=Decimal("300000.00"))
        DisbursementFactory(funding=municipal, paid_on=AS_OF, amount=Decimal("0.01"))
        DisbursementFactory(funding=municipal, paid_on=AFTER, amount=Decimal("100000.00"))
        later = ProjectFactory(
            sector=Sector.EDUCATION,
            responsible_body=self.group_b,
            start_date=D(2024, 12, 1),
        )
        FundingFactory(project=later, year=2024, approved_on=D(2024, 11, 1))
        self.health = ProjectFactory(
            sector=Sector.HEALTH,
            responsible_body=self.group_b,
            status=ProjectStatus.PLANNED,
            start_date=None,
        )

        IndicatorFactory(
            project=self.beef,
            name="存栏肉牛",
            target=Decimal("100"),
            actual=Decimal("80"),
            as_of=D(2024, 6, 30),
        )
        IndicatorFactory(
            project=self.health, target=Decimal("10"), actual=Decimal("5"), as_of=D(2024, 12, 31)
        )

        # Investment leads: one all the way (registered on the day), one invited after.
        stages = {
            "invited_on": D(2023, 10, 1),
            "leader_visit_on": D(2023, 11, 1),
            "intent_on": D(2023, 12, 1),
            "signed_on": D(2024, 1, 15),
            "registered_on": AS_OF,
        }
        InvestmentLeadFactory(
            follower_body=self.group_a,
            registered_capital=Decimal("50000000.00"),
            planned_investment=Decimal("6000000.00"),
            **stages,
        )
        InvestmentLeadFactory(follower_body=self.group_a, invited_on=AFTER)
        InvestmentLeadFactory(follower_body=self.group_b, visited_on=D(2024, 11, 1))

        # Sales: October counts from its first day; November does not.
        self.outlet = OutletFactory(name="南悦里店", responsible_body=self.group_a)
        other = OutletFactory(name="汇东店", responsible_body=self.group_b)
        SaleFactory(
            outlet=self.outlet, product=Product.TEA, period=D(2024, 10, 1), amount=Decimal("100")
        )
        SaleFactory(
            outlet=self.outlet, product=Product.TEA, period=D(2024, 11, 1), amount=Decimal("200")
        )
        SaleFactory(
            outlet=other, product=Product.SAUSAGE, period=D(2024, 9, 1), amount=Decimal("50.50")
        )


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def by_key(figures) -> dict:
    return {figure.key: figure.count for figure in figures}


def test_members_in_post_by_batch_and_bodies_by_kind(ledger):
    summary = ledger_summary(as_of=AS_OF)
    assert summary.members.total == 3
    assert [(f.number, f.count) for f in summary.members.by_batch] == [(1, 0), (2, 3)]
    assert by_key(summary.bodies) == {"command_post": 1, "party_branch": 1, "working_group": 2}


def test_pairings_in_force_on_the_date_by_category(ledger):
    pairings = ledger_summary(as_of=AS_OF).pairings
    assert pairings.total == 2
    assert by_key(pairings.by_category)["department"] == 1
    assert by_key(pairings.by_category)["hospital"] == 1
    assert by_key(pairings.by_category)["school"] == 0  # ended in January


def test_a_pairing_counts_on_its_end_day_and_not_after(ledger):
    assert by_key(ledger_summary(as_of=D(2024, 1, 31)).pairings.by_category)["school"] == 1
    assert by_key(ledger_summary(as_of=D(2024, 2, 1)).pairings.by_category)["school"] == 0


def test_exchanges_held_by_the_date_with_hospital_visits_and_new_techniques(ledger):
    exchanges = ledger_summary(as_of=AS_OF).exchanges
    assert exchanges.total == 4
    assert by_key(exchanges.by_kind)["visit"] == 3
    assert by_key(exchanges.by_kind)["training"] == 1
    assert by_key(exchanges.by_kind)["lecture"] == 0
    assert exchanges.hospital_visits == 2
    assert exchanges.new_techniques == 3


def test_mentors_and_distinct_mentees(ledger):
    mentorships = ledger_summary(as_of=AS_OF).mentorships
    assert (mentorships.mentors, mentorships.mentees, mentorships.mentorships) == (2, 2, 3)


def test_projects_started_by_the_date_and_undated_ones(ledger):
    projects = ledger_summary(as_of=AS_OF).projects
    assert projects.total == 2
    assert by_key(projects.by_sector)["agriculture"] == 1
    assert by_key(projects.by_sector)["health"] == 1
    assert by_key(projects.by_sector)["education"] == 0
    assert by_key(projects.by_status) == {
        "planned": 1,
        "in_progress": 1,
        "completed": 0,
        "suspended": 0,
    }


def test_funds_planned_and_disbursed_by_the_date(ledger):
    funds = ledger_summary(as_of=AS_OF).funds
    assert funds.total.planned == Decimal("1500000.00")
    assert funds.total.disbursed == Decimal("300000.01")
    assert funds.total.rate == Decimal("20.0")
    sources = {line.key: (line.planned, line.disbursed) for line in funds.by_source}
    assert sources["municipal"] == (Decimal("1000000.00"), Decimal("300000.01"))
    assert sources["district"] == (Decimal("500000.00"), Decimal("0.00"))
    sectors = {line.key: (line.planned, line.disbursed) for line in funds.by_sector}
    assert sectors["agriculture"] == (Decimal("1500000.00"), Decimal("300000.01"))
    assert sectors["education"] == (Decimal("0.00"), Decimal("0.00"))
    assert [(p.name, p.planned, p.disbursed) for p in funds.by_project] == [
        ("优质肉牛全产业链", Decimal("1500000.00"), Decimal("300000.01"))
    ]
    assert funds.disbursed_by_month == [
        (D(2023, 9, 1), Decimal("300000.00")),
        (D(2024, 10, 1), Decimal("0.01")),
    ]


def test_indicators_show_an_actual_only_once_measured(ledger):
    indicators = ledger_summary(as_of=AS_OF).indicators
    assert (indicators.total, indicators.measured) == (2, 1)
    lines = {line.name: line for line in indicators.lines}
    assert lines["存栏肉牛"].actual == Decimal("80")
    assert lines["存栏肉牛"].completion == Decimal("80.0")
    measured_later = next(line for line in indicators.lines if line.name != "存栏肉牛")
    assert measured_later.actual is None


def test_investment_funnel_by_the_date(ledger):
    investment = ledger_summary(as_of=AS_OF).investment
    assert by_key(investment.stages) == {
        "visited_on": 2,
        "invited_on": 1,
        "leader_visit_on": 1,
        "intent_on": 1,
        "signed_on": 1,
        "registered_on": 1,
    }
    assert investment.registered_capital == Decimal("50000000.00")
    assert investment.planned_investment == Decimal("6000000.00")


def test_sales_by_outlet_and_product_up_to_the_dates_month(ledger):
    sales = ledger_summary(as_of=AS_OF).sales
    assert sales.total == Decimal("150.50")
    assert [(name, amount) for _pk, name, amount in sales.by_outlet] == [
        ("南悦里店", Decimal("100.00")),
        ("汇东店", Decimal("50.50")),
    ]
    assert [(key, amount) for key, _label, amount in sales.by_product] == [
        ("tea", Decimal("100.00")),
        ("sausage", Decimal("50.50")),
    ]
    assert ledger_summary(as_of=D(2024, 9, 30)).sales.total == Decimal("50.50")


def test_the_day_before_leaves_out_what_happened_on_the_day(ledger):
    before = ledger_summary(as_of=AS_OF - datetime.timedelta(days=1))
    assert before.exchanges.total == 3
    assert before.exchanges.hospital_visits == 1
    assert before.exchanges.new_techniques == 2
    assert before.mentorships.mentees == 1
    assert before.funds.total.disbursed == Decimal("300000.00")
    assert before.investment.registered_capital == Decimal("0.00")


def test_before_the_second_batch_began_nothing_of_it_counts(ledger):
    summary = ledger_summary(as_of=D(2023, 6, 30))
    assert summary.members.total == 1  # batch 1's member, still in post
    assert by_key(summary.bodies) == {"command_post": 0, "party_branch": 0, "working_group": 0}
    assert summary.pairings.total == 0
    assert summary.exchanges.total == 0
    assert summary.funds.total.planned == Decimal("0.00")
    assert summary.funds.total.rate is None
    assert summary.projects.total == 1  # the undated project


def test_batch_filter_narrows_every_part(ledger):
    first = ledger_summary(as_of=AS_OF, batch=ledger.first)
    assert first.members.total == 0
    assert first.pairings.total == 0
    assert first.exchanges.total == 0
    assert first.mentorships.mentors == 0
    assert first.funds.total.planned == Decimal("0.00")
    assert first.sales.total == Decimal("0.00")
    second = ledger_summary(as_of=AS_OF, batch=ledger.second)
    assert second.pairings.total == 2
    assert second.funds.total.planned == Decimal("1500000.00")


def test_body_filter_narrows_to_the_groups_records(ledger):
    summary = ledger_summary(as_of=AS_OF, body=ledger.group_a)
    assert summary.batch == ledger.second  # implied by the body
    assert summary.members.total == 1
    assert summary.pairings.total == 1
    assert summary.exchanges.total == 1
    assert (summary.mentorships.mentors, summary.mentorships.mentees) == (1, 2)
    assert summary.projects.total == 1
    assert by_key(summary.investment.stages)["visited_on"] == 2
    assert summary.sales.total == Decimal("100.00")


def test_a_record_added_changes_the_figure_at_once(ledger):
    assert ledger_summary(as_of=AS_OF).exchanges.total == 4
    ExchangeFactory(date=AS_OF, pairings=[ledger.department], lead_body=ledger.group_a)
    assert ledger_summary(as_of=AS_OF).exchanges.total == 5


def summary_queries(django_assert_max_num_queries, bound: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(bound):
        ledger_summary(as_of=AS_OF)
    return len(queries)


def test_query_count_does_not_grow_with_the_ledger(ledger, django_assert_max_num_queries):
    few = summary_queries(django_assert_max_num_queries, 20)
    create_pairings_ledger(batch=ledger.second, pairings=60, exchanges=80, mentorships=50)
    for _ in range(5):
        project = ProjectFactory(responsible_body=ledger.group_b, start_date=D(2024, 1, 1))
        DisbursementFactory.create_batch(3, funding=FundingFactory(project=project))
        IndicatorFactory(project=project, actual=Decimal("1"), as_of=D(2024, 1, 1))
        InvestmentLeadFactory(follower_body=ledger.group_b)
    SaleFactory.create_batch(5, product=Product.CURED_MEAT, period=D(2024, 1, 1))
    many = summary_queries(django_assert_max_num_queries, 20)
    assert many == few


def test_by_project_names_only_the_largest_plans_and_counts_them_all(monkeypatch):
    monkeypatch.setattr(summary_module, "TOP_PROJECTS", 3)
    amounts = ["100.00", "600.00", "300.00", "500.00", "200.00", "400.00"]
    projects = []
    for number, amount in enumerate(amounts):
        project = ProjectFactory(code=f"P{number}", start_date=D(2024, 1, 1))
        funding = FundingFactory(project=project, amount=Decimal(amount), approved_on=AS_OF)
        DisbursementFactory(funding=funding, amount=Decimal("50.00"), paid_on=AS_OF)
        projects.append(project)
    # Planned after the date: not yet counted, however large.
    FundingFactory(project=projects[0], amount=Decimal("9000.00"), approved_on=AFTER)

    funds = ledger_summary(as_of=AS_OF).funds

    assert [(p.code, p.planned, p.disbursed) for p in funds.by_project] == [
        ("P1", Decimal("600.00"), Decimal("50.00")),
        ("P3", Decimal("500.00"), Decimal("50.00")),
        ("P5", Decimal("400.00"), Decimal("50.00")),
    ]
    assert funds.projects_planned == 6
    data = as_json(ledger_summary(as_of=AS_OF))["funds"]
    assert list(data["by_project"]) == ["P1", "P3", "P5"]
    assert data["projects_planned"] == 6


def test_indicator_lines_are_the_first_by_project_code_of_all(monkeypatch):
    monkeypatch.setattr(summary_module, "TOP_INDICATORS", 2)
    for code in ["P3", "P1", "P2"]:
        IndicatorFactory(project=ProjectFactory(code=code), name="指标")

    summary = ledger_summary(as_of=AS_OF)

    assert [line.project_code for line in summary.indicators.lines] == ["P1", "P2"]
    assert summary.indicators.total == 3
    data = as_json(summary)
    assert [line["project"] for line in data["indicators"]] == ["P1", "P2"]
    assert data["indicators_total"] == 3
