"""A list's CSV export written by PostgreSQL itself: `COPY (SELECT …) TO STDOUT`, streamed.

The Python path (`ledger.exports.csv_chunks`) turns each row into text with `csv_cell` and
quotes it with the csv module, at about a tenth of the database's own speed. Here the SELECT
gives each column's cell as the exact text `csv_cell` would give (neutralised against formula
injection, choices as their translated labels, money as yuan, ISO dates), PostgreSQL quotes it
as CSV, and Python only fixes the line ends and passes the bytes on. The two paths give the same
bytes; tests/ledger/test_copy_export.py compares them on tricky values in both languages.

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
from typing import Any, Protocol

import psycopg
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import F, Func, QuerySet
from django.db.models.fields.related import ForeignObject
from django.utils.translation import gettext

from ledger.exports import FORMULA_TRIGGERS, LEADING_BLANKS, neutralise
from ledger.fields import MoneyField


class Column(Protocol):
    """What this module reads of a list's column (ledger.listing.Column, which builds on this
    module: the protocol keeps the dependency one way)."""

    value: Any  # an attribute path ("project.name") or a function of the row
    db_text: Any  # the column's SQL text, when it declares one
    choices: Any  # the choices whose labels a stored value shows as


# A COPY block is one row: gather this many bytes before handing a chunk to the response, so
# the per-chunk cost of the streaming response stays small and memory stays bounded.
CHUNK_BYTES = 256 * 1024
# Python's `str(Decimal)` switches to exponent notation below 1E-6; PostgreSQL never does.
MAX_DECIMAL_PLACES = 6


# NUL cannot occur in PostgreSQL text. ascii() of a text is the code of its first character
# (its Unicode code point in a UTF8 database, 0 for an empty text): an integer test, much
# cheaper than comparing left(x, 1). ltrim() first drops the blanks `neutralise` skips.
_TRIGGER_CODES = ", ".join(str(ord(char)) for char in FORMULA_TRIGGERS if char != "\0")
# Inside a SQL string literal: none of them is a quote or a % (the parameter marker).
_BLANKS = LEADING_BLANKS


class Neutralised(Func):
    """`neutralise(text)` in SQL, and NULL for an empty text: both write an empty field.

    (PostgreSQL writes an empty string as `""`, the csv module writes it as nothing.)
    """

    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        sql, params = f"({sql})", tuple(params)
        case = (
            f"CASE WHEN ascii(ltrim({sql}, '{_BLANKS}')) IN ({_TRIGGER_CODES}) "
            f"THEN '''' || {sql} "
            f"ELSE NULLIF({sql}, '') END"
        )
        return case, params * 3


class Template(Func):
    """A text expression built from a SQL template around one expression."""

    output_field = models.TextField()

    def __init__(self, template: str, expression: Any) -> None:
        super().__init__(expression, template=template)


def money_text(expression: Any) -> Func:
    """Whole fen as `str()` of the Decimal yuan: 0.00, -0.05, 999999999999.99."""
    return Template("((%(expressions)s) * 0.01)::text", expression)


class DateText(Func):
    """A date as ISO text, `date.isoformat()`."""

    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        # Under DateStyle ISO (PostgreSQL's default) a date's own text is YYYY-MM-DD, and
        # much cheaper than to_char().
        connection.ensure_connection()
        if connection.connection.info.parameter_status("DateStyle").startswith("ISO"):
            return f"({sql})::text", params
        return f"to_char({sql}, 'YYYY-MM-DD')", params


def date_text(expression: Any) -> Func:
    return DateText(expression)


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
        return case, (*params, *labels, *other_params)


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


def resolve_path(queryset: QuerySet, path: str) -> tuple[str, Any, str] | None:
    """What an attribute path ("project.responsible_body") reads: ("field", the model field,
    ORM lookup), ("relation", the foreign key, lookup) or ("annotation", its output field,
    name); None for anything else (a property, a reverse or many-to-many relation)."""
    steps = path.split(".")
    model = queryset.model
    for position, step in enumerate(steps):
        last = position == len(steps) - 1
        lookup = "__".join(steps[: position + 1])
        try:
            field = model._meta.get_field(step)
        except FieldDoesNotExist:
            # An annotation of the list's queryset ("disbursed"): only at the top level.
            annotation = queryset.query.annotations.get(step) if position == 0 else None
            if annotation is None or not last:
                return None
            return "annotation", annotation.output_field, step
        if not field.concrete or field.many_to_many or field.one_to_many:
            return None
        if isinstance(field, ForeignObject):
            if last:
                return "relation", field, lookup
            model = field.related_model
            continue
        return ("field", field, lookup) if last else None
    return None


def text_expression(queryset: QuerySet, column: Column) -> Any:
    """The SQL expression giving `csv_cell(column.value_of(row))`, or None if there is none."""
    if column.db_text is not None:
        return column.db_text
    if callable(column.value):
        return None
    target = resolve_path(queryset, column.value)
    if target is None:
        return None
    kind, field, lookup = target
    if kind == "field":
        return field_text(field, F(lookup), choices=column.choices)
    if column.choices is not None:
        return None
    if kind == "relation":
        csv_text = getattr(field.related_model, "csv_text", None)
        return None if csv_text is None else Neutralised(csv_text(f"{lookup}__"))
    if isinstance(field, MoneyField):
        return money_text(F(lookup))
    if isinstance(field, models.IntegerField) and not isinstance(field, models.BooleanField):
        return number_text(F(lookup))
    return None


def value_expression(queryset: QuerySet, column: Column) -> Any:
    """An ORM expression (any database) that reads `column.value_of(row)` for `values_list()`,
    before choice labels; None if the column needs the row object. A path that ends on a
    foreign key reads the related model's `csv_text`, its `__str__` as SQL."""
    if callable(column.value):
        return None
    target = resolve_path(queryset, column.value)
    if target is None:
        return None
    kind, field, lookup = target
    if kind != "relation":
        return lookup
    csv_text = getattr(field.related_model, "csv_text", None)
    return None if csv_text is None else csv_text(f"{lookup}__")


