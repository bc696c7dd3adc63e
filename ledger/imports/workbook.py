"""The import format as an XLSX workbook: a blank template (headers, an example row,
drop-down lists, a sheet explaining each column), or a ledger's records for editing in Excel
and importing back."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.db import models
from django.db.models import Model
from django.utils.translation import gettext as _

from ledger.imports.parsers import Reference
from ledger.imports.specs import ImportSpec, base_queryset, with_line_numbers

# How many rows of a template carry the drop-down lists of choice columns.
TEMPLATE_ROWS = 2000


def export_cells(spec: ImportSpec, obj: Model) -> list[Any]:
    """One record as a row of its import file: what re-imports into the same record."""
    cells = []
    for col in spec.columns:
        value = col.value(obj) if col.value else getattr(obj, col.name)
        cells.append(col.parser.dump(value))
    return cells


def export_rows(
    spec: ImportSpec, *, within: models.QuerySet | None = None, chunk_size: int | None = None
) -> Iterator[list[Any]]:
    """The ledger's records as rows of its import file, in entry order; only those in `within`
    (a list's filtered rows) if given, selected by the database. Read `chunk_size` records at
    a time (settings.EXPORT_CHUNK_ROWS), never all at once; a constant number of queries
    whatever the rows. Line numbers count every record, filtered or not."""
    queryset = base_queryset(spec)
    queryset = with_line_numbers(spec, queryset)
    if within is not None:
        queryset = queryset.filter(pk__in=within.order_by().values("pk"))
    size = chunk_size or settings.EXPORT_CHUNK_ROWS
    for obj in queryset.order_by("pk").iterator(chunk_size=size):
        yield export_cells(spec, obj)


def workbook_file(spec: ImportSpec, rows: Iterable[Sequence[Any]] | None) -> IO[bytes]:
    """`write_workbook` into a temporary file, returned read from the start; deleted when
    closed (a FileResponse closes it)."""
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the response closes it)
    try:
        write_workbook(spec, rows, output=output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output


def write_workbook(
    spec: ImportSpec, rows: Iterable[Sequence[Any]] | None, *, output: IO[bytes]
) -> None:
    """An XLSX in the import format: a frozen header of Chinese labels, drop-down lists on
    choice columns, column widths, then `rows` (or the template's example row), and a sheet
    explaining each column. Text cells are written as text (never as a formula). Written in
    constant memory: a row at a time, whatever the number of rows."""
    book = xlsxwriter.Workbook(
        output,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    head = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#FCE4CC", "border": 1})
    sample = book.add_format({"italic": True, "font_color": "#7F7F7F"})
    sample_date = book.add_format(
        {"italic": True, "font_color": "#7F7F7F", "num_format": "yyyy-mm-dd"}
    )
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    money_format = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet(str(spec.title)[:31])
    sheet.freeze_panes(1, 0)
    for index, col in enumerate(spec.columns):
        label = spec.label(col)
        sheet.write_string(0, index, label, required if col.required else head)
        width = max(10, min(40, 2 * len(label) + 4))
        if isinstance(col.parser, Reference):
            width = 28
        sheet.set_column(index, index, width)
        if options := col.parser.choices():
            sheet.data_validation(
                1,
                index,
                TEMPLATE_ROWS,
                index,
                {"validate": "list", "source": options, "error_type": "stop"},
            )
    example = rows is None
    for row_index, cells in enumerate([spec.example_row()] if example else rows, start=1):
        for index, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(
                    row_index, index, value, sample_date if example else date_format
                )
            elif isinstance(value, Decimal):
                sheet.write_number(row_index, index, value, sample if example else money_format)
            elif isinstance(value, int):
                sheet.write_number(row_index, index, value, sample if example else None)
            else:
                # A string cell is never evaluated as a formula (strings_to_formulas is off), so
                # the text goes in unchanged and re-imports exactly.
                sheet.write_string(row_index, index, str(value), sample if example else None)
    notes = book.add_worksheet(_("Columns")[:31])
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 70)
    for index, title in enumerate([_("Column"), _("Required"), _("How to write it")]):
        notes.write_string(0, index, title, head)
    for row_index, col in enumerate(spec.columns, start=1):
        notes.write_string(row_index, 0, spec.label(col))
        notes.write_string(row_index, 1, _("yes") if col.required else "")
        notes.write_string(row_index, 2, col.how_to_write())
    notes.write_string(
        len(spec.columns) + 2,
        0,
        _("The grey row on the first sheet is an example; it is skipped on import if left as is."),
    )
    book.close()
