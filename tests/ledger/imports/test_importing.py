"""run_import(): every row checked first, then all written or none; re-import is idempotent;
references, money rules and roles apply."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import translation

from ledger.imports.run import run_import
from ledger.imports.specs import specs
from pairings.models import Exchange, ExchangeKind, Unit, UnitKind
from projects.models import Disbursement, Funding
from tests.factories import BodyFactory, DisbursementFactory, FundingFactory, ProjectFactory
from tests.ledger.imports.conftest import EXCHANGE_HEADER, csv_bytes, exchange_rows, xlsx_bytes


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def exchanges_spec():
    return specs()["exchanges"]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8", "gb18030"])
def test_exchanges_csv_with_one_wrong_date_imports_nothing_then_all_once_fixed(
    hospital_pairing, encoding
):
    broken = csv_bytes(EXCHANGE_HEADER, exchange_rows(20, bad_row=7), encoding=encoding)
    result = run_import(exchanges_spec(), broken)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(7, "Date", "2024/2/30")]
    assert Exchange.objects.count() == 0

    fixed = csv_bytes(EXCHANGE_HEADER, exchange_rows(20), encoding=encoding)
    result = run_import(exchanges_spec(), fixed)
    assert result.ok, result.report()
    assert result.counts == {"new": 20, "updated": 0, "unchanged": 0}
    assert Exchange.objects.count() == 20
    assert {e.pairings.get() for e in Exchange.objects.all()} == {hospital_pairing}


def test_exchanges_xlsx_with_excel_date_cells(hospital_pairing):
    rows = exchange_rows(20, bad_row=7)
    for row in rows:
        if row[0] != "2024/2/30":
            year, month, day = (int(part) for part in row[0].split("/"))
            row[0] = datetime.datetime(year, month, day)  # noqa: DTZ001 (Excel cells are naive)
        row[6] = int(row[6])
    result = run_import(exchanges_spec(), xlsx_bytes(EXCHANGE_HEADER, rows))
    assert [(e.row, e.column) for e in result.errors] == [(7, "Date")]
    assert Exchange.objects.count() == 0
    rows[5][0] = datetime.datetime(2024, 3, 6)  # noqa: DTZ001 (Excel cells are naive)
    result = run_import(exchanges_spec(), xlsx_bytes(EXCHANGE_HEADER, rows))
    assert result.counts["new"] == 20
    assert Exchange.objects.get(title="医院交流06").date == datetime.date(2024, 3, 6)


def test_reimport_is_idempotent_and_updates_what_changed(hospital_pairing):
    data = csv_bytes(EXCHANGE_HEADER, exchange_rows(5))
    run_import(exchanges_spec(), data)
    again = run_import(exchanges_spec(), data)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 5}
    rows = exchange_rows(5)
    rows[2][5] = "平昌县中医院"
    changed = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows))
    assert changed.counts == {"new": 0, "updated": 1, "unchanged": 4}
    assert Exchange.objects.count() == 5
    assert Exchange.objects.get(title="医院交流03").place == "平昌县中医院"


def test_english_code_names_and_any_column_order(hospital_pairing):
    header = ["lead_body", "pairings", "title", "date", "kind"]
    rows = [
        [
            "第二批 · 产业扶持组",
            "自贡市第一人民医院 <-> 平昌县人民医院",
            "讲座",
            "2024-5-1",
            "lecture",
        ]
    ]
    result = run_import(exchanges_spec(), csv_bytes(header, rows))
    assert result.ok, result.report()
    assert Exchange.objects.get().kind == ExchangeKind.LECTURE


def test_extra_columns_are_reported_and_missing_required_ones_refused(hospital_pairing):
    header = ["序号", *EXCHANGE_HEADER]
    rows = [[1, *exchange_rows(1)[0]]]
    result = run_import(exchanges_spec(), csv_bytes(header, rows))
    assert result.ok
    assert any("序号" in warning for warning in result.warnings)

    result = run_import(
        exchanges_spec(), csv_bytes(EXCHANGE_HEADER[:3], [["2024-1-1", "a", "培训"]])
    )
    assert {e.column for e in result.errors} == {"Pairings", "Lead body"}
    assert all(e.row == 1 for e in result.errors)
    assert Exchange.objects.count() == 1


def test_duplicated_rows_in_one_file_are_errors(hospital_pairing):
    rows = exchange_rows(3)
    rows.append(list(rows[0]))
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows))
    assert [(e.row, "row 2" in e.message) for e in result.errors] == [(5, True)]
    assert Exchange.objects.count() == 0


def test_every_error_is_listed_with_row_column_and_value(hospital_pairing):
    rows = exchange_rows(4)
    rows[0][3] = "不存在的单位 ↔ 平昌县人民医院"
    rows[2][6] = "-3"
    rows[3][2] = "联欢"
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows))
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "Pairings", "不存在的单位 ↔ 平昌县人民医院"),
        (4, "Participants", "-3"),
        (5, "Kind", "联欢"),
    ]
    assert str(result.errors[0]).startswith("row 2 · Pairings · ")
    assert Exchange.objects.count() == 0


def test_a_database_error_while_writing_rolls_back_every_row(hospital_pairing, monkeypatch):
    from pairings import imports

    calls = []
    real = imports.record_exchange

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise IntegrityError("simulated")
        return real(**kwargs)

    monkeypatch.setattr(imports, "record_exchange", failing)
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, exchange_rows(5)))
    assert not result.ok
    assert "simulated" in result.report()
    assert Exchange.objects.count() == 0


def test_dry_run_writes_nothing(hospital_pairing):
    result = run_import(
        exchanges_spec(), csv_bytes(EXCHANGE_HEADER, exchange_rows(3)), dry_run=True
    )
    assert result.counts["new"] == 3
    assert Exchange.objects.count() == 0


def test_a_unit_that_does_not_exist_on_that_side(group_a):
    programme = group_a.batch.programme
    Unit.objects.create(programme=programme, side="helped", kind="hospital", name="平昌县人民医院")
    header = ["帮扶方单位", "受帮扶方单位", "签订日期", "责任工作组"]
    rows = [["平昌县人民医院", "平昌县人民医院", "2023-9-1", "产业扶持组"]]
    result = run_import(specs()["pairings"], csv_bytes(header, rows))
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "Helper unit", "平昌县人民医院")
    ]


def test_units_import_and_a_pairing_refers_to_them(group_a):
    header = ["名称", "所属方", "类型"]
    rows = [["自贡市第一中学", "帮扶方", "学校"], ["平昌中学", "受帮扶方", "school"]]
    result = run_import(specs()["units"], csv_bytes(header, rows))
    assert result.ok, result.report()
    result = run_import(
        specs()["pairings"],
        csv_bytes(
            ["helper", "helped", "signed_on", "responsible_body"],
            [["自贡市第一中学", "平昌中学", "2023年9月1日", "第二批·产业扶持组"]],
        ),
    )
    assert result.ok, result.report()
    assert group_a.pairings.get().category == UnitKind.SCHOOL


def funding_file(rows):
    return csv_bytes(["帮扶项目", "资金来源", "年度", "计划金额（元）"], rows)


def test_negative_money_and_amounts_in_wan_are_refused(group_a):
    project = ProjectFactory(code="NY-2023-01", responsible_body=group_a)
    result = run_import(
        specs()["funding"],
        funding_file(
            [["NY-2023-01", "市级财政", "2024", "-5"], ["NY-2023-01", "区县", "2024", "1000万"]]
        ),
    )
    assert [(e.row, e.value) for e in result.errors] == [(2, "-5"), (3, "1000万")]
    assert not project.fundings.exists()


def test_funding_lines_import_with_thousands_separators(group_a):
    project = ProjectFactory(code="NY-2023-01", responsible_body=group_a)
    rows = [["NY-2023-01", "市级财政", "2024", "10,000,000.00"]]
    result = run_import(specs()["funding"], funding_file(rows))
    assert result.ok, result.report()
    assert project.fundings.get().amount == Decimal("10000000.00")


DISBURSEMENT_HEADER = [
    "帮扶项目",
    "funding_source",
    "funding_year",
    "拨付日期",
    "金额（元）",
    "收款单位",
]


def test_disbursements_over_their_funding_line_are_refused_together(group_a):
    funding = FundingFactory(
        project__code="NY-2023-01", project__responsible_body=group_a, amount=Decimal("1000.00")
    )
    DisbursementFactory(funding=funding, amount=Decimal("400.00"))
    rows = [
        ["NY-2023-01", "市级财政", "2024", "2024-5-1", "300.00", "甲合作社"],
        ["NY-2023-01", "市级财政", "2024", "2024-5-2", "300.01", "乙合作社"],
    ]
    result = run_import(specs()["disbursements"], csv_bytes(DISBURSEMENT_HEADER, rows))
    assert len(result.errors) == 1
    assert result.errors[0].row == 2
    assert "1,000.01" in result.errors[0].message
    assert Disbursement.objects.count() == 1
    rows[1][4] = "300.00"
    result = run_import(specs()["disbursements"], csv_bytes(DISBURSEMENT_HEADER, rows))
    assert result.ok, result.report()
    assert Disbursement.objects.count() == 3


def test_a_disbursement_naming_a_missing_funding_line(group_a):
    ProjectFactory(code="NY-2023-01", responsible_body=group_a)
    rows = [["NY-2023-01", "市级财政", "2024", "2024-5-1", "300.00", "甲合作社"]]
    result = run_import(specs()["disbursements"], csv_bytes(DISBURSEMENT_HEADER, rows))
    assert [e.row for e in result.errors] == [2]
    assert not Funding.objects.exists()


def test_two_lines_of_one_source_and_year_are_told_apart_by_line_number(group_a):
    ProjectFactory(code="GY-2024-03", responsible_body=group_a)
    header = ["帮扶项目", "资金来源", "年度", "line", "计划金额（元）"]
    rows = [
        ["GY-2024-03", "企业投资", "2024", "1", "3500000"],
        ["GY-2024-03", "企业投资", "2024", "2", "2500000"],
    ]
    assert run_import(specs()["funding"], csv_bytes(header, rows)).counts["new"] == 2
    rows[1][4] = "2600000"
    result = run_import(specs()["funding"], csv_bytes(header, rows))
    assert result.counts == {"new": 0, "updated": 1, "unchanged": 1}
    assert sorted(Funding.objects.values_list("amount", flat=True)) == [
        Decimal("2600000.00"),
        Decimal("3500000.00"),
    ]


# Roles ---------------------------------------------------------------------------------------


def test_editor_imports_rows_of_their_own_working_group(hospital_pairing, editor_a):
    result = run_import(
        exchanges_spec(), csv_bytes(EXCHANGE_HEADER, exchange_rows(3)), user=editor_a
    )
    assert result.ok, result.report()
    assert Exchange.objects.count() == 3


def test_editor_rows_for_another_working_group_are_errors(hospital_pairing, editor_b, group_b):
    rows = exchange_rows(3)
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows), user=editor_b)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "Lead body"),
        (3, "Lead body"),
        (4, "Lead body"),
    ]
    assert "第二批 · 产业扶持组" in result.errors[0].value
    assert Exchange.objects.count() == 0
    rows[0][4] = "第二批 · 社会事业组"
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows[:1]), user=editor_b)
    assert result.ok, result.report()


def test_editor_cannot_update_another_groups_record(hospital_pairing, editor_b):
    data = csv_bytes(EXCHANGE_HEADER, exchange_rows(1))
    run_import(exchanges_spec(), data)
    rows = exchange_rows(1)
    rows[0][4] = "第二批 · 社会事业组"  # taking group A's exchange over
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows), user=editor_b)
    assert [e.row for e in result.errors] == [2]
    assert Exchange.objects.get().lead_body.name == "产业扶持组"


def test_viewer_may_import_nothing(hospital_pairing, viewer):
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, exchange_rows(1)), user=viewer)
    assert [e.row for e in result.errors] == [0]
    assert Exchange.objects.count() == 0


def test_editor_may_not_import_reference_data_but_may_add_units(group_a, editor_a):
    members = csv_bytes(["批次", "姓名"], [["第二批", "张三"]])
    assert not run_import(specs()["members"], members, user=editor_a).ok
    programme = group_a.batch.programme.name
    units = csv_bytes(
        ["名称", "所属方", "类型", "帮扶关系"], [["自贡一中", "帮扶方", "学校", programme]]
    )
    result = run_import(specs()["units"], units, user=editor_a)
    assert result.ok, result.report()


def test_a_body_name_shared_by_two_batches_must_name_its_batch(hospital_pairing, group_a):
    BodyFactory(name="产业扶持组", batch__programme=group_a.batch.programme, batch__name="第三批")
    rows = exchange_rows(1)
    rows[0][4] = "产业扶持组"
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows))
    assert "第二批 · 产业扶持组" in result.errors[0].message


def test_names_differing_only_in_brackets_are_different_units(hospital_pairing):
    programme = hospital_pairing.helper.programme
    Unit.objects.create(
        programme=programme, side="helped", kind="hospital", name="平昌县人民医院（本部）"
    )
    rows = exchange_rows(1)
    rows[0][3] = "自贡市第一人民医院 ↔ 平昌县人民医院"
    result = run_import(exchanges_spec(), csv_bytes(EXCHANGE_HEADER, rows))
    assert result.ok, result.report()
    assert Exchange.objects.get().pairings.get() == hospital_pairing
