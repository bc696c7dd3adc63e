"""A list's CSV export written by PostgreSQL itself: `COPY (SELECT …) TO STDOUT`, streamed.

The Python path (`aidledger.exports.csv_chunks`) turns each row into text with `csv_cell` and
quotes it with the csv module, at about a tenth of the database's own speed. Here the SELECT
gives each column's cell as the exact text `csv_cell` would give (neutralised against formula
injection, choices as their translated labels, money as yuan, ISO dates), PostgreSQL quotes it
as CSV, and Python only fixes the line ends and passes the bytes on. The two paths give the same
bytes; tests/aidledger/test_copy_export.py compares them on tricky values in both languages.

How a column becomes SQL (`text_expression`): an attribute path ("project.code") whose last
step is a concrete field or a simple annotation of the queryset gets its expression from the
field's type; a path that ends on a foreign key uses the related model's `csv_text(prefix)`,
which a model declares only where it equals its `__str__`; a `Column(db_text=…)` declares its
own. A list with any column that has none of these keeps the Python path.

Quoting: PostgreSQL's CSV quotes a value that holds the delimiter, the quote, CR or LF, and an
empty string (NULL is the empty unquoted field), the same as Python's csv module with
QUOTE_MINIMAL, except two cases: an empty string, which `NULLIF(…, '')` turns into NULL here,
and a value that is exactly `\\.` in a one-column row, which PostgreSQL quotes and Python does
not. The COPY path is only used for lists of two columns or more, so that case never arises.
Line ends: PostgreSQL ends rows with LF, the csv module (and RFC 4180) with CRLF; see
`CopyStream`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from django.db import connection, models
from django.db.models import F, Func, QuerySet
from django.db.models.fields.related import ForeignObject
from django.utils.translation import gettext

from aidledger.exports import FORMULA_TRIGGERS, neutralise
from aidledger.fields import MoneyField

if TYPE_CHECKING:
    from aidledger.listing import Column

# A COPY block is one row: gather this many bytes before handing a chunk to the response, so
# the per-chunk cost of the streaming response stays small and memory stays bounded.
CHUNK_BYTES = 256 * 1024
# Python's `str(Decimal)` switches to exponent notation below 1E-6; PostgreSQL never does.
MAX_DECIMAL_PLACES = 6


def _sql_string(text: str) -> str:
    """A PostgreSQL escape-string literal of `text` (only used for the trigger characters)."""
    escaped = text.replace("\\", "\\\\").replace("'", "''")
    escaped = escaped.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    return f"E'{escaped}'"


# NUL cannot occur in PostgreSQL text, so it needs no test here.
_TRIGGERS_SQL = ", ".join(_sql_string(char) for char in FORMULA_TRIGGERS if char != "\0")


class Neutralised(Func):
    """`neutralise(text)` in SQL, and NULL for an empty text: both write an empty field.

    (PostgreSQL writes an empty string as `""`, the csv module writes it as nothing.)
    """

    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        params = tuple(params)
        sql = f"({sql})"
        case = f"CASE WHEN left({sql}, 1) IN ({_TRIGGERS_SQL}) THEN '''' || {sql} ELSE {sql} END"
        return f"NULLIF({case}, '')", params * 3


class Template(Func):
    """A text expression built from a SQL template around one expression."""

    output_field = models.TextField()

    def __init__(self, template: str, expression: Any) -> None:
        super().__init__(expression, template=template)


def money_text(expression: Any) -> Func:
    """Whole fen as `str()` of the Decimal yuan: 0.00, -0.05, 999999999999.99."""
    return Template("((%(expressions)s) * 0.01)::text", expression)


def date_text(expression: Any) -> Func:
    return Template("to_char(%(expressions)s, 'YYYY-MM-DD')", expression)


def number_text(expression: Any) -> Func:
    return Template("(%(expressions)s)::text", expression)


def joined_text(*expressions: Any, separator: str) -> Func:
    """The texts joined by `separator`, NULL if any is NULL (`||`), for a model's `csv_text`."""
    if "'" in separator or "%" in separator:
        raise ValueError("keep the separator a plain literal")
    return Func(
        *expressions,
        template="%(expressions)s",
        arg_joiner=f" || '{separator}' || ",
        output_field=models.TextField(),
    )


class ChoiceLabel(Func):
    """A coded value as its label in the active language, neutralised like any text."""

    output_field = models.TextField()

    def __init__(self, expression: Any, choices: Any) -> None:
        super().__init__(expression)
        self.choices = choices

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        whens, labels = [], []
        for value, label in zip(self.choices.values, self.choices.labels, strict=True):
            whens.append("WHEN %s THEN %s")
            labels.extend([value, neutralise(str(label))])
        # Any other value is written as it is stored, as text (the constraints allow none).
        otherwise, other_params = Neutralised(self.get_source_expressions()[0]).as_sql(
            compiler, connection
        )
        case = f"CASE {sql} {' '.join(whens)} ELSE {otherwise} END"
        return f"NULLIF({case}, '')", (*params, *labels, *other_params)


def _boolean_text(expression: Any) -> Func:
    return _BooleanText(expression)


