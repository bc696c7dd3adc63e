"""Reading one cell into a Python value, and writing a value back as the cell (for exports
in the import format). Each parser says how the cell is written (`hint`) and gives an example
for the template."""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Choices
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger.fields import read_amount
from ledger.imports.cells import as_text, labels_in_every_language, normalise
from ledger.imports.errors import CellError
from ledger.imports.references import REFERENCE_NAMES, ImportContext


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


def parse_decimal(value: Any, *, signed: bool, what: str) -> Decimal:
    """A number with at most two decimals, read as the admin reads an amount (read_amount,
    ledger/fields.py: the same texts, the same messages) from text or an XLSX number; an XLSX
    float never through its binary value, but through its shortest repr (10000000.5)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(_("Not a number."))
        value = Decimal(repr(value))
    elif not isinstance(value, int | Decimal) or isinstance(value, bool):
        value = as_text(value)
    try:
        number = read_amount(value, what=what)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None
    if not signed and number < 0:
        raise CellError(_("Cannot be negative."))
    return number


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
        # Every accepted name → its code, built once per import (not per cell); the first
        # member that accepts a name wins, as in the order of the enum.
        key = f"choice:{self.enum.__module__}.{self.enum.__qualname__}"
        if key not in ctx.cache:
            accepted: dict[str, str] = {}
            for member in self.enum:
                for name in [member.value, *labels_in_every_language(member.label)]:
                    accepted.setdefault(normalise(name), member.value)
            ctx.cache[key] = accepted
        if (code := ctx.cache[key].get(normalise(as_text(value)))) is not None:
            return code
        raise CellError(_("Not one of: %(labels)s.") % {"labels": _(", ").join(self.choices())})

    def dump(self, value: Any) -> Any:
        return "" if value in (None, "") else str(self.enum(value).label)

    def choices(self) -> list[str]:
        return [str(member.label) for member in self.enum]


class Reference(Parser):
    """A record named the way a clerk knows it, found through `references`: the import's
    context loads each kind's table once."""

    def __init__(self, kind: str, *, example: str, hint: str | Promise = "", **options) -> None:
        self.kind = kind
        self.example = example
        self.hint = hint
        self.options = options

    def parse(self, value: Any, ctx: ImportContext) -> Any:
        return ctx.resolve(self.kind, as_text(value), **self.options)

    def dump(self, value: Any) -> Any:
        return "" if value is None else REFERENCE_NAMES[self.kind](value)
