"""Running an import: read the file, check every row against the spec, then write them all in
one transaction, or none.

    run_import
    ├── read_table, find_header, read_header     the file, its header row, its columns
    ├── validate_rows                            every row, every error collected
    │   ├── row_cells, is_example_row             a row's raw cells; the template's example
    │   ├── parse_cells                          each cell through its column's parser
    │   ├── row_fields                           the spec's `to_fields` (cells together)
    │   ├── plan_row                             new, updated or unchanged; checked
    │   │   ├── row_key, find_record             the natural key → the record (or a new one)
    │   │   ├── apply_fields, links_changed      the row's values onto the record
    │   │   └── clean                            the model's own rules (full_clean)
    │   └── check_together                       the spec's `check_all` (the file as a whole)
    └── write                                    one transaction, through the spec's writer
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from ledger import history, locks, permissions, validation
from ledger.imports.cells import SEPARATOR, as_text, comparable, is_blank, normalise
from ledger.imports.errors import CellError, FileError, RowCellError, RowError
from ledger.imports.files import Table, read_table
from ledger.imports.references import ImportContext
from ledger.imports.specs import LINE, Col, ImportSpec, Planned, base_queryset, key_attnames


@dataclass
class ImportResult:
    """What an import found: the columns it read, the rows it would write, every error and
    note, and whether it wrote them."""

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


# The file and its header -----------------------------------------------------------------------


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
    write(spec, result, user=user, filename=filename)
    return result


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


# Every row -------------------------------------------------------------------------------------


def validate_rows(
    spec: ImportSpec,
    rows: Iterable[tuple[int, list[Any]]],
    positions: dict[str, int],
    ctx: ImportContext,
    result: ImportResult,
) -> None:
    """Check every row, collecting each error with its row number into `result`, and plan the
    rows that pass; then check the planned rows together. Errors end sorted by row."""
    keys = existing_keys(spec)
    seen: dict[tuple, int] = {}
    example = dict(zip([col.name for col in spec.columns], spec.example_row(), strict=True))
    present = [col for col in spec.columns if col.name in positions]
    # First every row's cells, then the records the rows name, loaded together: a file of new
    # rows loads no record of the ledger, only its keys.
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for number, cells in rows:
        raw = row_cells(present, positions, cells)
        if all(is_blank(value) for value in raw.values()):
            continue
        if is_example_row(raw, example):
            result.warnings.append(
                _("Row %(row)s is the template's example row; it was skipped.") % {"row": number}
            )
            continue
        values = parse_cells(spec, present, number, raw, ctx, result)
        if values is None:
            continue
        fields = row_fields(spec, number, values, raw, ctx, result)
        if fields is None:
            continue
        parsed.append((number, raw, fields))
    named = {row_key(spec, dict(fields)) for _number, _raw, fields in parsed}
    existing = load_records(spec, {key: pks for key, pks in keys.items() if key in named})
    for number, raw, fields in parsed:
        planned = plan_row(spec, number, fields, existing, seen, ctx, result)
        if planned is not None:
            planned.cells = [as_text(raw.get(col.name)) for col in present]
            result.planned.append(planned)
    check_together(spec, result)
    result.errors.sort(key=lambda error: error.row)


def existing_keys(spec: ImportSpec) -> dict[tuple, list[Any]]:
    """The ledger's record ids by natural key (as stored: a foreign key by its id; LINE
    numbered in entry order), read as values, not records."""
    queryset = base_queryset(spec)
    names = key_attnames(spec)
    stored = [name for name in names if name != LINE]
    by_key: dict[tuple, list[Any]] = defaultdict(list)
    counters: dict[tuple, int] = defaultdict(int)
    for pk, *values in queryset.order_by("pk").values_list("pk", *stored).iterator(2000):
        value_of = dict(zip(stored, values, strict=True))
        if LINE in names:
            rest = tuple(values)
            counters[rest] += 1
            value_of[LINE] = counters[rest]
        by_key[tuple(value_of[name] for name in names)].append(pk)
    return by_key


def load_records(spec: ImportSpec, keys: dict[tuple, list[Any]]) -> dict[tuple, list[Model]]:
    """The records of `keys` (natural key → ids), loaded in entry order, a chunk of
    ids at a time; each keeps its LINE number."""
    queryset = base_queryset(spec)
    wanted = [pk for pks in keys.values() for pk in pks]
    loaded: dict[Any, Model] = {}
    for start in range(0, len(wanted), LOAD_CHUNK):
        chunk = wanted[start : start + LOAD_CHUNK]
        for obj in queryset.filter(pk__in=chunk):
            loaded[obj.pk] = obj
    position = key_attnames(spec).index(LINE) if LINE in spec.key else None
    existing: dict[tuple, list[Model]] = {}
    for key, pks in keys.items():
        objects = [loaded[pk] for pk in pks if pk in loaded]
        if position is not None:
            for obj in objects:
                obj.line = key[position]
        existing[key] = objects
    return existing


# Ids per query when loading the records a file names (below SQLite's variable limit).
LOAD_CHUNK = 2000


def row_cells(present: list[Col], positions: dict[str, int], cells: list[Any]) -> dict[str, Any]:
    """Column name → the row's raw cell (None where the row is shorter than the header)."""
    return {
        col.name: cells[positions[col.name]] if positions[col.name] < len(cells) else None
        for col in present
    }


