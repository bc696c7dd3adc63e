"""Reading an uploaded file into rows: CSV (UTF-8 or GBK, strictly decoded) or XLSX, refused
early when too large, too long or not a spreadsheet at all."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

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
    size = Size()
    try:
        for cells in reader:
            number = reader.line_num
            size.count(number, len(cells))
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


class Size:
    """Columns per row and cells in all, counted as rows are read: a row wider than
    IMPORT_MAX_COLUMNS, or more than IMPORT_MAX_CELLS in all, stops the reading there."""

    def __init__(self) -> None:
        self.cells = 0

    def count(self, number: int, width: int) -> None:
        if width > settings.IMPORT_MAX_COLUMNS:
            raise FileError(too_many_columns(width, where=number))
        self.cells += width
        if self.cells > settings.IMPORT_MAX_CELLS:
            raise FileError(too_many_cells())


def too_many_columns(count: int, *, where: int | str) -> str:
    """`where`: the row (a number) or the sheet's range ("A1:WV20000")."""
    params = {"count": count, "max": settings.IMPORT_MAX_COLUMNS, "where": where}
    if isinstance(where, int):
        message = _(
            "Row %(where)s has %(count)s columns; at most %(max)s columns can be imported. "
            "Delete the columns the ledger does not need and import again."
        )
    else:
        message = _(
            "The sheet spans %(count)s columns (%(where)s); at most %(max)s columns can be "
            "imported. Delete the columns the ledger does not need and import again."
        )
    return message % params


def too_many_cells() -> str:
    return _(
        "The file has more than %(max)s cells (rows × columns); split it into smaller files."
    ) % {"max": settings.IMPORT_MAX_CELLS}


# Blank rows read past IMPORT_MAX_ROWS before a sheet counts as too long.
BLANK_ROWS_ALLOWED = 1000
# The shared-string table is counted this many bytes of XML at a time.
XML_CHUNK = 64 * 1024


def shared_strings(archive: zipfile.ZipFile) -> int:
    """How many strings the workbook's shared-string tables hold, counted no further than
    past IMPORT_XLSX_MAX_SHARED_STRINGS. openpyxl reads the whole table into a list before
    the first row, some 100 bytes a string."""
    limit = settings.IMPORT_XLSX_MAX_SHARED_STRINGS
    total = 0
    for name in archive.namelist():
        if re.search(r"(?i)sharedstrings\d*\.xml$", name) and total <= limit:
            with archive.open(name) as part:
                total += count_strings(part, limit - total)
    return total


# A shared-string table's root (<sst count="…" uniqueCount="…">) and each of its strings
# (<si>, or <x:si> under a prefix). Text in the XML has its "<" escaped, so a tag is a tag.
SST_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*>")
DECLARED_COUNT = re.compile(rb"\b(?:count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")
SI_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")


def count_strings(part: IO[bytes], limit: int) -> int:
    """The strings of one table: its declared count if over `limit`, else its <si> tags
    counted in the unpacked bytes as they stream (no XML tree, no texts: a regular
    expression scans some 100 MB/s), up to the first chunk past `limit`."""
    counted = 0
    carried = b""
    first = True
    while chunk := part.read(XML_CHUNK):
        buffer = carried + chunk
        if first:
            first = False
            if root := SST_TAG.search(buffer):
                declared = [int(count) for count in DECLARED_COUNT.findall(root.group())]
                if any(count > limit for count in declared):
                    return max(declared)
        # A tag cut by the chunk's end is counted with the next chunk.
        cut = buffer.rfind(b"<")
        cut = cut if cut >= len(buffer) - 64 else len(buffer)
        counted += len(SI_TAG.findall(buffer, 0, cut))
        carried = buffer[cut:]
        if counted > limit:
            return counted
    return counted + len(SI_TAG.findall(carried))


def check_workbook(data: bytes) -> None:
    """Refuse, before openpyxl reads anything, a workbook that unpacks to more XML than
    IMPORT_XLSX_MAX_UNPACKED_BYTES or holds more than IMPORT_XLSX_MAX_SHARED_STRINGS strings."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Declared sizes: zipfile never reads a member past its declared size.
            unpacked = sum(item.file_size for item in archive.infolist())
            # A workbook's XML compresses well, but not a thousandfold: refuse a zip bomb unread.
            if unpacked > settings.IMPORT_XLSX_MAX_UNPACKED_BYTES:
                raise FileError(
                    _(
                        "This workbook unpacks to %(size)s MB; at most %(max)s MB can be "
                        "imported at once. Split it into smaller files."
                    )
                    % {
                        "size": f"{unpacked / 1_000_000:.0f}",
                        "max": f"{settings.IMPORT_XLSX_MAX_UNPACKED_BYTES / 1_000_000:g}",
                    }
                )
            if shared_strings(archive) > settings.IMPORT_XLSX_MAX_SHARED_STRINGS:
                raise FileError(
                    _("This workbook holds more than %(max)s texts; split it into smaller files.")
                    % {"max": settings.IMPORT_XLSX_MAX_SHARED_STRINGS}
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise FileError(
            _("This file cannot be opened as an XLSX workbook (%(error)s).") % {"error": exc}
        ) from None


def check_dimension(worksheet: Any) -> None:
    """The sheet's declared range (<dimension ref="A1:WV20000">), refused when wider than
    IMPORT_MAX_COLUMNS or larger than IMPORT_MAX_CELLS before a row is read. A range that
    understates is no help to a hostile file: the rows are counted as they are read too."""
    from openpyxl.utils import get_column_letter

    columns, rows = worksheet.max_column, worksheet.max_row
    if not columns or not rows:
        return
    where = f"{get_column_letter(worksheet.min_column)}{worksheet.min_row}:"
    where += f"{get_column_letter(columns)}{rows}"
    width = columns - worksheet.min_column + 1
    if width > settings.IMPORT_MAX_COLUMNS:
        raise FileError(too_many_columns(width, where=where))
    if width * (rows - worksheet.min_row + 1) > settings.IMPORT_MAX_CELLS:
        raise FileError(too_many_cells())


def read_xlsx(data: bytes, *, sheet: str | None) -> Table:
    # openpyxl is imported here, not at the top: it is slow to import and only an XLSX
    # upload needs it (not every process that loads the import machinery).
    from openpyxl import load_workbook

    check_workbook(data)
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
        check_dimension(worksheet)
        # Rows as they are, each as wide as its last cell: not padded to, nor cut at, a range
        # the file may misstate.
        worksheet.reset_dimensions()
        rows = []
        size = Size()
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number > settings.IMPORT_MAX_ROWS + BLANK_ROWS_ALLOWED:
                raise FileError(too_many_rows())
            size.count(number, len(cells))
            if all(is_blank(cell) for cell in cells):
                continue
            rows.append((number, list(cells)))
            if len(rows) > settings.IMPORT_MAX_ROWS + 1:
                raise FileError(too_many_rows())
    finally:
        book.close()
    return Table(rows=rows, encoding="xlsx")
