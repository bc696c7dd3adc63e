"""The assessment pack: the briefing, every ledger's XLSX and the evidence of the range's
records in folders by ledger and record, and an index that accounts for every record."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from evidence.models import FileKind
from ledger import permissions
from reports.pack import Scope, build_pack, record_folder, safe_name
from reports.periods import parse_period
from tests.evidence import samples
from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    ProjectFactory,
    make_evidence,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(group_a, group_b, editor_a):
    """A payment of 2024 with two vouchers of the same name, one of 2023 (outside the range)
    with a voucher, an exchange without files, and a group-B project whose file is gone."""
    paid = DisbursementFactory(
        funding__project__responsible_body=group_a,
        paid_on=datetime.date(2024, 9, 15),
        payee="某某合作社",
        amount=Decimal("500000.00"),
    )
    for title in ("拨付凭证", "银行回单"):
        make_evidence(
            paid,
            uploaded_by=editor_a,
            name="凭证.pdf",
            content=samples.pdf(),
            kind=FileKind.PDF,
            title=title,
        )
    earlier = DisbursementFactory(
        funding__project__responsible_body=group_a, paid_on=datetime.date(2023, 12, 1)
    )
    make_evidence(earlier, uploaded_by=editor_a, name="去年的凭证.pdf", content=samples.pdf(),
                  kind=FileKind.PDF)  # fmt: skip
    exchange = ExchangeFactory(lead_body=group_a, date=datetime.date(2024, 5, 20))
    project_b = ProjectFactory(responsible_body=group_b, name="乡村治理示范")
    gone = make_evidence(project_b, uploaded_by=editor_a, name="现场照片.jpg")
    gone.file.storage.delete(gone.file.name)
    return {"paid": paid, "earlier": earlier, "exchange": exchange, "project_b": project_b}


def build(user, period: str = "2024") -> tuple[zipfile.ZipFile, dict]:
    output = io.BytesIO()
    with translation.override("zh-hans"):
        counts = build_pack(
            Scope(parse_period(period)), user=user, output=output, progress=lambda *_: None
        )
    return zipfile.ZipFile(output), counts


def index_rows(pack: zipfile.ZipFile) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(pack.read("索引.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(("台账", "记录", "材料标题", "包内路径", "日期", "状态"))
    return rows[header + 1 :]


def test_the_pack_holds_the_briefing_the_ledgers_and_the_evidence_by_record(ledger, viewer):
    pack, counts = build(viewer)
    names = pack.namelist()
    assert "对口帮扶工作简报.docx" in names
    for title in ("结对帮扶", "互动交流", "帮扶项目", "资金安排", "资金拨付", "消费帮扶销售"):
        assert f"台账/{title}.xlsx" in names
    folder = "佐证材料/资金拨付/2024-09-15 某某合作社 500000.00"
    assert f"{folder}/凭证.pdf" in names
    assert f"{folder}/凭证 (2).pdf" in names
    assert pack.read(f"{folder}/凭证.pdf") == samples.pdf()
    assert not any("去年的凭证" in name for name in names)  # paid in 2023: not the range's
    assert counts["files"] == 2
    assert counts["missing"] == 1


def test_the_index_lists_every_record_its_files_and_those_without(ledger, viewer):
    pack, counts = build(viewer)
    rows = index_rows(pack)
    paid = [row for row in rows if row[0] == "资金拨付"]
    assert sorted((row[2], row[5]) for row in paid) == [
        ("拨付凭证", "已收录"),
        ("银行回单", "已收录"),
    ]
    assert all(row[3] in pack.namelist() for row in paid)
    exchange = [row for row in rows if row[0] == "互动交流"]
    assert [(row[1], row[5]) for row in exchange] == [(str(ledger["exchange"]), "无佐证材料")]
    missing = [row for row in rows if row[5] == "文件缺失"]
    assert [(row[0], row[3]) for row in missing] == [("帮扶项目", None)]
    # Every record of the pack's ledgers is in the index, with its files or "none".
    assert len({(row[0], row[1]) for row in rows}) == counts["records"]


def test_the_pack_holds_only_what_the_user_may_read(ledger, viewer, monkeypatch):
    def group_a_only(user, record):
        return ledger["project_b"].responsible_body_id not in record.responsible_body_ids()

    monkeypatch.setattr(permissions, "can_view", group_a_only)
    pack, counts = build(viewer)
    rows = index_rows(pack)
    assert "文件缺失" not in [row[5] for row in rows]  # the group-B project's file
    assert str(ledger["project_b"]) not in [row[1] for row in rows]
    assert counts["missing"] == 0


def test_an_account_without_a_role_gets_no_evidence(ledger, no_role_user):
    pack, counts = build(no_role_user)
    assert counts["records"] == 0
    assert not [name for name in pack.namelist() if name.startswith("佐证材料/")]


def test_a_year_before_the_records_still_makes_a_pack(ledger, viewer):
    pack, counts = build(viewer, "2019")
    assert "对口帮扶工作简报.docx" in pack.namelist()
    assert "台账/资金拨付.xlsx" in pack.namelist()
    # No payment, exchange or voucher of 2019; undated projects stand in every period.
    ledgers = {row[0] for row in index_rows(pack)}
    assert "资金拨付" not in ledgers
    assert "互动交流" not in ledgers
    assert counts["files"] == 0


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "etc passwd"),
        ('凭证:2024*?"<>|.pdf', "凭证 2024 .pdf"),
        ("  ..  ", "_"),
        ("a\x00b\nc.pdf", "a b c.pdf"),
        ("长" * 100 + ".pdf", "长" * 76 + ".pdf"),
    ],
)
def test_names_in_the_pack_are_safe(name, safe):
    assert safe_name(name) == safe


def test_a_records_folder_is_its_date_payee_and_amount(ledger):
    assert record_folder(ledger["paid"]) == "2024-09-15 某某合作社 500000.00"