def is_example_row(raw: dict[str, Any], example: dict[str, Any]) -> bool:
    """The template's grey example row, left in the file as it was."""
    return all(comparable(raw[name]) == comparable(example[name]) for name in raw)


def parse_cells(
    spec: ImportSpec,
    present: list[Col],
    number: int,
    raw: dict[str, Any],
    ctx: ImportContext,
    result: ImportResult,
) -> dict[str, Any] | None:
    """Each cell through its column's parser (an empty cell is None, an error if required);
    None when any cell failed, every failure reported."""
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
        return None
    return values


def row_fields(
    spec: ImportSpec,
    number: int,
    values: dict[str, Any],
    raw: dict[str, Any],
    ctx: ImportContext,
    result: ImportResult,
) -> dict[str, Any] | None:
    """The parsed cells as model attributes, through the spec's `to_fields` if it has one
    (cells read together: a funding line from its source and year); None if they do not fit."""
    try:
        return spec.to_fields(values, ctx) if spec.to_fields else dict(values)
    except RowCellError as exc:
        result.errors.append(
            RowError(number, exc.column, exc.message, as_text(raw.get(exc.name, "")))
        )
    except CellError as exc:
        result.errors.append(RowError(number, "—", str(exc)))
    return None


def check_together(spec: ImportSpec, result: ImportResult) -> None:
    """The spec's `check_all` on the planned rows as a whole (payments against their plan),
    when every row passed on its own."""
    if spec.check_all and not result.errors:
        for row, problems in spec.check_all(result.planned).items():
            for column, message in problems:
                result.errors.append(RowError(row, column, message))


# One row -----------------------------------------------------------------------------------------


def plan_row(
    spec: ImportSpec,
    number: int,
    fields: dict[str, Any],
    existing: dict[tuple, list[Model]],
    seen: dict[tuple, int],
    ctx: ImportContext,
    result: ImportResult,
) -> Planned | None:
    """The row as a record to write: new (no record has its key), updated (a value differs)
    or unchanged; None, with the error in `result`, if the row may not or cannot be written."""
    m2m = {name: fields.pop(name) for name in spec.m2m if name in fields}
    key = row_key(spec, fields)
    obj = find_record(spec, number, key, existing, seen, result)
    if obj is None:
        return None
    if obj.pk and ctx.user is not None and not permissions.can_change(ctx.user, obj):
        result.errors.append(role_error(spec, number, obj))
        return None
    before = locks.values(obj) if obj.pk else None
    fields_changed = apply_fields(spec, obj, fields)
    links_differ = links_changed(spec, obj, m2m)
    if not (fields_changed or links_differ):
        return Planned(row=number, status="unchanged", obj=obj, m2m=m2m)
    if ctx.user is not None and not may_write(ctx.user, obj):
        result.errors.append(role_error(spec, number, obj))
        return None
    if not clean(spec, number, obj, result):
        return None
    # A row dated in a locked (approved) period refuses the whole file, the row named.
    locked = ctx.locks.refusal(obj, before=before)
    if locked:
        column = spec.column_of(getattr(locked, "field", "")) or "—"
        result.errors.append(RowError(number, column, str(locked)))
        return None
    return Planned(row=number, status="updated" if obj.pk else "new", obj=obj, m2m=m2m)


