"""Reading an uploaded file into rows: CSV (UTF-8 or GBK, strictly decoded) or XLSX, refused
early when too large, too long or not a spreadsheet at all."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ledger.imports.cells import is_blank
from ledger.imports.errors import FileError


@dataclass
class Table:
    """The rows of a file: (spreadsheet row number, cells), the header row first."""

    rows: list[tuple[int, list[Any]]]
    encoding: str = ""


def read_table(data: bytes, *, filename: str = "", sheet: str | None = None) -> Table:
    """The rows of a CSV or XLSX file, refused early when too large or not a spreadsheet."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise FileError(
            _("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
            % {
                "size": f"{len(data) / 1_000_000:.1f}",
                "max": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}",
            }
        )
    if not data.strip():
        raise FileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, sheet=sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(
            _("This is an old Excel file (.xls): save it as .xlsx or CSV in Excel and import that.")
        )
    if sheet:
        raise FileError(_("A CSV file has no sheets; leave the sheet name empty."))
    return read_csv(data)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (with or without BOM), else
    GB18030 (a superset of GBK, what Chinese Excel saves). Strict: a byte that is neither
    is reported with its row, never replaced."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]  # Excel's "Unicode text" (tab-separated)
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    else:
        candidates = ["utf-8", "gb18030"]
    error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            error = exc if error is None or exc.start > error.start else error
    if error is None:  # every candidate decoded: unreachable, the loop returned
        raise FileError(_("This file is not a spreadsheet: import a CSV or XLSX file."))
    line = data[: error.start].count(b"\n") + 1
    raise FileError(
        _(
            "Row %(row)s holds a byte (0x%(byte)s) that is neither UTF-8 nor GBK text: "
            "the file is damaged or not a spreadsheet. Save it again as CSV (UTF-8) or XLSX."
        )
        % {"row": line, "byte": f"{data[error.start]:02X}"}
    )


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    if "\x00" in text or re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f]", text):
        raise FileError(_("This file is not a spreadsheet: import a CSV or XLSX file."))
    rows = []
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            number = reader.line_num
            rows.append((number, cells))
            if len(rows) > settings.IMPORT_MAX_ROWS + 1:
                raise FileError(too_many_rows())
    except csv.Error as exc:
        raise FileError(
            _("Row %(row)s cannot be read as CSV (%(error)s).")
            % {"row": reader.line_num, "error": exc}
        ) from None
    return Table(rows=rows, encoding=encoding)


def too_many_rows() -> str:
    return _("The file has more than %(max)s rows; split it into smaller files.") % {
        "max": settings.IMPORT_MAX_ROWS
    }


# A workbook may hold this many times IMPORT_MAX_BYTES of XML once unpacked.
XLSX_MAX_UNPACKED = 20
# Blank rows read past IMPORT_MAX_ROWS before a sheet counts as too long.
BLANK_ROWS_ALLOWED = 1000


def read_xlsx(data: bytes, *, sheet: str | None) -> Table:
    # openpyxl is imported here, not at the top: it is slow to import and only an XLSX
    # upload needs it (not every process that loads the import machinery).
    from openpyxl import load_workbook

    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile as exc:
        raise FileError(
            _("This file cannot be opened as an XLSX workbook (%(error)s).") % {"error": exc}
        ) from None
    # A workbook's XML compresses well, but not a thousandfold: refuse a zip bomb unread.
    if unpacked > XLSX_MAX_UNPACKED * settings.IMPORT_MAX_BYTES:
        raise FileError(_("This workbook unpacks to more than the import can read."))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileError(
            _("This file cannot be opened as an XLSX workbook (%(error)s).") % {"error": exc}
        ) from None
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise FileError(
                    _("The workbook has no sheet “%(sheet)s”; its sheets are: %(sheets)s.")
                    % {"sheet": sheet, "sheets": _(", ").join(book.sheetnames)}
                )
            worksheet = book[sheet]
        else:
            worksheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number > settings.IMPORT_MAX_ROWS + BLANK_ROWS_ALLOWED:
                raise FileError(too_many_rows())
            if all(is_blank(cell) for cell in cells):
                continue
            rows.append((number, list(cells)))
            if len(rows) > settings.IMPORT_MAX_ROWS + 1:
                raise FileError(too_many_rows())
    finally:
        book.close()
    return Table(rows=rows, encoding="xlsx")
