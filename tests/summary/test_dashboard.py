"""The dashboard at / : its figures, the list behind every figure, the filters, the CSV
and XLSX exports."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from ledger.exports import XLSX_CONTENT_TYPE
from sampledata.synthetic import generate
from summary import dashboard
from summary import selectors as summary_module
from summary.selectors import ledger_summary
from tests.factories import (
    BodyFactory,
    ExchangeFactory,
    FundingFactory,
    OutletFactory,
    ProjectFactory,
    SaleFactory,
)
from tests.summary.test_summary import AS_OF, Ledger
from tests.utils import totals

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


ROWS = "rows"


def figure_links(summary) -> list[tuple[str, object, str, str]]:
    """(name, figure, url, what to read on the list) for every link the dashboard shows:
    ROWS is the list's row count; any other string names one of the list's totals."""
    links = dashboard.links(summary)
    checks = [
        ("members", summary.members.total, links["members"], ROWS),
        ("pairings", summary.pairings.total, links["pairings"], ROWS),
        ("exchanges", summary.exchanges.total, links["exchanges"], ROWS),
        ("hospital visits", summary.exchanges.hospital_visits, links["hospital_visits"], ROWS),
        (
            "new techniques",
            summary.exchanges.new_techniques,
            links["new_techniques"],
            "new_techniques",
        ),
        ("mentors", summary.mentorships.mentors, links["mentors"], ROWS),
        ("mentees", summary.mentorships.mentees, links["mentees"], "mentees"),
        ("projects", summary.projects.total, links["projects"], ROWS),
        ("planned", summary.funds.total.planned, links["planned"], "planned"),
        ("disbursed", summary.funds.total.disbursed, links["disbursed"], "disbursed"),
        ("indicators measured", summary.indicators.measured, links["indicators"], ROWS),
        (
            "registered capital",
            summary.investment.registered_capital,
            links["registered_capital"],
            "registered_capital",
        ),
        (
            "planned investment",
            summary.investment.planned_investment,
            links["planned_investment"],
            "planned_investment",
        ),
        ("sales", summary.sales.total, links["sales"], "amount"),
    ]
    checks += [
        (f"members {f.name}", f.count, links["members_by_batch"][f.pk], ROWS)
        for f in summary.members.by_batch
    ]
    for name, figures, key in (
        ("pairings", summary.pairings.by_category, "pairings_by_category"),
        ("exchanges", summary.exchanges.by_kind, "exchanges_by_kind"),
        ("projects", summary.projects.by_sector, "projects_by_sector"),
        ("projects", summary.projects.by_status, "projects_by_status"),
        ("leads", summary.investment.stages, "stages"),
    ):
        checks += [(f"{name} {f.key}", f.count, links[key][f.key], ROWS) for f in figures]
    for group, lines in (("source", summary.funds.by_source), ("sector", summary.funds.by_sector)):
        for line in lines:
            checks += [
                (
                    f"planned {line.key}",
                    line.planned,
                    links[f"planned_by_{group}"][line.key],
                    "planned",
                ),
                (
                    f"disbursed {line.key}",
                    line.disbursed,
                    links[f"disbursed_by_{group}"][line.key],
                    "disbursed",
                ),
            ]
    for project in summary.funds.by_project:
        checks += [
            (project.code, project.planned, links["planned_by_project"][project.pk], "planned"),
            (
                project.code,
                project.disbursed,
                links["disbursed_by_project"][project.pk],
                "disbursed",
            ),
        ]
    checks += [
        (f"sales {name}", amount, links["sales_by_outlet"][pk], "amount")
        for pk, name, amount in summary.sales.by_outlet
    ]
    checks += [
        (f"sales {key}", amount, links["sales_by_product"][key], "amount")
        for key, _label, amount in summary.sales.by_product
    ]
    return checks


def read_list(client, url: str, what: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert not response.context["filterset"].errors, (url, response.context["filterset"].errors)
    if what == ROWS:
        return response.context["page"].paginator.count
    value = totals(response)[what]
    return value or 0  # a Sum over no rows reads None on a count total


@pytest.mark.parametrize("scope", ["all", "second batch", "working group", "first batch"])
def test_every_link_lands_on_a_list_whose_rows_give_the_figure(client_logged_in, ledger, scope):
    kwargs = {
        "all": {},
        "second batch": {"batch": ledger.second},
        "working group": {"body": ledger.group_a},
        "first batch": {"batch": ledger.first},
    }[scope]
    summary = ledger_summary(as_of=AS_OF, **kwargs)
    checks = figure_links(summary)
    assert len(checks) > 60
    wrong = []
    for name, figure, url, what in checks:
        found = read_list(client_logged_in, url, what)
        if found != figure:
            wrong.append((name, figure, found, url))
    assert wrong == []


@pytest.mark.parametrize(
    "as_of", [AS_OF, datetime.date(2024, 1, 31), timezone.localdate()], ids=str
)
def test_links_match_on_a_larger_ledger_too(client_logged_in, ledger, as_of):
    """A generated programme beside the small ledger (the roll-ups then hold thousands of
    rows, and whole months come from them): each figure still equals its list's."""
    generate(programmes=1, years=2, seed=5, size=0.05)
    summary = ledger_summary(as_of=as_of)
    assert summary.exchanges.total > 100
    wrong = [
        (name, figure, found, url)
        for name, figure, url, what in figure_links(summary)
        if (found := read_list(client_logged_in, url, what)) != figure
    ]
    assert wrong == []