def row_key(spec: ImportSpec, fields: dict[str, Any]) -> tuple:
    """The row's natural key (a line number defaults to 1); the line number leaves `fields`,
    it is no attribute of the record."""
    if LINE in spec.key:
        fields[LINE] = fields.get(LINE) or 1
    key = tuple(key_value(fields.get(name)) for name in spec.key)
    fields.pop(LINE, None)
    return key


def find_record(
    spec: ImportSpec,
    number: int,
    key: tuple,
    existing: dict[tuple, list[Model]],
    seen: dict[tuple, int],
    result: ImportResult,
) -> Model | None:
    """The record the row's key names, or a new one; None (an error) when an earlier row of
    the file has the same key or several records in the ledger have it."""
    if key in seen:
        result.errors.append(
            RowError(
                number,
                key_label(spec),
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
                key_label(spec),
                _("Several records in the ledger match this row; correct them in the admin first."),
            )
        )
        return None
    return matches[0] if matches else spec.model()


def key_label(spec: ImportSpec) -> str:
    """The columns of the natural key, as an error about it names them."""
    return SEPARATOR.join(spec.column_of(name) or name for name in spec.key)


def apply_fields(spec: ImportSpec, obj: Model, fields: dict[str, Any]) -> bool:
    """Set the row's values on the record; whether any differed (always, for a new record).
    An empty cell of a field that cannot be null means the field's default (or blank)."""
    changed = not obj.pk
    for name, value in fields.items():
        model_field = spec.model._meta.get_field(name)
        if value is None and not model_field.null:
            value = model_field.get_default() if model_field.has_default() else ""
            if isinstance(model_field, models.ForeignKey):
                value = None
        if isinstance(model_field, models.ForeignKey):
            if getattr(obj, model_field.attname) != (value.pk if value is not None else None):
                changed = True
                setattr(obj, name, value)
        elif getattr(obj, name) != value:
            changed = True
            setattr(obj, name, value)
    return changed


def links_changed(spec: ImportSpec, obj: Model, m2m: dict[str, list[Model]]) -> bool:
    """Whether a stored record's linked items (an exchange's pairings, a member's roles)
    differ from the row's, compared by the spec's `link_keys` (else by primary key)."""
    changed = False
    for name, values in m2m.items():
        if obj.pk:
            link_key = spec.link_keys.get(name, key_value)
            stored = {link_key(item) for item in getattr(obj, name).all()}
            changed = changed or stored != {link_key(item) for item in values}
    return changed


def clean(spec: ImportSpec, number: int, obj: Model, result: ImportResult) -> bool:
    """The model's own rules and constraints (`full_clean()`, without querying again for the
    records the row's references loaded), each error under its column."""
    try:
        validation.full_clean(obj)
    except ValidationError as exc:
        for name, messages in message_dict(exc).items():
            column = "" if name == NON_FIELD_ERRORS else spec.column_of(name)
            for message in messages:
                result.errors.append(RowError(number, column or "—", message))
        return False
    return True


# Who may write a row, and the messages of errors ------------------------------------------------


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


# Writing -----------------------------------------------------------------------------------------


def write(spec: ImportSpec, result: ImportResult, *, user=None, filename: str = "") -> None:
    """Write every planned row in one transaction: all or nothing. The history rows name
    `user` (the command's --user, the admin's account); without, they name no one. They are
    one change set, marked as an import of `filename` (ledger.history.change_set)."""
    pending = [item for item in result.planned if item.status != "unchanged"]
    recording = history.changes_by(user) if user is not None else nullcontext()
    marked = history.change_set(history.import_change_set(filename))
    try:
        # Every row was checked against the locks in one session (plan_row); the database's
        # triggers still refuse a row whose period was approved since.
        with recording, marked, transaction.atomic(), locks.checked_already():
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
