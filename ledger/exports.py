"""CSV and XLSX that Excel opens correctly and safely, with memory flat at any size.

- CSV: UTF-8 with a byte-order mark, so Excel on Chinese Windows does not read the file as
  GBK; RFC 4180 quoting (the csv module's default dialect, CRLF line ends); streamed a chunk
  of rows at a time.
- XLSX: real number and date cells with Excel formats, written in constant memory (below).
- Both: text cells that a spreadsheet would run as a formula are prefixed with an apostrophe
  (OWASP "CSV injection", CWE-1236). Numbers and dates we format ourselves are left alone,
  so a negative amount stays a number.
"""

import csv
import datetime
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, NamedTuple

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

BOM = "\ufeff"
# A spreadsheet runs a cell that starts with one of these. The full-width signs count too:
# Excel and WPS with a Chinese input method read `＝1+1` as a formula (OWASP, CSV injection).
FORMULA_TRIGGERS = (
    "=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠",
)  # fmt: skip
# Blanks a spreadsheet skips before it looks for a formula: `  =1+1` runs as well. (Tab, CR
# and LF are triggers themselves.) ledger.copy_export strips the same characters in SQL.
LEADING_BLANKS = " \u3000\u00a0"


def neutralise(text: str) -> str:
    """Make a text cell inert in a spreadsheet: a cell whose first character after any leading
    blanks is a formula character gets a leading `'`."""
    if text.lstrip(LEADING_BLANKS).startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """One cell as CSV text: ISO dates, plain decimals, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return neutralise("; ".join(str(item) for item in value))
    return neutralise(str(value))


def csv_chunks(
    header: Iterable[Any], rows: Iterable[Iterable[Any]], *, chunk_rows: int
) -> Iterator[str]:
    """Yield the CSV text: the BOM and header first, then `chunk_rows` rows per piece.

    Yielding many rows at a time keeps the per-piece overhead of a streaming response small;
    memory stays bounded by one chunk whatever the number of rows.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(label) for label in header])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        pending += 1
        if pending >= chunk_rows:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


# Characters a file name may not hold on Windows or in a header, and control characters.
_UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def export_filename(*parts: str, extension: str) -> str:
    """工作汇总-第二批-产业扶持组-20241009.xlsx: the parts joined by "-", each made safe for a
    file name (a working group may be called anything)."""
    safe = (_UNSAFE_IN_FILENAME.sub("_", str(part)).strip() for part in parts)
    return "-".join(part for part in safe if part) + f".{extension}"


def csv_response(filename: str, chunks: Iterator[str]) -> StreamingHttpResponse:
    """A download of streamed CSV text; `filename` may be Chinese (RFC 6266 filename*)."""
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


# XLSX ------------------------------------------------------------------------------------------
#
# The same rows as the CSV, as a workbook Excel opens with real numbers and dates. xlsxwriter's
# constant_memory mode holds one row at a time (it spools the sheet to its own temporary file);
# the finished workbook goes to an anonymous temporary file that disappears when the response
# closes it, so memory stays flat at any number of rows.
#
# Exactness: a Decimal goes to xlsxwriter as it is, never through float. xlsxwriter writes a
# number cell as f"{number:.16G}", which for a Decimal of up to 16 significant digits is its own
# digits ("10000000.00"), so the file holds the exact amount. Excel keeps 15 significant digits:
# every amount below 10^13 yuan (13 digits before the point, 2 after) reads back exact to the
# fen; a figure with more significant digits is written as text rather than silently rounded.

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_DIGITS = 15
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0"  # rates read as on the page: 75.0 under "execution rate (%)"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
WIDTH_SAMPLE_ROWS = 200  # column widths follow the header and the first rows
WIDTH_LIMITS = {"longtext": 40, "list": 50}
MAX_WIDTH = 50
MIN_WIDTH = 6
SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


class Cell(NamedTuple):
    """A value whose kind differs from its column's: a sheet of mixed figures (the summary's
    Value column holds counts, yuan and rates) says per cell how it reads."""

    value: Any
    kind: str


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is as wide as two digits."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _significant_digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