def test_links_on_an_earlier_date_also_match(client_logged_in, ledger):
    summary = ledger_summary(as_of=datetime.date(2024, 1, 31))
    for name, figure, url, what in figure_links(summary):
        assert read_list(client_logged_in, url, what) == figure, (name, url)


def test_the_page_links_every_card_to_its_list(client_logged_in, ledger):
    response = client_logged_in.get("/", {"as_of": "2024-10-09"})
    html = response.content.decode()
    links = response.context["links"]
    cards = re.findall(
        r'<a class="card" href="([^"]+)"[^>]*><span class="card-figure">([^<]+)<', html
    )
    shown = {url.replace("&amp;", "&"): figure for url, figure in cards}
    assert shown[links["exchanges"]] == "4"
    assert shown[links["hospital_visits"]] == "2"
    assert shown[links["mentees"]] == "2"
    assert shown[links["pairings_by_category"]["hospital"]] == "1"
    # Money in 万元 with one decimal; the exact yuan on hover.
    assert shown[links["planned"]] == "150.0"
    assert 'title="1,500,000.00 ' in html


def test_the_dashboard_replaces_the_overview_and_keeps_the_team(client_logged_in, ledger):
    html = client_logged_in.get("/").content.decode()
    assert 'id="team"' in html
    assert ledger.second.name in html
    assert "产业扶持组" in html


def test_dashboard_defaults_to_today(client_logged_in, ledger):
    response = client_logged_in.get("/")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.as_of == timezone.localdate()
    assert summary.batch is None


def test_dashboard_batch_and_body_filters(client_logged_in, ledger):
    response = client_logged_in.get(
        "/", {"as_of": "2024-10-09", "batch": ledger.second.pk, "body": ledger.group_a.pk}
    )
    summary = response.context["summary"]
    assert summary.body == ledger.group_a
    assert summary.pairings.total == 1


def test_a_working_group_of_another_batch_is_refused(client_logged_in, ledger):
    stray = BodyFactory()
    response = client_logged_in.get("/", {"batch": ledger.second.pk, "body": stray.pk})
    assert response.status_code == 200
    assert response.context["summary"] is None
    assert response.context["form"].errors["body"]


def test_an_unreadable_date_shows_the_error_not_figures(client_logged_in, ledger):
    response = client_logged_in.get("/", {"as_of": "2024-13-45"})
    assert response.context["summary"] is None
    assert response.context["form"].errors["as_of"]


def test_a_record_added_shows_on_the_dashboard_at_once(client_logged_in, ledger):
    params = {"as_of": "2024-10-09"}
    assert client_logged_in.get("/", params).context["summary"].exchanges.total == 4
    ExchangeFactory(date=AS_OF, pairings=[ledger.hospital], lead_body=ledger.group_b)
    assert client_logged_in.get("/", params).context["summary"].exchanges.total == 5


