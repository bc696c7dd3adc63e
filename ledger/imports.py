"""Importing the team's own spreadsheets (台账) into the ledger: CSV or XLSX, validated whole.

Why our own small importer rather than django-import-export: every ledger here has rules that
live in services (a disbursement locks its funding line and is checked against the plan as a
whole; an exchange needs at least one pairing), references written the way a clerk knows them
(a unit by name on a side, a body as "第二批 · 产业扶持组"), money that never passes a float,
and messages in the form "第 N 行 · 列名 · 问题 · 原值". django-import-export would have to be
bent at each of those points (its widgets parse numbers through float, its row-by-row save
bypasses our services, its own formula escaping is not ours), for less code than this module.

A ledger is declared once as an `ImportSpec` (in each app's `imports.py`): the model, the
natural key that finds an existing record, and the columns (header = the field's verbose name
in Chinese or English, or its code name; a parser; required or not). `run_import()`:

1. reads the file (`read_table`): CSV in UTF-8 (with or without BOM) or GB18030/GBK, decoded
   strictly; or the first (or a named) sheet of an XLSX workbook; with size and row limits;
2. parses and validates EVERY row, collecting all errors, each with its spreadsheet row number;
   a row is new (no record with its natural key), updated (values differ) or unchanged;
3. only when no row failed, writes all rows in one transaction through the apps' services
   and `full_clean()`; any database error rolls everything back.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Choices, Model
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import history, permissions
from ledger.fields import CENT

SEPARATOR = " · "


class CellError(Exception):
    """A cell that cannot be read; the message says what is wrong and how to write it."""


class FileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, too large, no header …)."""


# Messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: "第 N 行 · 列名 · 问题 · 原值". Row 0 is the file as a whole."""

    row: int
    column: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        parts = [_("row %(number)s") % {"number": self.row}] if self.row else [_("file")]
        message = str(self.message)
        if self.value != "":
            # "没有这个日期 · 2024/2/30", not "没有这个日期。 · 2024/2/30": the value follows.
            parts += [self.column or "—", message.rstrip("。.")]
            parts.append(self.value)
        else:
            parts += [self.column or "—", message]
        return SEPARATOR.join(str(part) for part in parts)


# Reading cells -------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Header and choice text compared the lenient way: full-width folded, case and spaces,
    a trailing required mark (*) and a bracketed unit ("（元）") ignored."""
    text = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    text = re.sub(r"\(.*?\)$", "", text).strip()
    return re.sub(r"[\s*]+", "", text)


def name_key(text: str) -> str:
    """A record's name compared as written, give or take full-width forms and spaces (not
    brackets or case: "平昌县人民医院（本部）" is another unit, NY-2023-01 another code)."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


def as_text(value: Any) -> str:
    """A raw cell as the clerk typed it, for messages and text fields."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def comparable(value: Any) -> str:
    """A cell's text with numbers compared by value (10000 == 10000.00)."""
    text = normalise(as_text(value))
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text


def is_blank(value: Any) -> bool:
    return as_text(value) == ""


class Parser:
    """Reads one cell into a Python value; `dump()` writes a value back as the cell."""

    hint: str | Promise = ""
    example: Any = ""

    def parse(self, value: Any, ctx: ImportContext) -> Any:
        raise NotImplementedError

    def dump(self, value: Any) -> Any:
        return "" if value is None else value

    def choices(self) -> list[str]:
        """Labels offered as a drop-down list in the template, if any."""
        return []


class Text(Parser):
    def __init__(self, *, max_length: int | None = None, example: str = "") -> None:
        self.max_length = max_length
        self.example = example

    def parse(self, value: Any, ctx: ImportContext) -> str:
        text = as_text(value)
        if self.max_length and len(text) > self.max_length:
            raise CellError(
                _("Too long: at most %(max)s characters (this has %(length)s).")
                % {"max": self.max_length, "length": len(text)}
            )
        return text


class Integer(Parser):
    hint = gettext_lazy("a whole number, e.g. 12")

    def __init__(self, *, minimum: int | None = 0, maximum: int | None = None, example=1) -> None:
        self.minimum, self.maximum, self.example = minimum, maximum, example

    def parse(self, value: Any, ctx: ImportContext) -> int:
        if isinstance(value, bool):
            raise CellError(_("Not a whole number."))
        if isinstance(value, int):
            number = value
        elif isinstance(value, float):
            if not value.is_integer():
                raise CellError(_("Not a whole number."))
            number = int(value)
        else:
            text = unicodedata.normalize("NFKC", as_text(value)).replace(",", "")
            if not re.fullmatch(r"[+-]?\d+", text):
                raise CellError(_("Not a whole number."))
            number = int(text)
        if self.minimum is not None and number < self.minimum:
            raise CellError(_("Must be at least %(minimum)s.") % {"minimum": self.minimum})
        if self.maximum is not None and number > self.maximum:
            raise CellError(_("Must be at most %(maximum)s.") % {"maximum": self.maximum})
        return number


