"""The XLSX export beside every CSV export: same rows and columns, real numbers and dates,
the filters and time above a frozen header, formulas neutralised, login and query bounds."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.text import capfirst

from ledger.exports import MONEY_FORMAT, display_width, xlsx_file
from projects.models import Funding
from tests.factories import (
    BatchFactory,
    BodyFactory,
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    IndicatorFactory,
    MemberFactory,
    ProjectFactory,
)
from tests.utils import language_of

pytestmark = pytest.mark.django_db
D = datetime.date

# Every ledger list, with filters (and a sort) that keep some of the demo ledger's rows.
LISTS = {
    "/members/": {"q": "自贡市", "sort": "-name"},
    "/pairings/": {"category": "township", "sort": "-helper"},
    "/pairings/units/": {"side": "helped", "kind": "school"},
    "/pairings/exchanges/": {"kind": "visit", "date_from": "2023-07-01", "date_to": "2024-10-09"},
    "/pairings/mentorships/": {"active_on": "2024-10-09", "sort": "-start_date"},
    "/projects/": {"sector": "agriculture"},
    "/projects/funding/": {"source": "municipal", "sort": "-amount"},
    "/projects/disbursements/": {"paid_from": "2024-01-01", "sort": "-amount"},
    "/projects/indicators/": {"q": "牛"},
    "/projects/leads/": {"stage": "invited_on", "industry": "food_beverage"},
    "/projects/sales/": {"period_from": "2024-03", "product": "tea"},
}


class Sheet:
    """An exported workbook as a reader sees it: the lines above the table, the header, rows."""

    def __init__(self, response) -> None:
        assert response.status_code == 200
        self.language = language_of(response)
        self.content = b"".join(response.streaming_content)
        self.workbook = openpyxl.load_workbook(io.BytesIO(self.content))
        self.worksheet = self.workbook.active
        cells = list(self.worksheet.iter_rows())
        # The header is the first row after the empty one that ends the lines above the table.
        blank = next(i for i, row in enumerate(cells) if all(c.value is None for c in row))
        self.notes = [row[0].value for row in cells[:blank]]
        self.header_row = blank + 1  # 0-based index of the header row
        self.header = [cell.value for cell in cells[self.header_row]]
        self.cells = cells[self.header_row + 1 :]
        self.rows = [[cell.value for cell in row] for row in self.cells]

    def column(self, msgid: str) -> list:
        """The cells under a column, named by its label's msgid ("amount (yuan)")."""
        with translation.override(self.language):
            index = self.header.index(capfirst(translation.gettext(msgid)))
        return [row[index] for row in self.cells]

    def xml(self) -> str:
        with zipfile.ZipFile(io.BytesIO(self.content)) as archive:
            return archive.read("xl/worksheets/sheet1.xml").decode()


def csv_table(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content, newline="")))


def same_cell(text: str, value) -> bool:
    """An XLSX cell holds what the CSV cell says: the same text, number, date or nothing."""
    if value is None:
        return text == ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() == text
    if isinstance(value, int | float):
        return Decimal(text) == Decimal(repr(value))
    return value == text


@pytest.fixture
def demo(demo_ledger, db):
    """The shared demo ledger (tests/conftest.py), loaded once for the module."""


# Same rows, same columns ----------------------------------------------------------------------
# One test walks all eleven lists: a parametrised test per list would multiply the page loads.


def test_every_list_exports_to_xlsx_the_csv_rows_and_columns(client_logged_in, demo):
    for url, params in LISTS.items():
        table = csv_table(client_logged_in.get(f"{url}export.csv", params))
        sheet = Sheet(client_logged_in.get(f"{url}export.xlsx", params))
        assert len(table) > 1, f"{url}: the filters should keep some rows"
        assert sheet.header == table[0], url
        assert len(sheet.rows) == len(table) - 1, url
        for csv_row, xlsx_row in zip(table[1:], sheet.rows, strict=True):
            mismatched = [
                (text, value)
                for text, value in zip(csv_row, xlsx_row, strict=True)
                if not same_cell(text, value)
            ]
            assert not mismatched, url