def test_chart_data_is_in_a_json_script_and_no_inline_code(client_logged_in, ledger):
    html = client_logged_in.get("/", {"as_of": "2024-10-09"}).content.decode()
    match = re.search(r'<script id="summary-charts" type="application/json">(.*?)</script>', html)
    charts = json.loads(match.group(1))
    assert charts["months"][0] == "2023-09"
    assert charts["months"][-1] == "2024-10"
    assert charts["funnel"]["data"] == [2, 1, 1, 1, 1, 1]
    # Money in 万元 as exact decimal strings, never floats.
    assert all(isinstance(value, str) for value in charts["disbursed_by_month"]["data"])
    assert "0.00" in charts["disbursed_by_month"]["data"]
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert 'src="/static/js/dashboard.js"' in html
    # CSP-ready: every other script tag loads a file; no style or on* attributes.
    assert re.findall(r"<script>", html) == []
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_dashboard_sends_anonymous_visitor_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_dashboard_query_count_does_not_grow_with_the_ledger(
    client_logged_in, ledger, django_assert_max_num_queries
):
    from tests.factories import create_pairings_ledger

    with django_assert_max_num_queries(32) as few:
        client_logged_in.get("/", {"as_of": "2024-10-09"})
    create_pairings_ledger(batch=ledger.second, pairings=40, exchanges=40, mentorships=40)
    ProjectFactory.create_batch(10, responsible_body=ledger.group_a, start_date=AS_OF)
    with django_assert_max_num_queries(32) as many:
        client_logged_in.get("/", {"as_of": "2024-10-09"})
    assert len(many) == len(few)


# The CSV export ----------------------------------------------------------------------------