class _Sheet:
    """Cell writing for one worksheet: the kind of a column picks the cell's type and format."""

    def __init__(self, workbook: xlsxwriter.Workbook, worksheet: Any) -> None:
        self.workbook = workbook
        self.worksheet = worksheet
        self.formats: dict[str, Any] = {}

    def format(self, number_format: str) -> Any:
        if number_format not in self.formats:
            self.formats[number_format] = self.workbook.add_format({"num_format": number_format})
        return self.formats[number_format]

    def number_format(self, value: Decimal | int, kind: str) -> str | None:
        if kind == "money":
            return MONEY_FORMAT
        if kind == "percent":
            return PERCENT_FORMAT
        if isinstance(value, int):
            return None  # a count or a year reads as written: 40, 2024
        # A quantity as the page shows it: 109,800 head, 12.5 万元.
        places = max(0, -value.normalize().as_tuple().exponent)
        return "#,##0." + "0" * places if places else "#,##0"

    def write(self, row: int, col: int, value: Any, kind: str) -> None:
        """One cell: numbers and dates as such, everything else as neutralised text."""
        if value is None or value == "":
            return
        if isinstance(value, Decimal) and not value.is_finite():
            self.worksheet.write_string(row, col, csv_cell(value))
        elif isinstance(value, Decimal | int) and not isinstance(value, bool):
            if isinstance(value, Decimal) and _significant_digits(value) > EXCEL_DIGITS:
                self.worksheet.write_string(row, col, csv_cell(value))
                return
            number_format = self.number_format(value, kind)
            cell_format = self.format(number_format) if number_format else None
            self.worksheet.write_number(row, col, value, cell_format)
        elif isinstance(value, datetime.datetime):
            moment = timezone.localtime(value) if timezone.is_aware(value) else value
            self.worksheet.write_datetime(
                row, col, moment.replace(tzinfo=None), self.format(DATETIME_FORMAT)
            )
        elif isinstance(value, datetime.date):
            self.worksheet.write_datetime(row, col, value, self.format(DATE_FORMAT))
        else:
            # write_string, never write(): xlsxwriter's write() would turn "=…" into a formula.
            self.worksheet.write_string(row, col, csv_cell(value))


def _cell_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "money" and isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return display_width(csv_cell(value))


def xlsx_file(
    *,
    title: str,
    notes: Sequence[str],
    header: Sequence[str],
    kinds: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> IO[bytes]:
    """Write a one-sheet workbook and return it as a temporary file, read from the start.

    Above the table: `title` and `notes` (one line each: the filters, the export time, …).
    Then the header row, frozen so it stays in view, and the rows under an autofilter.
    A `Cell(value, kind)` in a row overrides its column's kind for that cell.
    The file is deleted when closed; the caller owns it (a FileResponse closes it).
    """
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        _write_workbook(output, title=title, notes=notes, header=header, kinds=kinds, rows=rows)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def _write_workbook(
    output: IO[bytes],
    *,
    title: str,
    notes: Sequence[str],
    header: Sequence[str],
    kinds: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
    try:
        workbook.set_properties({"title": title})
        worksheet = workbook.add_worksheet(title.translate(SHEET_NAME_FORBIDDEN)[:31].strip())
        sheet = _Sheet(workbook, worksheet)
        title_format = workbook.add_format({"bold": True, "font_size": 14})
        header_format = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E7EEF7", "border": 1}
        )

        worksheet.write_string(0, 0, neutralise(title), title_format)
        for offset, note in enumerate(notes, start=1):
            worksheet.write_string(offset, 0, neutralise(note))
        header_row = len(notes) + 2  # one empty row between the notes and the table
        for col, label in enumerate(header):
            worksheet.write_string(header_row, col, neutralise(str(label)), header_format)

        widths = [display_width(str(label)) for label in header]
        last_row = header_row
        for values in rows:
            last_row += 1
            for col, (value, kind) in enumerate(zip(values, kinds, strict=True)):
                if isinstance(value, Cell):
                    value, kind = value
                sheet.write(last_row, col, value, kind)
                if last_row - header_row <= WIDTH_SAMPLE_ROWS:
                    widths[col] = max(widths[col], _cell_width(value, kind))

        for col, (width, kind) in enumerate(zip(widths, kinds, strict=True)):
            limit = WIDTH_LIMITS.get(kind, MAX_WIDTH)
            worksheet.set_column(col, col, min(max(width, MIN_WIDTH), limit) + 2)
        worksheet.freeze_panes(header_row + 1, 0)
        worksheet.autofilter(header_row, 0, last_row, len(header) - 1)
        worksheet.repeat_rows(header_row)
        worksheet.set_landscape()
        worksheet.fit_to_pages(1, 0)  # as wide as one page, as long as it takes
    finally:
        workbook.close()


def xlsx_response(filename: str, file: IO[bytes]) -> FileResponse:
    """A download of a finished workbook; `filename` may be Chinese (RFC 6266 filename*)."""
    response = FileResponse(
        file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response