def test_every_list_page_links_to_its_xlsx_with_the_page_filters(client_logged_in, demo):
    for url, filters in LISTS.items():
        page = client_logged_in.get(url, filters | {"per_page": 25, "page": 1})
        links = re.findall(r'href="([^"]*export\.(?:csv|xlsx)[^"]*)"', page.content.decode())
        csv_link, xlsx_link = (urlsplit(unescape(link)) for link in links)
        assert csv_link.path == f"{url}export.csv"
        assert xlsx_link.path == f"{url}export.xlsx"
        # The CSV's query: every filter and the sort, without the page's paging.
        assert parse_qs(xlsx_link.query) == parse_qs(csv_link.query), url
        assert parse_qs(xlsx_link.query) == {key: [value] for key, value in filters.items()}, url
        sheet = Sheet(client_logged_in.get(unescape(links[1])))
        assert len(sheet.rows) == page.context["page"].paginator.count, url


def test_an_export_with_unreadable_filters_goes_back_to_the_list(client_logged_in, demo):
    response = client_logged_in.get("/pairings/exchanges/export.xlsx", {"date_from": "2024-13-45"})
    assert response.status_code == 302
    assert urlsplit(response.url).path == "/pairings/exchanges/"


# Cells ------------------------------------------------------------------------------------------


@pytest.fixture
def money(db):
    body = BodyFactory(name="产业扶持组")
    project = ProjectFactory(code="NY-01", name="优质肉牛全产业链", responsible_body=body)
    # The largest amount a MoneyField holds (14 digits), and the largest payments under it.
    line = FundingFactory(project=project, year=2024, amount=Decimal("999999999999.99"))
    for amount, day in [
        (Decimal("123456789012.34"), D(2024, 3, 9)),
        (Decimal("0.10"), D(2024, 3, 10)),
        (Decimal("2500000.01"), D(2024, 3, 11)),
        (Decimal("0.07"), D(2024, 3, 12)),
    ]:
        DisbursementFactory(funding=line, amount=amount, paid_on=day)
    IndicatorFactory(project=project, name="能繁母牛和存栏肉牛", target=Decimal("109800"))
    IndicatorFactory(project=project, name="资金", target=Decimal("12.5"), unit="万元")
    return line


def test_money_cells_are_numbers_exact_to_the_fen_with_a_thousands_format(client_logged_in, money):
    sheet = Sheet(client_logged_in.get("/projects/disbursements/export.xlsx", {"sort": "paid_on"}))
    cells = sheet.column("amount (yuan)")
    assert [Decimal(repr(cell.value)) for cell in cells] == [
        Decimal("123456789012.34"),
        Decimal("0.10"),
        Decimal("2500000.01"),
        Decimal("0.07"),
    ]
    assert all(cell.data_type == "n" for cell in cells)
    assert all(cell.number_format == MONEY_FORMAT for cell in cells)
    # The file holds the amounts' own digits, never a float's rounding of them.
    xml = sheet.xml()
    for text in ("123456789012.34", "0.10", "2500000.01", "0.07"):
        assert f"<v>{text}</v>" in xml


def test_money_sums_of_the_sheet_match_the_ledger_to_the_fen(client_logged_in, money):
    sheet = Sheet(client_logged_in.get("/projects/funding/export.xlsx"))
    (planned,) = (Decimal(repr(cell.value)) for cell in sheet.column("planned (yuan)"))
    (disbursed,) = (Decimal(repr(cell.value)) for cell in sheet.column("disbursed (yuan)"))
    (remaining,) = (Decimal(repr(cell.value)) for cell in sheet.column("remaining (yuan)"))
    assert planned == Funding.objects.get().amount == Decimal("999999999999.99")
    assert disbursed == Decimal("123459289012.52")
    assert remaining == planned - disbursed


def test_dates_are_date_cells_and_counts_are_whole_numbers(client_logged_in, money):
    ExchangeFactory(date=D(2024, 10, 9), participants=12, new_techniques=3)
    exchanges = Sheet(client_logged_in.get("/pairings/exchanges/export.xlsx"))
    (date,) = exchanges.column("date")
    assert date.is_date
    assert date.value.date() == D(2024, 10, 9)
    assert date.value.time() == datetime.time(0, 0)
    assert date.number_format == "yyyy-mm-dd"
    (participants,) = exchanges.column("participants")
    assert participants.value == 12
    assert isinstance(participants.value, int)
    years = Sheet(client_logged_in.get("/projects/funding/export.xlsx")).column("year")
    assert [(cell.value, cell.number_format) for cell in years] == [(2024, "General")]


