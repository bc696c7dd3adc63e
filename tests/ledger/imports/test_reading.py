"""Reading cells and files: encodings, dates, money, limits, what is not a spreadsheet."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from ledger.imports.errors import CellError, FileError
from ledger.imports.files import decode, read_table
from ledger.imports.parsers import Money, Month, parse_date
from tests.ledger.imports.conftest import csv_bytes, xlsx_bytes


@pytest.fixture(autouse=True)
def _english():
    # Messages are compared in English; the Chinese catalogue is checked by the page tests.
    with translation.override("en"):
        yield


# openpyxl reads an Excel date cell as a naive datetime.
EXCEL_OCT_9 = datetime.datetime(2024, 10, 9)  # noqa: DTZ001
EXCEL_OCT_1 = datetime.datetime(2024, 10, 1)  # noqa: DTZ001

TEXT = "日期,主题\r\n2024-10-09,结对帮扶签约仪式\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk", "gb18030"],
)
def test_csv_encodings_are_detected(data, encoding):
    text, found = decode(data)
    assert found == encoding
    assert text.lstrip("\ufeff") == TEXT


def test_gb18030_only_characters_are_read():
    text = "名称\r\n𠀀记商行\r\n"  # a character outside GBK, inside GB18030
    assert decode(text.encode("gb18030"))[0] == text


def test_stray_byte_in_a_gbk_file_names_its_row():
    data = "日期,主题\r\n2024-10-09,交流\r\n".encode("gbk") + b"2024-10-10,\xff\xfe\r\n"
    with pytest.raises(FileError) as error:
        read_table(data)
    assert "3" in str(error.value)
    assert "0xFF" in str(error.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"%PDF-1.7\x00\x01\x02binary", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", ".xls"),
        (b"PK\x03\x04not really a zip", "XLSX"),
    ],
    ids=["empty", "blank", "binary", "old xls", "broken xlsx"],
)
def test_files_that_are_not_spreadsheets_are_refused(data, message):
    with pytest.raises(FileError) as error:
        read_table(data)
    assert message in str(error.value)


def test_size_limit_refuses_before_reading(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(FileError) as error:
        read_table(b"a,b\r\n" * 500)
    assert "MB" in str(error.value)


def test_row_limit_refuses(settings):
    settings.IMPORT_MAX_ROWS = 5
    with pytest.raises(FileError) as error:
        read_table(csv_bytes(["a"], [[i] for i in range(10)]))
    assert "5" in str(error.value)


def test_xlsx_first_or_named_sheet():
    data = xlsx_bytes(["日期"], [["2024-10-09"]], title="交流")
    assert read_table(data).rows[1][1] == ["2024-10-09"]
    assert read_table(data, sheet="交流").rows[0][1] == ["日期"]
    with pytest.raises(FileError) as error:
        read_table(data, sheet="没有")
    assert "交流" in str(error.value)


@pytest.mark.parametrize(
    "value",
    [
        "2024-10-09",
        "2024/10/9",
        "2024年10月9日",
        "2024.10.09",
        " 2024-10-09 ",
        "２０２４－１０－０９",
        EXCEL_OCT_9,
        datetime.date(2024, 10, 9),
        45574,
        "45574",
        "2024-10-09 00:00:00",
    ],
)
def test_dates_in_every_accepted_form(value):
    assert parse_date(value) == datetime.date(2024, 10, 9)


@pytest.mark.parametrize("value", ["2024-13-01", "2024/2/30", "10/09/2024", "去年", "2024-10", 3.5])
def test_other_dates_are_refused_with_a_message(value):
    with pytest.raises(CellError) as error:
        parse_date(value)
    assert str(error.value)


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("10000000", Decimal("10000000.00")),
        ("10,000,000.00", Decimal("10000000.00")),
        ("10000000.5", Decimal("10000000.50")),
        ("１０００", Decimal("1000.00")),
        (10000000, Decimal("10000000.00")),
        (10000000.5, Decimal("10000000.50")),
        (0.1, Decimal("0.10")),
        (1234.56, Decimal("1234.56")),
    ],
)
def test_money_in_accepted_forms_is_exact(value, amount):
    parsed = Money().parse(value, None)
    assert parsed == amount
    assert isinstance(parsed, Decimal)
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1000万", "万"),
        ("1e7", "1e7"),
        ("-5", "negative"),
        ("12.345", "2 decimal"),
        (12.345, "2 decimal"),
        ("1,0000", "digits"),
        ("0", "greater than zero"),
        ("¥100", "digits"),
        (float("nan"), "number"),
    ],
)
def test_money_refused_with_a_clear_message(value, message):
    with pytest.raises(CellError) as error:
        Money().parse(value, None)
    assert message in str(error.value)


@pytest.mark.parametrize("value", ["2024-10", "2024/10", "2024年10月", EXCEL_OCT_1, "2024-10-01"])
def test_months(value):
    assert Month().parse(value, None) == datetime.date(2024, 10, 1)


def test_a_month_cell_with_a_day_is_refused():
    with pytest.raises(CellError):
        Month().parse("2024-10-09", None)


def test_a_zip_bomb_is_refused_unread(settings):
    import io
    import zipfile

    settings.IMPORT_MAX_BYTES = 10_000
    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 200_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 200_000)
    assert len(buffer.getvalue()) < settings.IMPORT_MAX_BYTES
    with pytest.raises(FileError) as error:
        read_table(buffer.getvalue())
    assert "unpacks" in str(error.value)


def test_xlsx_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 5
    with pytest.raises(FileError):
        read_table(xlsx_bytes(["a"], [[i] for i in range(10)]))


def test_excel_unicode_text_is_read_too():
    data = "日期\t主题\r\n2024-10-09\t结对帮扶签约仪式\r\n".encode("utf-16")
    table = read_table(data)
    assert table.rows[1][1] == ["2024-10-09", "结对帮扶签约仪式"]
