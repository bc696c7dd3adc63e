"""Issue 18: the dashboard names every filter it is under (heading, print, exports and their
file names), its exports read as the page does (units, 万元), its date box shows the date the
heading shows, and its charts span the data rather than running on to today."""

import datetime
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.utils import timezone

from summary import dashboard
from summary.selectors import ledger_summary
from tests.summary.test_dashboard import export, export_xlsx
from tests.summary.test_summary import AS_OF, Ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def filename(response) -> str:
    """The file name a browser saves: RFC 6266 filename* (UTF-8) when present."""
    header = response["Content-Disposition"]
    star = re.search(r"filename\*=utf-8''([^;]+)", header, re.IGNORECASE)
    return unquote(star.group(1)) if star else re.search(r'filename="([^"]+)"', header).group(1)


def test_heading_names_the_batch_and_working_group(client_logged_in, ledger):
    params = {"as_of": "2024-10-09", "batch": ledger.second.pk, "body": ledger.group_a.pk}
    html = client_logged_in.get("/", params).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "2024年10月9日" in heading
    assert ledger.second.name in heading
    assert "产业扶持组" in heading


def test_heading_says_all_batches_when_unfiltered(client_logged_in, ledger):
    html = client_logged_in.get("/", {"as_of": "2024-10-09"}).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "全部批次" in heading


def test_export_file_names_are_chinese_and_carry_the_filters(client_logged_in, ledger):
    params = {"as_of": "2024-10-09", "batch": ledger.second.pk, "body": ledger.group_a.pk}
    for url, extension in (("/summary.csv", "csv"), ("/summary.xlsx", "xlsx")):
        response = client_logged_in.get(url, params)
        assert response.status_code == 200
        expected = f"工作汇总-{ledger.second.name}-产业扶持组-20241009.{extension}"
        assert filename(response) == expected
        assert "filename*=utf-8''" in response["Content-Disposition"]


def test_unfiltered_export_file_name_is_the_summary_and_date(client_logged_in, ledger):
    response = client_logged_in.get("/summary.xlsx", {"as_of": "2024-10-09"})
    assert filename(response) == "工作汇总-20241009.xlsx"


def test_english_export_file_name(client_logged_in, ledger):
    client_logged_in.cookies["django_language"] = "en"
    response = client_logged_in.get("/summary.csv", {"as_of": "2024-10-09"})
    assert filename(response) == "Work summary-20241009.csv"


def test_a_hostile_group_name_makes_a_safe_file_name(client_logged_in, ledger):
    ledger.group_a.name = 'a/b\\c:"d"\r\n'
    ledger.group_a.save()
    response = client_logged_in.get("/summary.csv", {"body": ledger.group_a.pk})
    name = filename(response)
    assert not set('/\\:"\r\n') & set(name)
    assert name.startswith("工作汇总-")


def test_exports_carry_the_working_group_above_the_figures(client_logged_in, ledger):
    rows = export(client_logged_in, as_of="2024-10-09", body=ledger.group_a.pk)
    assert rows[2] == ["工作组", "产业扶持组"]


def test_each_count_has_its_own_unit(client_logged_in, ledger):
    rows = export(client_logged_in, as_of="2024-10-09")
    units = {(row[0], row[1]): row[3] for row in rows if len(row) >= 4}
    assert units[("队员", "在岗队员")] == "人"
    assert units[("结对帮扶", "结对关系")] == "对"
    assert units[("互动交流", "开展互动交流")] == "场次"
    assert units[("结对帮带", "帮带队员")] == "人"
    assert units[("帮扶项目", "帮扶项目")] == "个"
    assert units[("资金", "计划")] == "元"
    assert "个数" not in {row[3] for row in rows if len(row) >= 4}
    funnel = [row for row in rows if len(row) >= 4 and row[0] == "招商引资"]
    assert {row[3] for row in funnel if row[1] not in ("注册资金", "计划投资")} == {"家"}


def test_money_is_exact_yuan_with_a_wan_yuan_column(client_logged_in, ledger):
    rows = export(client_logged_in, as_of="2024-10-09")
    header = next(row for row in rows if row and row[0] == "板块")
    assert header == ["板块", "指标项", "数值", "单位", "万元"]
    figures = {(row[0], row[1]): row for row in rows if len(row) >= 4}
    assert figures[("资金", "已拨付")][2:] == ["300000.01", "元", "30.00"]
    assert figures[("互动交流", "开展互动交流")][4] == ""
    cells = export_xlsx(client_logged_in, as_of="2024-10-09")
    by_name = {(row[0].value, row[1].value): row for row in cells if len(row) >= 5}
    wan = by_name[("资金", "已拨付")][4]
    assert Decimal(repr(wan.value)) == Decimal("30.00")
    assert wan.number_format == "#,##0.00"


def test_date_box_shows_the_date_of_the_heading(client_logged_in, ledger):
    html = client_logged_in.get("/").content.decode()
    box = re.search(r'<input[^>]*name="as_of"[^>]*>', html).group(0)
    assert f'value="{timezone.localdate().isoformat()}"' in box


def test_charts_end_with_the_data_not_today(ledger):
    summary = ledger_summary(as_of=datetime.date(2026, 12, 6))
    months = dashboard.chart_data(summary)["months"]
    assert months[0] == "2023-09"
    # The last exchange is 2024-10-10 and no payment is later: no months of nothing after it.
    assert months[-1] == "2024-10"


def test_charts_of_a_date_inside_the_data_end_on_that_date(ledger):
    months = dashboard.chart_data(ledger_summary(as_of=AS_OF))["months"]
    assert months[-1] == "2024-10"
    months = dashboard.chart_data(ledger_summary(as_of=datetime.date(2024, 3, 15)))["months"]
    assert months[-1] == "2024-03"
