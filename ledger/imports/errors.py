"""What can be wrong with an import: a cell, cells of one row together, a whole file; and
the message a clerk reads, "第 N 行 · 列名 · 问题 · 原值"."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ledger.imports.cells import SEPARATOR


class CellError(Exception):
    """A cell that cannot be read; the message says what is wrong and how to write it."""


class RowCellError(Exception):
    """Raised by a spec's `to_fields` when cells that parsed do not fit together."""

    def __init__(self, name: str, column: str, message: str) -> None:
        super().__init__(message)
        self.name, self.column, self.message = name, column, message


class FileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, too large, no header …)."""


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