def test_quantities_and_rates_read_as_on_the_page(client_logged_in, money):
    sheet = Sheet(client_logged_in.get("/projects/indicators/export.xlsx", {"sort": "-target"}))
    targets = sheet.column("target")
    assert [(cell.value, cell.number_format) for cell in targets] == [
        (109800, "#,##0"),
        (12.5, "#,##0.0"),
    ]
    rates = Sheet(client_logged_in.get("/projects/funding/export.xlsx")).column(
        "execution rate (%)"
    )
    assert [cell.number_format for cell in rates] == ["0.0"]
    assert Decimal(repr(rates[0].value)) == Decimal("12.3")


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://example.org","x")',
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "  =1+1",
        "\u3000=1+1",
        "\u00a0@SUM(A1)",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
    ],
)
def test_text_that_looks_like_a_formula_is_neutralised_and_stays_text(client_logged_in, text):
    ExchangeFactory(title=text, outcome=text)
    sheet = Sheet(client_logged_in.get("/pairings/exchanges/export.xlsx"))
    (title,) = sheet.column("title")
    assert title.value == "'" + text
    assert title.data_type == "s"
    assert "<f>" not in sheet.xml()


def test_negative_numbers_stay_numbers_but_text_is_neutralised(client_logged_in):
    # A number we format ourselves is left alone, as in the CSV; only text is prefixed.
    book = openpyxl.load_workbook(
        xlsx_file(
            title="t",
            notes=[],
            header=["amount", "text"],
            kinds=["money", "text"],
            rows=[[Decimal("-12.50"), "-12.50"]],
        )
    )
    amount, text = next(book.active.iter_rows(min_row=4, values_only=True))
    assert amount == -12.5
    assert text == "'-12.50"


def test_a_figure_beyond_excels_fifteen_digits_is_written_as_text_not_rounded():
    book = openpyxl.load_workbook(
        xlsx_file(
            title="t",
            notes=[],
            header=["total"],
            kinds=["money"],
            rows=[[Decimal("12345678901234.56")], [Decimal("1234567890123.45")]],
        )
    )
    (big,), (fits,) = book.active.iter_rows(min_row=4, values_only=True)
    assert big == "12345678901234.56"
    assert Decimal(repr(fits)) == Decimal("1234567890123.45")


# Above the table ---------------------------------------------------------------------------------


def test_title_filters_and_export_time_sit_above_a_frozen_filtered_header(client_logged_in):
    batch = BatchFactory(name="第二批")
    industry = BodyFactory(batch=batch, name="产业扶持组")
    for day in (D(2024, 5, 1), D(2024, 6, 1), D(2023, 1, 1)):
        ExchangeFactory(lead_body=industry, date=day, kind="visit")
    ExchangeFactory(lead_body=BodyFactory(batch=batch, name="社会事业组"), date=D(2024, 5, 2))
    params = {"batch": batch.pk, "body": industry.pk, "kind": "visit", "date_from": "2024-01-01"}
    before = timezone.localtime()
    sheet = Sheet(client_logged_in.get("/pairings/exchanges/export.xlsx", params))
    title, filters, exported = sheet.notes[:3]
    assert sheet.language == "zh-hans"  # the ledger's default
    assert title == "互动交流"
    assert filters == (
        "筛选条件：批次：第二批；类型：考察互访；牵头机构：第二批 · 产业扶持组；"
        "起始日期：2024-01-01"
    )
    after = timezone.localtime()
    assert exported in {f"导出时间：{moment:%Y-%m-%d %H:%M}" for moment in (before, after)}
    assert len(sheet.rows) == 2
    worksheet = sheet.worksheet
    first_data_row = sheet.header_row + 2  # 1-based, the row under the header
    assert worksheet.freeze_panes == f"A{first_data_row}"
    assert worksheet.auto_filter.ref == f"A{sheet.header_row + 1}:K{first_data_row + 1}"
    assert worksheet.title == "互动交流"