MONEY_PATTERN = re.compile(r"\d+(\.\d+)?|\d{1,3}(,\d{3})+(\.\d+)?")


def parse_decimal(value: Any, *, signed: bool, what: str) -> Decimal:
    """A number with at most two decimals, read from text or an XLSX number, never via a
    float's binary value: an XLSX float goes through its shortest repr (10000000.5)."""
    if isinstance(value, bool):
        raise CellError(_("Not a number."))
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
        if not number.is_finite():
            raise CellError(_("Not a number."))
    else:
        text = unicodedata.normalize("NFKC", as_text(value)).replace(" ", "")
        if re.search(r"[万亿千百]", text):
            raise CellError(
                _(
                    "Write the full amount in digits (%(what)s), not in 万 or 亿: "
                    "1000万 is written 10000000."
                )
                % {"what": what}
            )
        negative = text.startswith("-")
        body = text[1:] if text[:1] in "+-" else text
        if not MONEY_PATTERN.fullmatch(body):
            raise CellError(
                _("Not a number: write digits, e.g. 10000000 or 10,000,000.00 (no 1e7, no units).")
            )
        number = Decimal(body.replace(",", ""))
        if negative:
            number = -number
    try:
        quantized = number.quantize(CENT)
    except InvalidOperation:
        raise CellError(_("Not a number.")) from None
    if quantized != number:
        raise CellError(_("At most 2 decimal places."))
    if not signed and quantized < 0:
        raise CellError(_("Cannot be negative."))
    return quantized


class Money(Parser):
    """Yuan with at most two decimals: 10000000, 10,000,000.00, 10000000.5. Never 1000万."""

    hint = gettext_lazy("yuan in digits, at most 2 decimals, e.g. 10,000,000.00")

    def __init__(self, example: str = "10000.00") -> None:
        self.example = Decimal(example)

    def parse(self, value: Any, ctx: ImportContext) -> Decimal:
        amount = parse_decimal(value, signed=False, what=_("yuan"))
        if amount == 0:
            raise CellError(_("The amount must be greater than zero."))
        if amount >= Decimal(10) ** 12:
            raise CellError(_("Too large for an amount of money."))
        return amount


class Number(Parser):
    """A quantity with at most two decimals (an indicator's target), may be negative."""

    hint = gettext_lazy("a number, at most 2 decimals")

    def __init__(self, example: str = "100") -> None:
        self.example = Decimal(example)

    def parse(self, value: Any, ctx: ImportContext) -> Decimal:
        return parse_decimal(value, signed=True, what=_("a number"))


DATE_PATTERNS = [
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
]
# Excel's serial day numbers that fall between 1950 and 2099: a bare number in a date column.
EXCEL_SERIALS = range(18264, 73051)
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and int(value) in EXCEL_SERIALS:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("Not a date: write 2024-10-09, 2024/10/9 or 2024年10月9日."))
    text = unicodedata.normalize("NFKC", as_text(value)).replace(" ", "")
    if text.isdigit() and int(text) in EXCEL_SERIALS:
        return EXCEL_EPOCH + datetime.timedelta(days=int(text))
    # Excel may show a date cell with a time part ("2024-10-09 00:00:00").
    text = re.sub(r"(T|(?<=\d))0?0:00(:00)?$", "", text)
    for pattern in DATE_PATTERNS:
        if match := pattern.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                raise CellError(_("No such date.")) from None
    raise CellError(_("Not a date: write 2024-10-09, 2024/10/9 or 2024年10月9日."))


class Date(Parser):
    hint = gettext_lazy("a date: 2024-10-09, 2024/10/9 or 2024年10月9日")

    def __init__(self, example: datetime.date | None = datetime.date(2024, 10, 9)) -> None:
        self.example = example

    def parse(self, value: Any, ctx: ImportContext) -> datetime.date:
        return parse_date(value)


MONTH_PATTERN = re.compile(r"(\d{4})(?:-|/|\.|年)(\d{1,2})月?")


