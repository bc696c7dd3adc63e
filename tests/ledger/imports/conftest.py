import csv
import datetime
import io

import pytest
from openpyxl import Workbook

from pairings.models import UnitKind, UnitSide
from tests.factories import PairingFactory, UnitFactory

EXCHANGE_HEADER = ["日期", "主题", "类型", "结对关系", "牵头机构", "地点", "参加人数"]


def exchange_rows(count: int, *, bad_row: int | None = None) -> list[list[str]]:
    """`count` exchanges as a clerk types them; spreadsheet row `bad_row` has a wrong date."""
    rows = []
    for index in range(count):
        day = datetime.date(2024, 3, 1) + datetime.timedelta(days=index)
        date = "2024/2/30" if index + 2 == bad_row else f"{day.year}/{day.month}/{day.day}"
        rows.append(
            [
                date,
                f"医院交流{index + 1:02d}",
                "考察互访",
                "自贡市第一人民医院 ↔ 平昌县人民医院",
                "第二批 · 产业扶持组",
                "平昌县人民医院",
                str(10 + index),
            ]
        )
    return rows


def csv_bytes(header: list[str], rows: list[list], *, encoding: str = "utf-8") -> bytes:
    """A CSV file as Excel saves it (CRLF, quoted where needed); GBK has no ↔, so there the
    pairing arrow is written <-> as a clerk would."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if encoding == "gbk":
        text = text.replace("↔", "<->")
    return text.encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list], *, title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.fixture
def hospital_pairing(group_a):
    """自贡市第一人民医院 ↔ 平昌县人民医院, kept by group A (产业扶持组, 第二批)."""
    programme = group_a.batch.programme
    helper = UnitFactory(
        programme=programme,
        side=UnitSide.HELPER,
        kind=UnitKind.HOSPITAL,
        name="自贡市第一人民医院",
    )
    helped = UnitFactory(
        programme=programme, side=UnitSide.HELPED, kind=UnitKind.HOSPITAL, name="平昌县人民医院"
    )
    return PairingFactory(helper=helper, helped=helped, responsible_body=group_a)
