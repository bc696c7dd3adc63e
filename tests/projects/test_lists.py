"""The six money-ledger lists: who may see them, filters, totals, exports, query counts."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db.models import Sum

from aidledger.models import BodyKind
from pairings.models import UnitKind, UnitSide
from projects.models import Disbursement, Funding, Sale
from tests.factories import (
    BatchFactory,
    BodyFactory,
    DisbursementFactory,
    FundingFactory,
    IndicatorFactory,
    InvestmentLeadFactory,
    OutletFactory,
    ProjectFactory,
    SaleFactory,
    SegmentFactory,
    UnitFactory,
)
from tests.utils import totals

pytestmark = pytest.mark.django_db
D = datetime.date

LISTS = [
    "/projects/",
    "/projects/funding/",
    "/projects/disbursements/",
    "/projects/indicators/",
    "/projects/leads/",
    "/projects/sales/",
]


def rows(response) -> list:
    assert response.status_code == 200
    return [obj for obj, _cells in response.context["table"]]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content, newline="")))


@pytest.fixture
def ledger(db):
    """Two working groups of one batch; agriculture and education projects with money."""
    batch = BatchFactory(name="第二批")
    industry = BodyFactory(batch=batch, name="产业扶持组")
    social = BodyFactory(batch=batch, name="社会事业组")
    township = UnitFactory(
        programme=batch.programme, side=UnitSide.HELPED, kind=UnitKind.TOWNSHIP, name="板庙镇"
    )
    cattle = ProjectFactory(
        code="NY-01", name="优质肉牛全产业链", responsible_body=industry, township=township
    )
    tea = ProjectFactory(code="NY-02", name="金宝山茶旅融合产业园", responsible_body=industry)
    school = ProjectFactory(
        code="JY-01",
        name="教学设施改善提升工程",
        sector="education",
        status="completed",
        responsible_body=social,
    )
    cattle_2023 = FundingFactory(project=cattle, year=2023, amount=Decimal("6000000.00"))
    cattle_2024 = FundingFactory(
        project=cattle, year=2024, source="district", amount=Decimal("4000000.00")
    )
    tea_line = FundingFactory(project=tea, year=2023, amount=Decimal("2000000.10"))
    school_line = FundingFactory(project=school, year=2023, amount=Decimal("1800000.00"))
    DisbursementFactory(funding=cattle_2023, amount=Decimal("3000000.00"), paid_on=D(2023, 9, 15))
    DisbursementFactory(funding=cattle_2023, amount=Decimal("2500000.01"), paid_on=D(2024, 1, 20))
    DisbursementFactory(funding=cattle_2024, amount=Decimal("2000000.00"), paid_on=D(2024, 6, 18))
    DisbursementFactory(funding=tea_line, amount=Decimal("0.10"), paid_on=D(2024, 5, 10))
    DisbursementFactory(
        funding=school_line, amount=Decimal("1800000.00"), paid_on=D(2023, 11, 20), payee="平昌中学"
    )
    IndicatorFactory(
        project=cattle,
        name="能繁母牛和存栏肉牛",
        target=Decimal("109800"),
        actual=Decimal("109800"),
        as_of=D(2024, 10, 9),
    )
    IndicatorFactory(project=school, name="受助学校", unit="所", target=Decimal("6"))
    return {
        "batch": batch,
        "industry": industry,
        "social": social,
        "township": township,
        "cattle": cattle,
        "tea": tea,
        "school": school,
    }


# Who may see them --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", LISTS + [f"{url}export.{ext}" for url in LISTS for ext in ("csv", "xlsx")]
)
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url", LISTS + [f"{url}export.{ext}" for url in LISTS for ext in ("csv", "xlsx")]
)
def test_logged_in_user_sees_every_list_and_export(client_logged_in, ledger, url):
    assert client_logged_in.get(url).status_code == 200


# Projects ------------------------------------------------------------------------------------


def test_project_list_shows_planned_disbursed_and_rate_per_project(client_logged_in, ledger):
    response = client_logged_in.get("/projects/", {"sector": "agriculture"})
    by_code = {project.code: project for project in rows(response)}
    assert set(by_code) == {"NY-01", "NY-02"}
    cattle = by_code["NY-01"]
    assert (cattle.planned, cattle.disbursed, cattle.remaining) == (
        Decimal("10000000.00"),
        Decimal("7500000.01"),
        Decimal("2499999.99"),
    )
    html = response.content.decode()
    assert "10,000,000.00" in html
    assert "75.0" in html  # execution rate, percent


def test_project_totals_are_sums_of_the_filtered_rows(client_logged_in, ledger):
    response = client_logged_in.get("/projects/", {"sector": "agriculture"})
    assert totals(response) == {
        "planned": Decimal("12000000.10"),
        "disbursed": Decimal("7500000.11"),
        "remaining": Decimal("4499999.99"),
    }
    html = response.content.decode()
    assert "12,000,000.10" in html
    assert "7,500,000.11" in html
    everything = totals(client_logged_in.get("/projects/"))
    assert everything["planned"] == Decimal("13800000.10")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "completed"}, {"JY-01"}),
        ({"body": "social"}, {"JY-01"}),
        ({"batch": "batch"}, {"NY-01", "NY-02", "JY-01"}),
        ({"township": "township"}, {"NY-01"}),
        ({"q": "茶旅"}, {"NY-02"}),
        ({"q": "jy-01"}, {"JY-01"}),
    ],
)
def test_project_filters(client_logged_in, ledger, params, expected):
    params = {key: getattr(ledger.get(value), "pk", value) for key, value in params.items()}
    assert {p.code for p in rows(client_logged_in.get("/projects/", params))} == expected


def test_batch_filter_leaves_out_projects_of_another_batch(client_logged_in, ledger):
    ProjectFactory(code="OTHER")
    response = client_logged_in.get("/projects/", {"batch": ledger["batch"].pk})
    assert "OTHER" not in {p.code for p in rows(response)}


# Funding and disbursements -------------------------------------------------------------------


def test_funding_list_filters_by_year_and_source_with_totals(client_logged_in, ledger):
    response = client_logged_in.get("/projects/funding/", {"year": 2023})
    assert len(rows(response)) == 3
    assert totals(response) == {
        "planned": Decimal("9800000.10"),
        "disbursed": Decimal("7300000.11"),
        "remaining": Decimal("2499999.99"),
    }
    response = client_logged_in.get("/projects/funding/", {"source": "district"})
    assert [(f.year, f.amount, f.disbursed) for f in rows(response)] == [
        (2024, Decimal("4000000.00"), Decimal("2000000.00"))
    ]


def test_disbursements_by_date_range_and_project(client_logged_in, ledger):
    response = client_logged_in.get(
        "/projects/disbursements/", {"paid_from": "2024-01-01", "paid_to": "2024-06-18"}
    )
    assert sorted(d.amount for d in rows(response)) == [
        Decimal("0.10"),
        Decimal("2000000.00"),
        Decimal("2500000.01"),
    ]
    assert totals(response) == {"disbursed": Decimal("4500000.11")}
    response = client_logged_in.get("/projects/disbursements/", {"project": ledger["cattle"].pk})
    assert totals(response) == {"disbursed": Decimal("7500000.01")}


def exact_disbursements(**lookups) -> tuple[int, Decimal]:
    rows = Disbursement.objects.filter(**lookups)
    return rows.count(), rows.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@pytest.mark.parametrize(
    ("params", "lookups", "from_rollups"),
    [
        ({}, {}, True),
        ({"sector": "education"}, {"project__sector": "education"}, True),
        ({"source": "district"}, {"funding__source": "district"}, True),
        (
            {"source": "municipal", "sector": "agriculture"},
            {"funding__source": "municipal", "project__sector": "agriculture"},
            True,
        ),
        (
            {"paid_from": "2024-01-01", "paid_to": "2024-05-31"},
            {"paid_on__range": (D(2024, 1, 1), D(2024, 5, 31))},
            True,
        ),
        (
            {"paid_to": "2023-12-31", "sector": "agriculture"},
            {"paid_on__year": 2023, "project__sector": "agriculture"},
            True,
        ),
        # A date inside a month, free text, a township with dates: the payments themselves.
        ({"paid_from": "2024-01-21"}, {"paid_on__gte": D(2024, 1, 21)}, False),
        ({"paid_to": "2024-06-18"}, {"paid_on__lte": D(2024, 6, 18)}, False),
        ({"q": "平昌中学"}, {"payee": "平昌中学"}, False),
        # Evidence is not in the roll-ups: payments without files are counted one by one.
        ({"evidence": "none"}, {}, False),
        ({"evidence": "none", "source": "district"}, {"funding__source": "district"}, False),
    ],
)
def test_disbursement_totals_from_rollups_or_the_payments_give_the_same_figures(
    client_logged_in, ledger, params, lookups, from_rollups
):
    response = client_logged_in.get("/projects/disbursements/", params)
    count, total = exact_disbursements(**lookups)
    assert count > 0
    assert response.context["page"].count == count
    assert totals(response) == {"disbursed": total}
    filterset = response.context["filterset"]
    assert (filterset.rollup_totals() is not None) == from_rollups


@pytest.mark.parametrize(
    ("params", "lookups"),
    [
        ({"body": "social"}, {"project__responsible_body__name": "社会事业组"}),
        ({"batch": "batch"}, {"project__responsible_body__batch__name": "第二批"}),
        ({"township": "township"}, {"project__township__name": "板庙镇"}),
        ({"project": "tea"}, {"project__code": "NY-02"}),
    ],
)
def test_disbursement_totals_by_group_batch_township_and_project(
    client_logged_in, ledger, params, lookups
):
    ((name, key),) = params.items()
    for query in ({name: ledger[key].pk}, {name: ledger[key].pk, "source": "municipal"}):
        response = client_logged_in.get("/projects/disbursements/", query)
        extra = {"funding__source": "municipal"} if "source" in query else {}
        count, total = exact_disbursements(**lookups, **extra)
        assert (response.context["page"].count, totals(response)) == (
            count,
            {"disbursed": total},
        ), query


def test_disbursement_totals_of_a_body_and_whole_months_come_from_the_month_rollups(
    client_logged_in, ledger
):
    query = {"body": ledger["industry"].pk, "paid_from": "2024-01-01", "paid_to": "2024-12-31"}
    response = client_logged_in.get("/projects/disbursements/", query)
    assert response.context["filterset"].rollup_totals() == (3, Decimal("4500000.11"))
    assert response.context["page"].count == 3
    assert totals(response) == {"disbursed": Decimal("4500000.11")}


def test_malformed_date_filter_shows_an_error_and_no_totals(client_logged_in, ledger):
    response = client_logged_in.get("/projects/disbursements/", {"paid_from": "2024-13-45"})
    assert rows(response) == []
    assert response.context["totals"] == []
    export = client_logged_in.get("/projects/disbursements/export.csv", {"paid_from": "x"})
    assert export.status_code == 302


# Exports: the filtered rows, summing to the fen ---------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "money_column"),
    [
        ("/projects/", {"sector": "agriculture"}, 9),
        ("/projects/funding/", {"year": "2023"}, 4),
        ("/projects/disbursements/", {"paid_from": "2024-01-01"}, 5),
        ("/projects/sales/", {"product": "tea"}, 6),
    ],
)
def test_export_holds_the_filtered_rows_and_sums_to_the_fen(
    client_logged_in, ledger, url, params, money_column
):
    SaleFactory(amount=Decimal("0.10"))
    SaleFactory(amount=Decimal("1680.05"), period=D(2024, 8, 1))
    page = client_logged_in.get(url, params | {"per_page": 200})
    table = csv_rows(client_logged_in.get(f"{url}export.csv", params))
    assert len(table) - 1 == len(rows(page)) > 0
    amounts = [Decimal(row[money_column]) for row in table[1:]]
    assert all(len(row[money_column].split(".")[1]) == 2 for row in table[1:])
    first_total = next(iter(totals(page).values()))
    assert sum(amounts) == first_total


# Indicators, leads, sales ---------------------------------------------------------------------


def test_indicator_list_shows_target_and_actual_as_numbers(client_logged_in, ledger):
    response = client_logged_in.get("/projects/indicators/", {"project": ledger["cattle"].pk})
    (indicator,) = rows(response)
    assert indicator.actual == Decimal("109800")
    html = response.content.decode()
    assert "109,800" in html
    assert 'kind-percent">100.0</td>' in html  # completion, as on the project page


@pytest.fixture
def funnel(db):
    segment = SegmentFactory(name="茶叶精深加工")
    for _ in range(5):
        InvestmentLeadFactory(city="成都")
    InvestmentLeadFactory(city="深圳", invited_on=D(2023, 10, 1))
    InvestmentLeadFactory(
        company="胜峰茶叶",
        city="自贡",
        segment=segment,
        invited_on=D(2023, 10, 1),
        leader_visit_on=D(2023, 11, 1),
        intent_on=D(2023, 12, 1),
        registered_on=D(2024, 3, 1),
        registered_capital=Decimal("50000000.00"),
    )
    return segment


def test_leads_list_counts_the_funnel_and_capital(client_logged_in, funnel):
    response = client_logged_in.get("/projects/leads/")
    figures = totals(response)
    assert [
        figures[key] for key in ("visited_on", "invited_on", "leader_visit_on", "intent_on")
    ] == [
        7,
        2,
        1,
        1,
    ]
    assert figures["registered_capital"] == Decimal("50000000.00")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "invited_on"}, 2),
        ({"stage": "registered_on"}, 1),
        ({"city": "成都"}, 5),
        ({"industry": "energy_chemical"}, 0),
        ({"q": "胜峰"}, 1),
        # A stage reached by a date (the summary's funnel): the day itself counts.
        ({"stage": "invited_on", "reached_by": "2023-09-30"}, 0),
        ({"stage": "invited_on", "reached_by": "2023-10-01"}, 2),
        ({"stage": "registered_on", "reached_by": "2024-02-29"}, 0),
        # Without a stage: leads that reached any stage by then.
        ({"reached_by": "2023-08-31"}, 0),
        ({"reached_by": "2023-09-01"}, 7),
    ],
)
def test_lead_filters(client_logged_in, funnel, params, expected):
    assert len(rows(client_logged_in.get("/projects/leads/", params))) == expected


def test_lead_filter_by_segment(client_logged_in, funnel):
    response = client_logged_in.get("/projects/leads/", {"segment": funnel.pk})
    assert [lead.company for lead in rows(response)] == ["胜峰茶叶"]


def test_sales_filter_by_outlet_product_and_month(client_logged_in):
    south, east = OutletFactory(name="自贡高投供销社南悦里店"), OutletFactory(name="百佳超市汇东店")
    for month in (7, 8, 9):
        SaleFactory(outlet=south, period=D(2024, month, 1), amount=Decimal("100.01"))
        SaleFactory(outlet=east, product="sausage", period=D(2024, month, 1))
    response = client_logged_in.get(
        "/projects/sales/", {"outlet": south.pk, "period_from": "2024-08", "period_to": "2024-09"}
    )
    assert [s.period for s in rows(response)] == [D(2024, 9, 1), D(2024, 8, 1)]
    assert totals(response) == {"amount": Decimal("200.02")}
    assert len(rows(client_logged_in.get("/projects/sales/", {"product": "sausage"}))) == 3
    assert "2024-09" in response.content.decode()


# Query counts ---------------------------------------------------------------------------------


@pytest.fixture
def many(db):
    """200+ rows in every list."""
    body = BodyFactory()
    projects = [ProjectFactory(responsible_body=body) for _ in range(3)]
    fundings = Funding.objects.bulk_create(
        Funding(project=projects[i % 3], source="municipal", year=2024, amount=Decimal("1000.00"))
        for i in range(210)
    )
    Disbursement.objects.bulk_create(
        Disbursement(
            project_id=f.project_id,
            funding=f,
            paid_on=D(2024, 1, 1),
            amount=Decimal("1.23"),
            payee="x",
        )
        for f in fundings
    )
    for i in range(210):
        IndicatorFactory(project=projects[i % 3])
        InvestmentLeadFactory(follower_body=body, segment=None)
    outlet = OutletFactory()
    Sale.objects.bulk_create(
        Sale(
            outlet=outlet,
            product="tea",
            period=D(2000 + i // 12, i % 12 + 1, 1),
            amount=Decimal("9.99"),
        )
        for i in range(210)
    )
    for _ in range(200):
        ProjectFactory(responsible_body=body)
    return projects


@pytest.mark.parametrize("url", LISTS)
def test_each_list_runs_a_constant_number_of_queries(
    client_logged_in, many, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client_logged_in.get(url, {"per_page": 200})
    assert len(rows(response)) == 200


@pytest.mark.parametrize("url", LISTS)
def test_each_export_runs_a_constant_number_of_queries(
    client_logged_in, many, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        table = csv_rows(client_logged_in.get(f"{url}export.csv"))
    assert len(table) > 200


def test_export_total_matches_database_sum_over_many_rows(client_logged_in, many):
    table = csv_rows(client_logged_in.get("/projects/disbursements/export.csv"))
    assert sum(Decimal(row[5]) for row in table[1:]) == Decimal("258.30")
    assert Disbursement.objects.aggregate(total=Sum("amount"))["total"] == Decimal("258.30")


def test_filter_choices_list_only_working_groups_and_townships(client_logged_in, ledger):
    BodyFactory(batch=ledger["batch"], kind=BodyKind.COMMAND_POST, name="前线指挥部")
    UnitFactory(programme=ledger["batch"].programme, side=UnitSide.HELPER, name="自贡市单位")
    form = client_logged_in.get("/projects/").context["filterset"].form
    assert {b.name for b in form.fields["body"].queryset} == {"产业扶持组", "社会事业组"}
    assert [u.name for u in form.fields["township"].queryset] == ["板庙镇"]


@pytest.mark.parametrize("year", ["2023.5", "abc", "1e400", "NaN"])
def test_a_year_that_is_not_a_whole_number_is_an_error_not_a_match(client_logged_in, ledger, year):
    # "2023.5" used to be cut to 2023 and list that year's lines as if asked for.
    response = client_logged_in.get("/projects/funding/", {"year": year})
    assert rows(response) == []
    assert "year" in response.context["filterset"].errors
    assert client_logged_in.get("/projects/funding/export.csv", {"year": year}).status_code == 302


@pytest.mark.parametrize("url", ["/projects/", "/projects/funding/"])
def test_execution_rate_reads_with_one_decimal_on_page_and_in_export(client_logged_in, url):
    # The funding list showed 75 on the page but 75.0 in its export and on the project list.
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("75.00"))
    response = client_logged_in.get(url)
    assert 'kind-percent">75.0</td>' in response.content.decode()
    table = csv_rows(client_logged_in.get(f"{url}export.csv"))
    assert table[1][table[0].index("执行率（%）")] == "75.0"


@pytest.mark.parametrize(
    "url", ["/projects/funding/", "/projects/disbursements/", "/projects/indicators/"]
)
@pytest.mark.parametrize("project", ["999999", "abc", "99999999999999999999999"])
def test_a_stale_or_forged_project_link_shows_an_error_not_every_row(
    client_logged_in, ledger, url, project
):
    response = client_logged_in.get(url, {"project": project})
    assert rows(response) == []
    assert "project" in response.context["filterset"].errors
    assert response.context["totals"] == []
    assert client_logged_in.get(f"{url}export.csv", {"project": project}).status_code == 302


def test_sales_filter_by_the_outlets_working_group_and_batch(client_logged_in):
    group = BodyFactory()
    mine = SaleFactory(outlet__responsible_body=group)
    SaleFactory(outlet__responsible_body=BodyFactory())
    SaleFactory()  # an outlet nobody keeps
    by_group = client_logged_in.get("/projects/sales/", {"body": group.pk})
    assert [sale.pk for sale in rows(by_group)] == [mine.pk]
    by_batch = client_logged_in.get("/projects/sales/", {"batch": group.batch.pk})
    assert [sale.pk for sale in rows(by_batch)] == [mine.pk]


def test_funding_planned_by_a_date_counts_undated_lines_from_their_year(client_logged_in):
    approved = FundingFactory(year=2024, approved_on=D(2024, 3, 15))
    undated = FundingFactory(year=2024, approved_on=None)
    FundingFactory(year=2025, approved_on=None)
    early = client_logged_in.get("/projects/funding/", {"planned_by": "2024-03-14"})
    assert [f.pk for f in rows(early)] == [undated.pk]
    on_the_day = client_logged_in.get("/projects/funding/", {"planned_by": "2024-03-15"})
    assert sorted(f.pk for f in rows(on_the_day)) == sorted([approved.pk, undated.pk])


def test_projects_sort_by_execution_rate_both_ways(client_logged_in):
    """执行率 is computed per row, not stored: the database still orders by it, exactly (a 1
    fen difference counts), and a project without a plan sorts as the smallest."""
    rates = {}
    for code, planned, paid in [
        ("R-HALF", "1000000.00", "500000.00"),
        ("R-TINY", "1000000.00", "100.00"),
        ("R-FULL", "300.00", "300.00"),
        ("R-HALF+", "2000000.00", "1000000.01"),
    ]:
        funding = FundingFactory(project=ProjectFactory(code=code), amount=Decimal(planned))
        DisbursementFactory(funding=funding, amount=Decimal(paid))
        rates[code] = Decimal(paid) / Decimal(planned)
    ProjectFactory(code="R-NONE")

    up = [p.code for p in rows(client_logged_in.get("/projects/?sort=rate"))]
    down = [p.code for p in rows(client_logged_in.get("/projects/?sort=-rate"))]

    assert up == ["R-NONE", "R-TINY", "R-HALF", "R-HALF+", "R-FULL"]
    assert down == ["R-FULL", "R-HALF+", "R-HALF", "R-TINY", "R-NONE"]


def test_indicators_sort_by_completion(client_logged_in):
    project = ProjectFactory()
    for name, target, actual in [("甲", "200", "50"), ("乙", "10", "9"), ("丙", "5", "1")]:
        IndicatorFactory(
            project=project,
            name=name,
            target=Decimal(target),
            actual=Decimal(actual),
            as_of=D(2024, 6, 30),
        )

    down = [i.name for i in rows(client_logged_in.get("/projects/indicators/?sort=-completion"))]

    assert down == ["乙", "甲", "丙"]