class Month(Parser):
    """A month, stored as its first day: 2024-10, 2024/10, 2024年10月, or a date on the 1st."""

    hint = gettext_lazy("a month: 2024-10 or 2024年10月")
    example = datetime.date(2024, 10, 1)

    def parse(self, value: Any, ctx: ImportContext) -> datetime.date:
        text = unicodedata.normalize("NFKC", as_text(value)).replace(" ", "")
        if match := MONTH_PATTERN.fullmatch(text):
            year, month = int(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise CellError(_("No such month."))
            return datetime.date(year, month, 1)
        try:
            date = parse_date(value)
        except CellError:
            raise CellError(_("Not a month: write 2024-10 or 2024年10月.")) from None
        if date.day != 1:
            raise CellError(_("Not a month: write 2024-10 or 2024年10月."))
        return date

    def dump(self, value: Any) -> Any:
        return "" if value is None else f"{value:%Y-%m}"


def labels_in_every_language(label: Any) -> list[str]:
    labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.append(str(label))
    return labels


class Choice(Parser):
    """A coded value, written as its label (农业 or agriculture) or its code."""

    def __init__(self, choices: type[Choices], example: str | None = None) -> None:
        self.enum = choices
        self.example_value = example or choices.values[0]

    @property
    def example(self) -> str:  # type: ignore[override]
        return self.example_value

    @property
    def hint(self) -> str:  # type: ignore[override]
        return _("one of the list")

    def parse(self, value: Any, ctx: ImportContext) -> str:
        wanted = normalise(as_text(value))
        for member in self.enum:
            names = [member.value, *labels_in_every_language(member.label)]
            if wanted in {normalise(name) for name in names}:
                return member.value
        raise CellError(_("Not one of: %(labels)s.") % {"labels": _(", ").join(self.choices())})

    def dump(self, value: Any) -> Any:
        return "" if value in (None, "") else str(self.enum(value).label)

    def choices(self) -> list[str]:
        return [str(member.label) for member in self.enum]


class Reference(Parser):
    """A record named the way a clerk knows it; `ctx.lookup()` loads each table once."""

    def __init__(self, kind: str, *, example: str, hint: str | Promise = "", **options) -> None:
        self.kind = kind
        self.example = example
        self.hint = hint
        self.options = options

    def parse(self, value: Any, ctx: ImportContext) -> Any:
        return ctx.resolve(self.kind, as_text(value), **self.options)

    def dump(self, value: Any) -> Any:
        return "" if value is None else REFERENCE_NAMES[self.kind](value)


# A reference's name, as exports write it and imports read it back.
REFERENCE_NAMES: dict[str, Callable[[Any], str]] = {}


# Declaring a ledger ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One column of a ledger's import: `name` is the model field it fills (or a name the
    spec's `to_fields` reads), `label` defaults to the field's verbose name."""

    name: str
    parser: Parser
    required: bool = False
    label: str | Promise | None = None
    # For export in the import format: the cell's value from a record (default: the field).
    value: Callable[[Any], Any] | None = None
    # How to write the cell, where the parser's own hint is not enough.
    hint: str | Promise = ""

    def how_to_write(self) -> str:
        """The hint shown on the import page and the template's second sheet."""
        hint = str(self.hint or self.parser.hint or "")
        if options := self.parser.choices():
            listed = _(", ").join(options)
            if not hint:
                return listed
            return _("%(hint)s: %(options)s") % {"hint": hint, "options": listed}
        return hint


@dataclass
class ImportSpec:
    """One ledger's import: which model, how a row finds its record, which columns.

    `key` names the model attributes (after `to_fields`) that find an existing record:
    re-importing a row whose key exists updates that record if a value differs, and leaves
    it alone (counted as unchanged) if none does.
    """

    name: str
    model: type[Model]
    key: tuple[str, ...]
    columns: Sequence[Col]
    title: str | Promise = ""
    list_url_name: str = ""
    # Column whose label names the responsible body in a role error.
    body_column: str = ""
    to_fields: Callable[[dict[str, Any], ImportContext], dict[str, Any]] | None = None
    export_queryset: Callable[[], models.QuerySet] | None = None
    writer: Callable[[list[Planned]], None] | None = None
    check_all: Callable[[list[Planned]], dict[int, list[tuple[str, str]]]] | None = None
    m2m: tuple[str, ...] = ()
    # How a record's linked items (an m2m name above) are compared with a row's: by primary
    # key unless given (a member's roles are new MemberRole objects: by body and role).
    link_keys: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    # Model field → the column that fills it, where the names differ (a disbursement's
    # funding line comes from the "funding source" and "funding year" columns).
    aliases: dict[str, str] = field(default_factory=dict)

    def label(self, col: Col) -> str:
        if col.label is not None:
            return str(capfirst(col.label))
        return str(capfirst(self.model._meta.get_field(col.name).verbose_name))

    def headers(self) -> dict[str, Col]:
        """Every accepted header (normalised) → its column."""
        accepted: dict[str, Col] = {}
        for col in self.columns:
            names = [col.name]
            if col.label is not None:
                names += labels_in_every_language(col.label)
            else:
                names += labels_in_every_language(self.model._meta.get_field(col.name).verbose_name)
            for name in names:
                accepted.setdefault(normalise(name), col)
        return accepted

    def column_of(self, field_name: str) -> str:
        """The label of the column that fills model field `field_name` (for its errors)."""
        name = self.aliases.get(field_name, field_name)
        for col in self.columns:
            if col.name == name:
                return self.label(col)
        return ""

    def example_row(self) -> list[Any]:
        return [
            col.parser.example
            if isinstance(col.parser, Reference)
            else col.parser.dump(col.parser.example)
            for col in self.columns
        ]


REGISTRY: dict[str, ImportSpec] = {}
# How many rows of a template carry the drop-down lists of choice columns.
TEMPLATE_ROWS = 2000


def register(spec: ImportSpec) -> ImportSpec:
    REGISTRY[spec.name] = spec
    return spec


def specs() -> dict[str, ImportSpec]:
    """Every importable ledger by name; the apps' `imports` modules declare them."""
    import pairings.imports  # noqa: F401
    import projects.imports  # noqa: F401

    if "members" not in REGISTRY:
        register(member_spec())
    return REGISTRY


def spec_for_model(model: type[Model]) -> ImportSpec | None:
    return next((spec for spec in specs().values() if spec.model is model), None)


# Reading files --------------------------------------------------------------------------------


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


# Running an import ---------------------------------------------------------------------------


@dataclass
class Planned:
    """One valid row, ready to write."""

    row: int
    status: str  # "new", "updated", "unchanged"
    obj: Model
    m2m: dict[str, list[Model]] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    spec: ImportSpec
    headers: list[str] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    def count(self, status: str) -> int:
        return sum(1 for item in self.planned if item.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("new", "updated", "unchanged")}

    @property
    def ok(self) -> bool:
        return not self.errors

    def report(self) -> str:
        lines = [str(error) for error in self.errors]
        lines += [_("Note: %(warning)s") % {"warning": warning} for warning in self.warnings]
        return "\n".join(lines)


class ImportContext:
    """What rows need from the database, loaded once per import (never a query per row)."""

    def __init__(self, user=None) -> None:
        self.user = user
        self.cache: dict[str, Any] = {}

    def table(self, kind: str) -> Any:
        if kind not in self.cache:
            self.cache[kind] = LOADERS[kind]()
        return self.cache[kind]

    def resolve(self, kind: str, text: str, **options) -> Any:
        return RESOLVERS[kind](self, text, **options)


# kind → function loading the lookup table; kind → function (ctx, text, **options) → record.
LOADERS: dict[str, Callable[[], Any]] = {}
RESOLVERS: dict[str, Callable[..., Any]] = {}


def find_header(table: Table, spec: ImportSpec) -> int:
    """Index of the header row: the first of the top rows naming at least two of the spec's
    columns (a sheet may carry a title row above it)."""
    accepted = spec.headers()
    for index, (_number, cells) in enumerate(table.rows[:10]):
        known = {
            accepted[normalise(as_text(c))].name for c in cells if normalise(as_text(c)) in accepted
        }
        if len(known) >= min(2, len(spec.columns)):
            return index
    raise FileError(
        _(
            "No header row found: the first row must name the columns, e.g. %(headers)s "
            "(download the template to see them all)."
        )
        % {"headers": _(", ").join(spec.label(col) for col in spec.columns[:3])}
    )


def run_import(
    spec: ImportSpec,
    data: bytes,
    *,
    filename: str = "",
    sheet: str | None = None,
    user=None,
    dry_run: bool = False,
) -> ImportResult:
    """Validate every row of `data` for `spec`'s ledger, and write them all (or none).

    With `user`, rows are limited to what that user may add or change (ledger.permissions);
    without, the caller has already decided (the command run by an operator).
    """
    result = ImportResult(spec=spec)
    try:
        table = read_table(data, filename=filename, sheet=sheet)
        if not table.rows:
            raise FileError(_("The file is empty."))
        header_index = find_header(table, spec)
    except FileError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    if user is not None and not permissions.can_add(user, spec.model):
        result.errors.append(
            RowError(0, "", _("You may not add %(records)s.") % {"records": spec.title})
        )
        return result
    header_number, header_cells = table.rows[header_index]
    positions = read_header(spec, header_number, header_cells, result)
    if result.errors:
        return result
    result.headers = [spec.label(col) for col in spec.columns if col.name in positions]
    ctx = ImportContext(user=user)
    validate_rows(spec, table.rows[header_index + 1 :], positions, ctx, result)
    if not result.planned and not result.errors:
        result.errors.append(RowError(0, "", _("The file has a header but no rows to import.")))
    if result.errors or dry_run:
        return result
    write(spec, result, user=user)
    return result


def read_header(
    spec: ImportSpec, number: int, cells: list[Any], result: ImportResult
) -> dict[str, int]:
    """Column name → position; missing required columns are errors, unknown ones warnings."""
    accepted = spec.headers()
    positions: dict[str, int] = {}
    for position, cell in enumerate(cells):
        text = as_text(cell)
        if not text:
            continue
        col = accepted.get(normalise(text))
        if col is None:
            result.warnings.append(
                _("Column “%(column)s” is not a column of this ledger; its values are ignored.")
                % {"column": text}
            )
        elif col.name in positions:
            result.errors.append(
                RowError(number, text, _("This column appears twice in the header."))
            )
        else:
            positions[col.name] = position
    for col in spec.columns:
        if col.required and col.name not in positions:
            result.errors.append(
                RowError(number, spec.label(col), _("Required column is missing from the header."))
            )
    return positions


def validate_rows(
    spec: ImportSpec,
    rows: Iterable[tuple[int, list[Any]]],
    positions: dict[str, int],
    ctx: ImportContext,
    result: ImportResult,
) -> None:
    existing = existing_records(spec)
    seen: dict[tuple, int] = {}
    example = dict(zip([col.name for col in spec.columns], spec.example_row(), strict=True))
    present = [col for col in spec.columns if col.name in positions]
    for number, cells in rows:
        raw = {
            col.name: cells[positions[col.name]] if positions[col.name] < len(cells) else None
            for col in present
        }
        if all(is_blank(value) for value in raw.values()):
            continue
        if all(comparable(raw[name]) == comparable(example[name]) for name in raw):
            result.warnings.append(
                _("Row %(row)s is the template's example row; it was skipped.") % {"row": number}
            )
            continue
        errors_before = len(result.errors)
        values: dict[str, Any] = {}
        for col in present:
            value = raw[col.name]
            if is_blank(value):
                if col.required:
                    result.errors.append(
                        RowError(number, spec.label(col), _("Required: this cell is empty."))
                    )
                values[col.name] = None
                continue
            try:
                values[col.name] = col.parser.parse(value, ctx)
            except CellError as exc:
                result.errors.append(RowError(number, spec.label(col), str(exc), as_text(value)))
        if len(result.errors) > errors_before:
            continue
        try:
            fields = spec.to_fields(values, ctx) if spec.to_fields else dict(values)
        except RowCellError as exc:
            result.errors.append(
                RowError(number, exc.column, exc.message, as_text(raw.get(exc.name, "")))
            )
            continue
        except CellError as exc:
            result.errors.append(RowError(number, "—", str(exc)))
            continue
        planned = plan_row(spec, number, fields, existing, seen, ctx, result)
        if planned is not None:
            planned.cells = [as_text(raw.get(col.name)) for col in present]
            result.planned.append(planned)
    if spec.check_all and not result.errors:
        for row, problems in spec.check_all(result.planned).items():
            for column, message in problems:
                result.errors.append(RowError(row, column, message))
    result.errors.sort(key=lambda error: error.row)


class RowCellError(Exception):
    """Raised by a spec's `to_fields` when cells that parsed do not fit together."""

    def __init__(self, name: str, column: str, message: str) -> None:
        super().__init__(message)
        self.name, self.column, self.message = name, column, message


# A key may end with LINE: records that share the rest of the key (two funding lines of one
# project from the same source in the same year) are told apart by their order of entry.
LINE = "line"


def records(spec: ImportSpec) -> list[Model]:
    """The ledger's records in entry order, numbered by LINE when the key needs it."""
    queryset = spec.export_queryset() if spec.export_queryset else spec.model.objects.all()
    objects = list(queryset.order_by("pk"))
    if LINE in spec.key:
        counters: dict[tuple, int] = defaultdict(int)
        for obj in objects:
            rest = tuple(getattr(obj, name) for name in key_attnames(spec) if name != LINE)
            counters[rest] += 1
            obj.line = counters[rest]
    return objects


def existing_records(spec: ImportSpec) -> dict[tuple, list[Model]]:
    by_key: dict[tuple, list[Model]] = defaultdict(list)
    for obj in records(spec):
        by_key[tuple(getattr(obj, name) for name in key_attnames(spec))].append(obj)
    return by_key


def key_attnames(spec: ImportSpec) -> list[str]:
    """Key attributes compared as stored: a foreign key by its id."""
    return [name if name == LINE else spec.model._meta.get_field(name).attname for name in spec.key]


def plan_row(
    spec: ImportSpec,
    number: int,
    fields: dict[str, Any],
    existing: dict[tuple, list[Model]],
    seen: dict[tuple, int],
    ctx: ImportContext,
    result: ImportResult,
) -> Planned | None:
    m2m = {name: fields.pop(name) for name in spec.m2m if name in fields}
    if LINE in spec.key:
        fields[LINE] = fields.get(LINE) or 1
    key = tuple(key_value(fields.get(name)) for name in spec.key)
    fields.pop(LINE, None)
    key_label = SEPARATOR.join(spec.column_of(name) or name for name in spec.key)
    if key in seen:
        result.errors.append(
            RowError(
                number,
                key_label,
                _("Same record as row %(row)s (duplicated row in the file).") % {"row": seen[key]},
            )
        )
        return None
    seen[key] = number
    matches = existing.get(key, [])
    if len(matches) > 1:
        result.errors.append(
            RowError(
                number,
                key_label,
                _("Several records in the ledger match this row; correct them in the admin first."),
            )
        )
        return None
    obj = matches[0] if matches else spec.model()
    if obj.pk and ctx.user is not None and not permissions.can_change(ctx.user, obj):
        result.errors.append(role_error(spec, number, obj))
        return None
    changed = not obj.pk
    for name, value in fields.items():
        if value is None and not spec.model._meta.get_field(name).null:
            model_field = spec.model._meta.get_field(name)
            value = model_field.get_default() if model_field.has_default() else ""
            if isinstance(model_field, models.ForeignKey):
                value = None
        model_field = spec.model._meta.get_field(name)
        if isinstance(model_field, models.ForeignKey):
            if getattr(obj, model_field.attname) != (value.pk if value is not None else None):
                changed = True
                setattr(obj, name, value)
        elif getattr(obj, name) != value:
            changed = True
            setattr(obj, name, value)
    for name, values in m2m.items():
        if obj.pk:
            link_key = spec.link_keys.get(name, key_value)
            stored = {link_key(item) for item in getattr(obj, name).all()}
            changed = changed or stored != {link_key(item) for item in values}
    if not changed:
        return Planned(row=number, status="unchanged", obj=obj, m2m=m2m)
    if ctx.user is not None and not may_write(ctx.user, obj):
        result.errors.append(role_error(spec, number, obj))
        return None
    try:
        obj.full_clean()
    except ValidationError as exc:
        for name, messages in message_dict(exc).items():
            column = "" if name == NON_FIELD_ERRORS else spec.column_of(name)
            for message in messages:
                result.errors.append(RowError(number, column or "—", message))
        return None
    return Planned(row=number, status="updated" if obj.pk else "new", obj=obj, m2m=m2m)


def may_write(user, obj: Model) -> bool:
    """May save this record as built from its row: a ledger record only for the user's own
    bodies (checked on the record as it will be); new reference data (a unit) whenever the
    user may add it at all (checked for the file); changed reference data only by whom may
    change it."""
    if obj.pk is None and not permissions.is_ledger_record(obj):
        return permissions.can_add(user, type(obj))
    return permissions.can_change(user, obj)


def key_value(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def message_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}


def role_error(spec: ImportSpec, number: int, obj: Model) -> RowError:
    column = spec.column_of(spec.body_column) if spec.body_column else ""
    body = getattr(obj, spec.body_column, None) if spec.body_column else None
    return RowError(
        number,
        column or "—",
        _("You may not enter records for this working group."),
        str(body) if body is not None else "",
    )


def write(spec: ImportSpec, result: ImportResult, *, user=None) -> None:
    """Write every planned row in one transaction: all or nothing. The history rows name
    `user` (the command's --user, the admin's account); without, they name no one."""
    pending = [item for item in result.planned if item.status != "unchanged"]
    recording = history.changes_by(user) if user is not None else nullcontext()
    try:
        with recording, transaction.atomic():
            if spec.writer:
                spec.writer(pending)
            else:
                for item in pending:
                    item.obj.save()
    except ValidationError as exc:
        for name, messages in message_dict(exc).items():
            for message in messages:
                result.errors.append(RowError(0, spec.column_of(name) or "—", message))
    except DatabaseError as exc:
        result.errors.append(
            RowError(0, "", _("The database refused the import (%(error)s).") % {"error": exc})
        )
    else:
        result.written = True
    if not result.written:
        # Objects that were saved before the rollback keep primary keys that no longer exist.
        for item in pending:
            if item.status == "new":
                item.obj.pk = None


# Writing the import format ---------------------------------------------------------------------


def export_cells(spec: ImportSpec, obj: Model) -> list[Any]:
    """One record as a row of its import file: what re-imports into the same record."""
    cells = []
    for col in spec.columns:
        value = col.value(obj) if col.value else getattr(obj, col.name)
        cells.append(col.parser.dump(value))
    return cells


def export_rows(spec: ImportSpec, *, within: models.QuerySet | None = None) -> Iterator[list[Any]]:
    """The ledger's records as rows of its import file; only those in `within` (a list's
    filtered rows) if given. Line numbers count every record, filtered or not."""
    wanted = set(within.values_list("pk", flat=True)) if within is not None else None
    for obj in records(spec):
        if wanted is None or obj.pk in wanted:
            yield export_cells(spec, obj)


def write_workbook(
    spec: ImportSpec, rows: Iterable[Sequence[Any]] | None, *, output: io.BytesIO
) -> None:
    """An XLSX in the import format: a frozen header of Chinese labels, drop-down lists on
    choice columns, column widths, then `rows` (or the template's example row), and a sheet
    explaining each column. Text cells are written as text (never as a formula)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
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


# References shared by every ledger -------------------------------------------------------------


def by_name(objects: Iterable[Model], name: Callable[[Any], str] = str) -> dict[str, list[Model]]:
    table: dict[str, list[Model]] = defaultdict(list)
    for obj in objects:
        table[name_key(name(obj))].append(obj)
    return table


def scoped(ctx: ImportContext, kind: str, text: str, *, what: str, example: str) -> Model:
    """A record named "批次 · 名称" ("第二批 · 产业扶持组"), or by its name alone when only one
    batch has it."""
    parts = [part for part in re.split(r"[·・]", text) if part.strip()]
    table = ctx.table(kind)
    if len(parts) >= 2:
        batch, name = name_key(parts[0]), name_key("".join(parts[1:]))
        matches = [obj for obj in table.get(name, []) if name_key(obj.batch.name) == batch]
    else:
        matches = table.get(name_key(text), [])
    if not matches:
        raise CellError(_("No %(what)s of this name.") % {"what": what})
    if len(matches) > 1:
        raise CellError(
            _("Several batches have a %(what)s of this name: write it as “%(example)s”.")
            % {"what": what, "example": example}
        )
    return matches[0]


def _programmes() -> list[Model]:
    from aidledger.models import Programme

    return list(Programme.objects.all())


def resolve_programme(ctx: ImportContext, text: str) -> Model:
    programmes = ctx.table("programme")
    if not text:
        if len(programmes) == 1:
            return programmes[0]
        raise CellError(_("Name the programme: the ledger has several (or none)."))
    for programme in programmes:
        if name_key(programme.name) == name_key(text):
            return programme
    raise CellError(_("No programme of this name."))


def _batches() -> dict[str, list[Model]]:
    from aidledger.models import Batch

    return by_name(Batch.objects.select_related("programme"), lambda b: b.name)


def resolve_batch(ctx: ImportContext, text: str) -> Model:
    matches = ctx.table("batch").get(name_key(text), [])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CellError(_("Several programmes have a batch of this name."))
    raise CellError(_("No batch of this name."))


def _bodies() -> dict[str, list[Model]]:
    from aidledger.models import Body

    return by_name(Body.objects.select_related("batch"), lambda b: b.name)


def resolve_body(ctx: ImportContext, text: str, *, working_group: bool = False) -> Model:
    from aidledger.models import Body

    body = scoped(ctx, "body", text, what=_("body"), example="第二批 · 产业扶持组")
    if working_group and body.kind != Body.Kind.WORKING_GROUP:
        raise CellError(_("Not a working group."))
    return body


def _members() -> dict[str, list[Model]]:
    from aidledger.models import Member

    return by_name(Member.objects.select_related("batch"), lambda m: m.name)


def resolve_member(ctx: ImportContext, text: str) -> Model:
    return scoped(ctx, "member", text, what=_("member"), example="第二批 · 蔡小波")


LOADERS.update(programme=_programmes, batch=_batches, body=_bodies, member=_members)
RESOLVERS.update(
    programme=resolve_programme, batch=resolve_batch, body=resolve_body, member=resolve_member
)
REFERENCE_NAMES.update(
    programme=lambda p: p.name,
    batch=lambda b: b.name,
    body=lambda b: f"{b.batch.name}{SEPARATOR}{b.name}",
    member=lambda m: f"{m.batch.name}{SEPARATOR}{m.name}",
)
BODY_HINT = gettext_lazy("batch · name, e.g. 第二批 · 产业扶持组 (the name alone if unambiguous)")
MEMBER_HINT = gettext_lazy("batch · name, e.g. 第二批 · 蔡小波 (the name alone if unambiguous)")


def working_group(example: str = "第二批 · 产业扶持组") -> Reference:
    return Reference("body", example=example, hint=BODY_HINT, working_group=True)


ROLES_HINT = gettext_lazy(
    "body · role, several separated by ; e.g. 产业扶持组 · 组长; 临时党支部 · 委员 "
    "(bodies of the member's batch; an empty cell: no roles)"
)
ROLE_SEPARATOR = re.compile(r"[;；\n]+")


def member_roles(member: Model) -> str:
    """A member's roles as the roles column writes them: 产业扶持组 · 组长; 临时党支部 · 委员."""
    from aidledger.models import RoleKind

    return "; ".join(
        f"{role.body.name}{SEPARATOR}{RoleKind(role.role).label}" for role in member.roles.all()
    )


def member_fields(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """The roles cell read against the member's batch: unsaved MemberRole objects (body and
    role), which `write_members` makes the member's roles."""
    from aidledger.models import MemberRole, RoleKind

    if "roles" not in values:
        return values
    text, batch = values.pop("roles") or "", values.get("batch")
    column = str(capfirst(_("roles")))
    roles: list[MemberRole] = []
    for part in ROLE_SEPARATOR.split(text):
        if not part.strip():
            continue
        body_name, separator, role_name = part.rpartition("·")
        if not separator:
            body_name, separator, role_name = part.rpartition("・")
        if not separator or not body_name.strip() or not role_name.strip():
            raise RowCellError("roles", column, str(_("Write a role as “body · role”.")))
        bodies = [
            body
            for body in ctx.table("body").get(name_key(body_name), [])
            if batch is not None and body.batch_id == batch.pk
        ]
        if not bodies:
            raise RowCellError(
                "roles",
                column,
                _("The member's batch has no body named %(name)s.") % {"name": body_name.strip()},
            )
        try:
            role = Choice(RoleKind).parse(role_name, ctx)
        except CellError as exc:
            raise RowCellError("roles", column, str(exc)) from None
        if any(existing.body_id == bodies[0].pk for existing in roles):
            raise RowCellError(
                "roles", column, str(_("One role per body: %(name)s.") % {"name": bodies[0].name})
            )
        roles.append(MemberRole(body=bodies[0], role=role))
    values["roles"] = roles
    return values


def write_members(items: list[Planned]) -> None:
    """Each member, then its roles as the row gives them (when the file has the roles
    column): a role in a body it keeps is changed in place, the others added or deleted,
    each through save()/delete() so the member's history records it."""
    for item in items:
        member = item.obj
        member.save()
        wanted = item.m2m.get("roles")
        if wanted is None:
            continue
        current = {role.body_id: role for role in member.roles.all()}
        for new in wanted:
            role = current.pop(new.body_id, None)
            if role is None:
                new.member = member
                new.save()
            elif role.role != new.role:
                role.role = new.role
                role.save()
        for role in current.values():
            role.delete()


def member_spec() -> ImportSpec:
    from aidledger.models import Member

    return ImportSpec(
        name="members",
        model=Member,
        title=gettext_lazy("members"),
        list_url_name="members",
        key=("batch", "name"),
        to_fields=member_fields,
        m2m=("roles",),
        link_keys={"roles": lambda role: (role.body_id, role.role)},
        writer=write_members,
        columns=[
            Col("batch", Reference("batch", example="第二批"), required=True),
            Col("name", Text(max_length=50, example="张三"), required=True),
            Col("home_unit", Text(max_length=100, example="自贡市第一人民医院")),
            Col("home_post", Text(max_length=100, example="副院长")),
            Col("posting_unit", Text(max_length=100, example="平昌县人民医院")),
            Col("posting_post", Text(max_length=100, example="副院长")),
            Col("phone", Text(max_length=30, example="13800000000")),
            Col("active_from", Date(datetime.date(2023, 7, 1))),
            Col("active_until", Date(None)),
            Col(
                "roles",
                Text(example="产业扶持组 · 成员"),
                label=gettext_lazy("roles"),
                value=member_roles,
                hint=ROLES_HINT,
            ),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Member.objects.select_related("batch").prefetch_related(
            "roles__body"
        ),
    )