def export(client, **params) -> list[list[str]]:
    response = client.get("/summary.csv", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_export_prints_the_date_and_filters_first_then_the_figures(client_logged_in, ledger):
    rows = export(client_logged_in, as_of="2024-10-09", batch=ledger.second.pk)
    assert rows[0][1] == "2024-10-09"
    assert rows[1][1] == ledger.second.name
    figures = {(row[0], row[1]): row[2] for row in rows if len(row) >= 3}
    assert figures[("互动交流", "开展互动交流")] == "4"
    assert figures[("资金", "计划")] == "1500000.00"
    assert figures[("资金", "已拨付")] == "300000.01"


def test_export_neutralises_formula_like_names(client_logged_in, ledger):
    outlet = OutletFactory(name="=HYPERLINK(1)", responsible_body=ledger.group_a)
    SaleFactory(outlet=outlet, period=datetime.date(2024, 9, 1), amount=Decimal("10.00"))
    rows = export(client_logged_in, as_of="2024-10-09")
    assert [row[1] for row in rows if len(row) > 1 and "HYPERLINK" in row[1]] == ["'=HYPERLINK(1)"]


def test_export_with_unreadable_filters_goes_back_to_the_dashboard(client_logged_in, ledger):
    response = client_logged_in.get("/summary.csv", {"as_of": "yesterday"})
    assert response.status_code == 302
    assert response.url.startswith("/?")


def test_export_sends_anonymous_visitor_to_login(client):
    response = client.get("/summary.csv")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# The XLSX export ---------------------------------------------------------------------------


def export_xlsx(client, **params) -> list[list]:
    response = client.get("/summary.xlsx", params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows()]


def test_xlsx_holds_the_csv_figures_under_the_date_and_filters(client_logged_in, ledger):
    params = {"as_of": "2024-10-09", "batch": ledger.second.pk}
    cells = export_xlsx(client_logged_in, **params)
    values = [[cell.value for cell in row] for row in cells]
    assert values[0][0] == "台账汇总（截至 2024-10-09）"
    assert values[1][0] == f"批次：{ledger.second.name}"
    assert values[2][0] == "工作组：全部"
    assert values[3][0].startswith("导出时间：")
    header = values.index(["板块", "指标项", "数值", "单位", "万元"])
    csv_figures = export(client_logged_in, **params)[5:]
    assert len(values) - header - 1 == len(csv_figures)
    for row, csv_row in zip(values[header + 1 :], csv_figures, strict=True):
        assert [row[0], row[1], row[3] or ""] == [csv_row[0], csv_row[1], csv_row[3]]
        if row[4] is not None:
            assert Decimal(repr(row[4])) == Decimal(csv_row[4])
        if isinstance(row[2], int | float):
            assert Decimal(repr(row[2])) == Decimal(csv_row[2])
        else:
            assert (row[2] or "") == csv_row[2]


def test_xlsx_money_is_numeric_exact_to_the_fen_with_a_thousands_format(client_logged_in, ledger):
    cells = export_xlsx(client_logged_in, as_of="2024-10-09")
    figures = {(row[0].value, row[1].value): row[2] for row in cells if len(row) >= 3}
    disbursed = figures[("资金", "已拨付")]
    assert disbursed.data_type == "n"
    assert Decimal(repr(disbursed.value)) == Decimal("300000.01")
    assert disbursed.number_format == "#,##0.00"
    exchanges = figures[("互动交流", "开展互动交流")]
    assert (exchanges.value, exchanges.number_format) == (4, "General")
    assert figures[("资金", "执行率")].number_format == "0.0"


def test_xlsx_neutralises_formula_like_names(client_logged_in, ledger):
    outlet = OutletFactory(name="=HYPERLINK(1)", responsible_body=ledger.group_a)
    SaleFactory(outlet=outlet, period=datetime.date(2024, 9, 1), amount=Decimal("10.00"))
    cells = export_xlsx(client_logged_in, as_of="2024-10-09")
    names = [row[1].value for row in cells if len(row) > 1 and "HYPERLINK" in str(row[1].value)]
    assert names == ["'=HYPERLINK(1)"]


def test_dashboard_links_to_the_xlsx_with_its_filters(client_logged_in, ledger):
    response = client_logged_in.get("/", {"as_of": "2024-10-09", "batch": ledger.second.pk})
    expected = f'href="/summary.xlsx?as_of=2024-10-09&amp;batch={ledger.second.pk}"'
    assert expected in response.content.decode()


def test_xlsx_with_unreadable_filters_goes_back_to_the_dashboard(client_logged_in, ledger):
    response = client_logged_in.get("/summary.xlsx", {"as_of": "yesterday"})
    assert response.status_code == 302
    assert response.url.startswith("/?")


def test_xlsx_sends_anonymous_visitor_to_login(client):
    response = client.get("/summary.xlsx")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_projects_funds_name_the_largest_and_link_to_all_of_them(
    client_logged_in, ledger, monkeypatch
):
    monkeypatch.setattr(summary_module, "TOP_PROJECTS", 1)
    smaller = ProjectFactory(code="XM-SMALL", name="小项目", start_date=datetime.date(2024, 1, 1))
    FundingFactory(project=smaller, amount=Decimal("10.00"), approved_on=AS_OF)

    response = client_logged_in.get("/", {"as_of": AS_OF.isoformat()})

    funds = response.context["summary"].funds
    assert [project.name for project in funds.by_project] == ["优质肉牛全产业链"]
    html = response.content.decode()
    assert "2 个有资金安排的项目中最大的 1 个" in html
    assert "小项目" not in html
    url = response.context["links"]["projects_by_planned"]
    assert f'href="{url.replace("&", "&amp;")}"' in html
    listing = client_logged_in.get(url).content.decode()
    assert listing.index("优质肉牛全产业链") < listing.index("小项目")


def test_projects_funds_say_nothing_more_when_all_are_shown(client_logged_in, ledger):
    html = client_logged_in.get("/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "个有资金安排的项目中最大的" not in html


def test_indicators_show_the_first_lines_and_link_to_all_of_them(
    client_logged_in, ledger, monkeypatch
):
    monkeypatch.setattr(summary_module, "TOP_INDICATORS", 1)

    response = client_logged_in.get("/", {"as_of": AS_OF.isoformat()})

    assert len(response.context["summary"].indicators.lines) == 1
    html = response.content.decode()
    assert "按项目编号排列的前 1 个指标（共 2 个）" in html
    url = response.context["links"]["indicators_all"]
    assert f'href="{url.replace("&", "&amp;")}"' in html
    assert read_list(client_logged_in, url, ROWS) == 2
