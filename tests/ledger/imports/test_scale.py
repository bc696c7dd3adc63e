"""Imports and the records file at scale: the records file in the import format holds exactly
the list's filtered rows, read a chunk at a time in a constant number of queries; an import
checks and writes its rows in a constant number of queries too, each record with its history."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ledger.imports.run import run_import
from ledger.imports.specs import specs
from projects.models import Disbursement
from tests.factories import DisbursementFactory, FundingFactory, ProjectFactory, UserFactory
from tests.ledger.imports.conftest import csv_bytes

RECORDS = "/projects/disbursements/records.xlsx"


def sheet_rows(response) -> tuple[list, list[tuple]]:
    """The header and the rows of a records file's first sheet; the names of its sheets."""
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return rows[0], rows[1:], book.sheetnames


@pytest.fixture
def paid(db):
    project = ProjectFactory(code="NY-2024-01")
    DisbursementFactory(funding=FundingFactory(project=project), payee="甲合作社")
    DisbursementFactory(funding=FundingFactory(project=project, year=2023), payee="乙合作社")
    DisbursementFactory(payee="甲合作社二")
    return project


def test_records_file_holds_exactly_the_filtered_rows(client_logged_in, paid):
    header, rows, _sheets = sheet_rows(client_logged_in.get(RECORDS, {"q": "甲合作社"}))
    payee = header.index("收款单位")
    assert sorted(row[payee] for row in rows) == ["甲合作社", "甲合作社二"]
    header, rows, _sheets = sheet_rows(client_logged_in.get(RECORDS, {"project": paid.pk}))
    assert sorted(row[payee] for row in rows) == ["乙合作社", "甲合作社"]


def test_records_file_numbers_a_filtered_line_as_the_whole_ledger_does(client_logged_in, db):
    project = ProjectFactory()
    FundingFactory(project=project, amount=Decimal("100.00"))
    second = FundingFactory(project=project, amount=Decimal("200.00"))
    response = client_logged_in.get("/projects/funding/records.xlsx", {"q": project.code})
    header, rows, _sheets = sheet_rows(response)
    line = header.index("同来源同年度序号")
    assert [row[line] for row in rows] == [1, 2]
    DisbursementFactory(funding=second, payee="只付第二笔")
    header, rows, _sheets = sheet_rows(client_logged_in.get(RECORDS, {"q": "只付第二笔"}))
    assert [row[header.index("资金安排序号")] for row in rows] == [2]


def test_records_file_with_a_filter_matching_nothing_has_only_the_header(client_logged_in, paid):
    header, rows, sheets = sheet_rows(client_logged_in.get(RECORDS, {"q": "没有这个单位"}))
    assert header[0] == "帮扶项目"
    assert rows == []
    assert len(sheets) == 2  # and the sheet explaining the columns


def test_list_page_links_the_records_file_with_its_filter(client, ledger_admin, paid):
    # The import format is offered to those who may import (issue 18: not to viewers).
    client.force_login(ledger_admin)
    page = client.get(reverse("disbursements"), {"q": "甲", "page": "1"})
    content = page.content.decode()
    assert f"{RECORDS}?q=%E7%94%B2" in content


@pytest.mark.parametrize("count", [3, 30])
def test_records_file_queries_do_not_grow_with_the_rows(
    client_logged_in, db, count, django_assert_max_num_queries
):
    funding = FundingFactory()
    for _n in range(count):
        DisbursementFactory(funding=funding)
    with django_assert_max_num_queries(12):
        response = client_logged_in.get(RECORDS)
    _header, rows, _sheets = sheet_rows(response)
    assert len(rows) == count


def disbursement_rows(project, count: int) -> list[list[str]]:
    day = datetime.date(2024, 3, 1)
    dates = [str(day + datetime.timedelta(days=n)) for n in range(count)]
    return [
        [project.code, "市级财政", "2024", "", date, "10.00", f"收款单位{n}"]
        for n, date in enumerate(dates)
    ]


HEADER = ["帮扶项目", "资金来源", "资金年度", "资金安排序号", "拨付日期", "金额（元）", "收款单位"]


@pytest.mark.parametrize("count", [5, 50])
def test_an_import_checks_and_writes_in_queries_that_do_not_grow_with_the_rows(
    db, count, django_assert_max_num_queries
):
    project = ProjectFactory()
    FundingFactory(project=project, amount=Decimal("1000.00"))
    user = UserFactory(is_superuser=True)
    data = csv_bytes(HEADER, disbursement_rows(project, count))
    with django_assert_max_num_queries(30):
        result = run_import(specs()["disbursements"], data, user=user)
    assert result.ok, result.report()
    assert Disbursement.objects.count() == count
    history = Disbursement.history.filter(history_type="+")
    assert history.count() == count
    assert set(history.values_list("history_user", flat=True)) == {user.pk}


def test_an_import_that_overdraws_a_line_writes_nothing(db):
    project = ProjectFactory()
    FundingFactory(project=project, amount=Decimal("45.00"))
    # A payee no row of the file has: the factory's own ("收款单位0" when it is the process's
    # first) would make row 1 the same payment, unchanged, and nothing would overdraw.
    DisbursementFactory(
        funding=project.fundings.get(), amount=Decimal("10.00"), payee="已有收款单位"
    )
    data = csv_bytes(HEADER, disbursement_rows(project, 4))
    result = run_import(specs()["disbursements"], data, user=UserFactory(is_superuser=True))
    assert [error.row for error in result.errors] == [2]
    assert "35.00" in result.errors[0].message  # what remains of the plan
    assert Disbursement.objects.count() == 1
    assert Disbursement.history.count() == 1  # the factory's row only