def test_filters_print_as_the_page_words_them(client_logged_in, demo):
    params = {"period_from": "2024-03", "product": "tea"}
    page = client_logged_in.get("/projects/sales/", params)
    sheet = Sheet(client_logged_in.get("/projects/sales/export.xlsx", params))
    assert sheet.notes[1] == "筛选条件：产品：茶叶；起始月份：2024-03"
    html = page.content.decode()
    assert '<option value="tea" selected>茶叶</option>' in html
    assert "起始月份" in html


def test_a_linked_filter_is_named_like_the_chip_on_the_page(client_logged_in, money):
    project = money.project
    params = {"project": project.pk}
    page = client_logged_in.get("/projects/disbursements/", params)
    sheet = Sheet(client_logged_in.get("/projects/disbursements/export.xlsx", params))
    assert f"帮扶项目 · {project}" in page.content.decode()
    assert sheet.notes[1] == f"筛选条件：帮扶项目：{project}"


def test_without_filters_the_sheet_says_it_holds_every_row(client_logged_in, money, settings):
    client_logged_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    response = client_logged_in.get("/projects/indicators/export.xlsx")
    sheet = Sheet(response)
    assert sheet.language == "en"
    assert sheet.header[:2] == ["Project code", "Project"]
    assert sheet.notes[1] == "Filters: none (all rows)"
    assert sheet.notes[2].startswith("Exported at ")


def test_a_list_with_totals_prints_them_over_the_filtered_rows(client_logged_in, money):
    params = {"paid_from": "2024-03-11"}
    sheet = Sheet(client_logged_in.get("/projects/disbursements/export.xlsx", params))
    assert sheet.notes[3] == "筛选结果合计：已拨付：2,500,000.08 元"


def test_text_above_the_table_and_in_the_header_is_neutralised_too():
    book = openpyxl.load_workbook(
        xlsx_file(title="=t", notes=["+n", "plain"], header=["@h"], kinds=["text"], rows=[])
    )
    title, note, plain, blank, header = book.active.iter_rows(values_only=True)
    assert (title, note, plain, blank, header) == (
        ("'=t",),
        ("'+n",),
        ("plain",),
        (None,),
        ("'@h",),
    )


def test_columns_are_wide_enough_for_chinese_text(client_logged_in):
    MemberFactory(name="欧阳娜娜", home_unit="自贡市社会保险事务中心")
    sheet = Sheet(client_logged_in.get("/members/export.xlsx"))
    widths = sheet.worksheet.column_dimensions
    assert widths["D"].width >= display_width("自贡市社会保险事务中心") == 22
    assert widths["A"].width >= display_width("姓名")
    assert all(widths[letter].width <= 52 for letter in "ABCDEFGHIJK")


# The download -----------------------------------------------------------------------------------


def test_the_download_is_an_xlsx_attachment_with_the_lists_chinese_name(client_logged_in, money):
    response = client_logged_in.get("/projects/disbursements/export.xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "%E8%B5%84%E9%87%91%E6%8B%A8%E4%BB%98-" in disposition  # 资金拨付-
    assert disposition.endswith(".xlsx")
    assert response["Cache-Control"] == "no-store"
    assert Sheet(response).rows


@pytest.mark.parametrize("url", LISTS)
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(f"{url}export.xlsx")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# Queries ----------------------------------------------------------------------------------------


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        assert response.status_code == 200
        b"".join(response.streaming_content)
    return len(queries)


def test_xlsx_runs_the_csv_queries_and_one_for_the_totals(client_logged_in, demo):
    # The CSV's query counts are held constant by each ledger's list tests.
    for url in LISTS:
        view = resolve(url).func.view_class
        csv_queries = queries_for(client_logged_in, f"{url}export.csv")
        xlsx_queries = queries_for(client_logged_in, f"{url}export.xlsx")
        assert xlsx_queries == csv_queries + (view.totals_queries if view.totals else 0), url


def test_xlsx_query_count_does_not_grow_with_rows(client_logged_in, settings):
    settings.EXPORT_CHUNK_ROWS = 50
    body = BodyFactory()
    line = FundingFactory(project=ProjectFactory(responsible_body=body))
    DisbursementFactory(funding=line, amount=Decimal("1.00"))
    few = queries_for(client_logged_in, "/projects/disbursements/export.xlsx")
    for _ in range(49):
        DisbursementFactory(funding=line, amount=Decimal("1.00"))
    assert queries_for(client_logged_in, "/projects/disbursements/export.xlsx") == few