def copy_select(queryset: QuerySet, columns: Sequence[Column]) -> tuple[str, tuple] | None:
    """`SELECT <one CSV text per column> …` of the sorted, filtered rows, and its parameters;
    None when a column has no SQL text or the query is not a plain SELECT."""
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
    return sql, tuple(params)


class CopyStream:
    """The CSV bytes of `COPY (select) TO STDOUT`, `head` (BOM and header) first, in chunks.

    Made in the view, the stream checks the SELECT there (planned with LIMIT 0), so a broken
    statement is an ordinary error response. The COPY itself starts when the server asks for
    the first bytes, after the middleware has used the connection for what it needs (a COPY
    holds the connection until it ends), and `head` goes out with the first rows, so an
    error in starting it still comes before any byte. `close()` (the response's, also when
    the client has gone) ends a COPY under way: psycopg cancels it and discards the rest.
    """

    def __init__(self, select: str, params: Sequence[Any], *, head: bytes) -> None:
        with connection.cursor() as cursor:
            # `select` is compiled by the ORM; values travel as parameters.
            cursor.execute(f"SELECT * FROM ({select}) AS export LIMIT 0", params)  # noqa: S608
        if connection.connection.info.encoding != "utf-8":  # the bytes go out as they come
            raise RuntimeError("the database connection does not speak UTF-8")
        self._chunks = self._copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", params, head)

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._chunks.close()

    @staticmethod
    def _copy(statement: str, params: Sequence[Any], head: bytes) -> Iterator[bytes]:
        connection.ensure_connection()
        # Client-side binding: COPY takes no server-side parameters.
        with (
            psycopg.ClientCursor(connection.connection) as cursor,
            cursor.copy(statement, params) as copy,
        ):
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
                    yield head + b"\r\n".join(rows)
                    rows, size, head = [], 0, b""
            rows.append(b"")
            yield head + b"\r\n".join(rows) if len(rows) > 1 else head