class _BooleanText(Func):
    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return (
            f"CASE WHEN {sql} THEN %s WHEN NOT {sql} THEN %s END",
            (*params, gettext("yes"), *params, gettext("no")),
        )


def field_text(field: models.Field, expression: Any, *, choices: Any = None) -> Any:
    """The CSV text of a model field's value, or None if SQL cannot give it exactly."""
    if isinstance(field, MoneyField):
        return money_text(expression)
    if choices is not None:
        if not isinstance(field, models.CharField | models.TextField):
            return None
        return ChoiceLabel(expression, choices)
    if isinstance(field, models.BooleanField):
        return _boolean_text(expression)
    if isinstance(field, models.DateTimeField):
        return None  # local time with its offset: left to Python
    if isinstance(field, models.DateField):
        return date_text(expression)
    if isinstance(field, models.IntegerField | models.AutoField):
        return number_text(expression)
    if isinstance(field, models.DecimalField):
        if field.decimal_places is None or field.decimal_places > MAX_DECIMAL_PLACES:
            return None
        return number_text(expression)
    if isinstance(field, models.CharField | models.TextField):
        return Neutralised(expression)
    return None


def text_expression(queryset: QuerySet, column: Column) -> Any:
    """The SQL expression giving `csv_cell(column.value_of(row))`, or None if there is none."""
    if column.db_text is not None:
        return column.db_text
    if callable(column.value):
        return None
    steps = column.value.split(".")
    model = queryset.model
    for position, step in enumerate(steps):
        last = position == len(steps) - 1
        lookup = "__".join(steps[: position + 1])
        try:
            field = model._meta.get_field(step)
        except Exception:
            field = None
        if field is None:
            # An annotation of the list's queryset ("disbursed"): only at the top level.
            annotation = queryset.query.annotations.get(step) if position == 0 else None
            if annotation is None or not last or column.choices is not None:
                return None
            output = annotation.output_field
            if isinstance(output, MoneyField):
                return money_text(F(step))
            if isinstance(output, models.IntegerField) and not isinstance(
                output, models.BooleanField
            ):
                return number_text(F(step))
            return None
        if not field.concrete or field.many_to_many or field.one_to_many:
            return None
        if isinstance(field, ForeignObject):
            if last:
                csv_text = getattr(field.related_model, "csv_text", None)
                if csv_text is None or column.choices is not None:
                    return None
                return Neutralised(csv_text(f"{lookup}__"))
            model = field.related_model
            continue
        if not last:
            return None
        return field_text(field, F(lookup), choices=column.choices)
    return None


def copy_statement(queryset: QuerySet, columns: Sequence[Column]) -> tuple[str, tuple] | None:
    """`COPY (SELECT <one text per column> …) TO STDOUT` of the sorted, filtered rows, and its
    parameters; None when a column has no SQL text or the query is not a plain SELECT."""
    if connection.vendor != "postgresql" or len(columns) < 2:
        return None
    query = queryset.query
    if query.combinator or query.distinct or query.distinct_fields:
        return None
    texts = {}
    for index, column in enumerate(columns):
        expression = text_expression(queryset, column)
        if expression is None:
            return None
        texts[f"csv_cell_{index}"] = expression
    selected = queryset.values(**texts)
    compiler = selected.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    if len(compiler.select) != len(columns):
        return None  # an ordering Django had to select as well: not our columns only
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", tuple(params)


class CopyStream:
    """The CSV bytes of a COPY statement, `head` (BOM and header) first, in chunks of rows.

    The COPY starts when the stream is made, so an error in the statement is raised in the
    view and becomes an ordinary error response, before any byte is sent. The cursor stays
    open while the response streams; `close()` (the response's, when the client has gone)
    ends the COPY: psycopg cancels it and discards the rest.
    """

    def __init__(self, statement: str, params: Sequence[Any], *, head: bytes) -> None:
        self.head = head
        self._chunks = self._copy(statement, params)
        next(self._chunks)  # runs up to the first row: the statement is checked now

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        yield from self._chunks

    def close(self) -> None:
        self._chunks.close()

    @staticmethod
    def _copy(statement: str, params: Sequence[Any]) -> Iterator[bytes]:
        connection.ensure_connection()
        raw = connection.connection
        if raw.info.encoding != "utf-8":  # Django sets UTF8; the bytes go out as they come
            raise RuntimeError(f"the database connection speaks {raw.info.encoding}, not UTF-8")
        # Client-side binding: COPY takes no server-side parameters.
        with psycopg.ClientCursor(raw) as cursor, cursor.copy(statement, params) as copy:
            yield b""
            # PostgreSQL sends each row as one CopyData message (libpq: "data is always
            # returned one data row at a time"), so every block is one row ending in LF.
            # That LF becomes CRLF; line breaks inside quoted cells stay as they are, as the
            # csv module writes them.
            rows: list[Any] = []
            size = 0
            read = copy.read
            while row := read():
                rows.append(row[:-1])
                size += len(row)
                if size >= CHUNK_BYTES:
                    rows.append(b"")
                    yield b"\r\n".join(rows)
                    rows, size = [], 0
            if rows:
                rows.append(b"")
                yield b"\r\n".join(rows)
