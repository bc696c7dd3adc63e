"""The list/export pattern, built once for every ledger.

A ledger list is declared by one subclass of `LedgerListView`: a selector (`get_queryset`),
a django-filter `FilterSet`, and one column spec. The same three drive the HTML table and the
CSV and XLSX exports, so an export holds exactly the rows and columns the reviewer sees,
filters and sort included. `LedgerListView.urls()` gives the three URLs: `<route>`,
`<route>export.csv` and `<route>export.xlsx`; both exports read the same rows
(`export_rows`). The XLSX also names the filters in effect, the export time and the totals
above its table.
A list may also declare `totals`: figures over all the filtered rows (sums of money, counts),
computed by the database in one aggregate query and shown above the table.

A page never counts a huge filtered set exactly just to draw its pager: a list with totals
gets its exact row count from the same aggregate as the totals; a list without counts at most
`LIST_COUNT_LIMIT` + 1 rows and says "10,000+ rows" beyond that (`ListPage`).
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import islice
from typing import Any, ClassVar, Literal

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Choices, Count, ExpressionWrapper, F, QuerySet, Value
from django.db.models.expressions import BaseExpression
from django.db.models.functions import NullIf
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.views import View

from ledger.copy_export import CopyStream, copy_select, value_expression
from ledger.exports import csv_chunks, csv_response, export_filename, xlsx_file, xlsx_response
from ledger.fields import MoneyField, yuan
from ledger.filters import bound_dates

Kind = Literal["text", "longtext", "list", "number", "money", "percent", "date"]


@dataclass(frozen=True)
class Column:
    """One column of a ledger list, on screen and in the CSV.

    `value` is an attribute path ("batch.name") or a function of the row object; it must only
    read what the selector (select_related) or `load_related()` already loaded, never query.
    A path declares the rest by default (`bind`, when the list's queryset is known): `key`
    (in `?sort=` and the CSS class) is its last step, or the relation when the path ends at
    the related record's name ("batch.name" → "batch"); `label` is that field's verbose name;
    `kind` follows the type of the field the path reads (money, dates, numbers, long text).
    A function, or a path to an annotation, gives its key and label itself.
    `sort` is the ORM ordering expression that sorts by this column, if it can be sorted:
    a field path, True to sort by the path itself ("helper.name" → "helper__name"), or a query
    expression for a figure computed per row (a rate); rows without one sort as the smallest.
    `choices` (a TextChoices class) shows a coded value as its label: 农业 for "agriculture".
    `link` makes the cell a link: True to the row's own page, an attribute path ("project")
    to that related record's page; either through `get_absolute_url()`.
    `db_text` is an SQL expression (PostgreSQL) that gives the cell's CSV text exactly, for a
    `value` that is a function; attribute paths get theirs from their field (see
    ledger.copy_export). Without it the list's CSV is written by Python.
    """

    value: str | Callable[[Any], Any]
    label: str | Promise | None = None
    key: str = ""
    sort: str | bool | BaseExpression | None = None
    kind: Kind | None = None
    link: bool | str = False
    choices: type[Choices] | None = None
    db_text: Any = None

    def __post_init__(self) -> None:
        if callable(self.value):
            if not self.key or self.label is None or self.sort is True:
                raise ValueError(f"{self.value!r}: a function's column needs a key and a label")
            if self.kind is None:
                object.__setattr__(self, "kind", "text")
            return
        if not self.key:
            object.__setattr__(self, "key", _subject(self.value).rsplit(".", 1)[-1])
        if self.sort is True:
            object.__setattr__(self, "sort", self.value.replace(".", "__"))

    @property
    def bound(self) -> bool:
        """Whether every default is filled in (see `bind`)."""
        return self.label is not None and self.kind is not None

    def bind(self, queryset: QuerySet) -> Column:
        """This column with its label and kind filled in from the fields its path reads in
        `queryset`'s model (or an annotation of `queryset`)."""
        if self.bound or callable(self.value):  # a function's column is bound from the start
            return self
        path = self.value
        label, kind = self.label, self.kind
        if label is None:
            subject = model_field(queryset, _subject(path))
            if getattr(subject, "verbose_name", None) is None:
                raise ValueError(f"column {self.key!r} of {queryset.model.__name__}: give a label")
            label = subject.verbose_name
        return replace(self, label=label, kind=kind or kind_of(model_field(queryset, path)))

    def value_of(self, obj: Any) -> Any:
        if callable(self.value):
            value = self.value(obj)
        else:
            value = obj
            for attr in self.value.split("."):
                if value is None:
                    return None
                value = getattr(value, attr)
        if self.choices is not None and value not in (None, ""):
            # The enum's label, not get_FOO_display(): that rebuilds a dict of the lazy choices
            # on every call, which dominated the exports' time.
            return self.choices(value).label
        return value

    def url_of(self, obj: Any) -> str | None:
        """The page a linked cell leads to (see `link`), or None."""
        if not self.link:
            return None
        target = obj
        if self.link is not True:
            for attr in self.link.split("."):
                target = getattr(target, attr) if target is not None else None
        if target is None:
            return None
        if isinstance(target, dict):  # rows built as dicts (the recent changes) carry their URL
            return target.get("get_absolute_url")
        return target.get_absolute_url()


def _subject(path: str) -> str:
    """What a column's path stands for: the path, or the relation when it ends at the related
    record's name ("batch.name" → "batch": the column is the batch, shown by its name)."""
    head, _dot, last = path.rpartition(".")
    return head if head and last == "name" else path


def model_field(source: type[models.Model] | QuerySet, path: str) -> models.Field | None:
    """The model field at the end of an attribute path ("funding.year"), following relations
    from a model or a queryset's model; for a queryset, also the output field of the
    annotation a one-step path names ("disbursed"). None for anything else (a property)."""
    queryset = source if isinstance(source, QuerySet) else None
    current: Any = source.model if queryset is not None else source
    found = None
    for position, part in enumerate(path.split(".")):
        if current is None:
            return None
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            if queryset is not None and position == 0 and "." not in path:
                annotation = queryset.query.annotations.get(part)
                return None if annotation is None else annotation.output_field
            return None
        current = found.related_model
    return found


def kind_of(field: models.Field | None) -> Kind:
    """How a value of this model field shows: money, a date, a number, long or short text."""
    if isinstance(field, MoneyField):
        return "money"
    if isinstance(field, models.DateField):  # DateTimeField too
        return "date"
    if isinstance(field, models.DecimalField | models.IntegerField):
        return "number"
    if isinstance(field, models.TextField):
        return "longtext"
    return "text"


@dataclass(frozen=True)
class Total:
    """One figure over all the filtered rows, e.g. the sum of the planned amounts.

    `expression` is an aggregate (`money_sum("amount")`, `Count(...)`); all of a list's totals
    are computed together in one `aggregate()` query. Money shows in 元 with separators.
    """

    key: str
    label: str | Promise
    expression: Any
    kind: Kind = "money"


@dataclass(frozen=True)
class ListPage:
    """One page of a list, and what the list knows of its length.

    `count` is exact when `count_exact`; otherwise more than `count` rows match (the list
    stopped counting there) and the last page is unknown, so the pager offers the next page
    while there is one. The attribute names follow Django's `Page`.
    """

    object_list: list[Any]
    number: int
    page_size: int
    count: int
    count_exact: bool
    has_next: bool

    @property
    def paginator(self) -> ListPage:
        """Django's `Page` gives its list's length as `page.paginator.count`: so does this."""
        return self

    @property
    def per_page(self) -> int:
        """Django's `Paginator.per_page`."""
        return self.page_size

    @property
    def count_display(self) -> str:
        return f"{self.count:,}"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages, None while the count is not exact."""
        if not self.count_exact:
            return None
        return max(1, -(-self.count // self.page_size))

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.object_list)


# No list has this many pages; a larger number is read as "the last page" before it reaches
# the database, whose OFFSET is a 64-bit integer (PostgreSQL: "bigint out of range").
MAX_PAGE_NUMBER = 1_000_000


def requested_page(value: str | None) -> int | None:
    """The page number asked for: None for "the last page" (a number past the end, past
    MAX_PAGE_NUMBER or below 1 is read as the last page, as Django's `Paginator.get_page`
    does), 1 when unreadable."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE_NUMBER else None


@dataclass(frozen=True)
class Header:
    column: Column
    direction: Literal["asc", "desc", None]
    next_sort: str | None


class BoundColumns:
    """A list's `columns` as declared, each with its defaults filled in from the list's queryset
    (`Column.bind`) the first time they are read: the queryset's model is known only once the
    apps are loaded, after the views are declared. A list's own columns, per list class."""

    def __init__(self, declared: Sequence[Column]) -> None:
        self.declared = tuple(declared)
        self._bound: dict[type, tuple[Column, ...]] = {}

    def __get__(self, view: Any, owner: type[LedgerListView]) -> tuple[Column, ...]:
        columns = self._bound.get(owner)
        if columns is None:
            if all(column.bound for column in self.declared):
                columns = self.declared
            else:
                queryset = owner().get_queryset()
                columns = tuple(column.bind(queryset) for column in self.declared)
            self._bound[owner] = columns
        return columns


class LedgerListView(View):
    """A filtered, sorted, paginated list, and its exports (`export="csv"` or `"xlsx"`)."""

    title: ClassVar[str | Promise]
    filterset_class: ClassVar[type[django_filters.FilterSet]]
    columns: ClassVar[Sequence[Column]]
    default_sort: ClassVar[str]
    totals: ClassVar[Sequence[Total]] = ()
    # How many queries `compute_totals` runs (one aggregate, unless a list overrides it).
    totals_queries: ClassVar[int] = 1
    url_name = ""
    template_name = "ledger/ledger_list.html"
    export: Literal["", "csv", "xlsx"] = ""
    # The filters in effect on an export, (form field, value): its file name says them.
    _export_choices: Sequence[tuple[forms.Field, Any]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("columns")
        if declared is not None and not isinstance(declared, BoundColumns):
            cls.columns = BoundColumns(declared)

    @classmethod
    def urls(cls, route: str, *, name: str) -> list[URLPattern]:
        """The page at `route`, its CSV export at `route` + "export.csv" (`<name>-export`)
        and its XLSX export at `route` + "export.xlsx" (`<name>-export-xlsx`)."""
        return [
            path(route, cls.as_view(url_name=name), name=name),
            path(
                f"{route}export.csv",
                cls.as_view(url_name=name, export="csv"),
                name=f"{name}-export",
            ),
            path(
                f"{route}export.xlsx",
                cls.as_view(url_name=name, export="xlsx"),
                name=f"{name}-export-xlsx",
            ),
        ]

    def get_queryset(self) -> QuerySet:
        raise NotImplementedError

    def load_related(self, objects: list[Any]) -> None:
        """Attach to-many data the columns read, for one page or one export chunk at a time.

        One query per call, whatever the number of rows. Cheaper than prefetch_related,
        whose per-row related managers cost more than the query on large exports.
        """

    def filter(self) -> django_filters.FilterSet:
        """The list's FilterSet over its queryset, bound to the request's query string: what
        the page, its exports and its records in the import format (ledger.imports) show."""
        filterset = self.filterset_class(
            self.request.GET, queryset=self.get_queryset(), request=self.request
        )
        bound_dates(filterset.form)  # dates at the ends of the calendar: a message, not a 500
        return filterset

    def get(self, request: HttpRequest) -> HttpResponseBase:
        filterset = self.filter()
        valid = filterset.is_valid()
        sort = self.current_sort()
        if self.export:
            if not valid:
                # Never export "everything" when a filter could not be read: show the errors.
                return redirect(f"{reverse(self.url_name)}?{request.GET.urlencode()}")
            rows = filterset.qs.order_by(*self.ordering(sort))
            cleaned = filterset.form.cleaned_data
            self._export_choices = [
                (field, cleaned[name])
                for name, field in filterset.form.fields.items()
                if cleaned.get(name) not in (None, "", [], ())
            ]
            if self.export == "xlsx":
                return self.export_xlsx(filterset, rows)
            return self.export_csv(rows)
        rows = filterset.qs.order_by(*self.ordering(sort)) if valid else filterset.qs.none()
        return self.render_page(filterset, rows, sort)

    # Sorting -------------------------------------------------------------------------------

    def sortable(self) -> dict[str, Column]:
        return {column.key: column for column in self.columns if column.sort}

    def current_sort(self) -> str:
        requested = self.request.GET.get("sort", "")
        if requested.removeprefix("-") in self.sortable():
            return requested
        return self.default_sort

    def ordering(self, sort: str) -> list[str]:
        column = self.sortable()[sort.removeprefix("-")]
        descending = sort.startswith("-")
        if isinstance(column.sort, str):
            key = f"-{column.sort}" if descending else column.sort
        else:
            # Both databases put the rows without a figure first going up, last going down.
            key = (
                column.sort.desc(nulls_last=True)
                if descending
                else column.sort.asc(nulls_first=True)
            )
        # The primary key breaks ties, so pages never repeat or skip rows.
        return [key, "-pk" if descending else "pk"]

    def headers(self, sort: str) -> list[Header]:
        current, descending = sort.removeprefix("-"), sort.startswith("-")
        headers = []
        for column in self.columns:
            if not column.sort:
                headers.append(Header(column, None, None))
            elif column.key == current:
                direction = "desc" if descending else "asc"
                headers.append(
                    Header(column, direction, column.key if descending else f"-{column.key}")
                )
            else:
                headers.append(Header(column, None, column.key))
        return headers

    # The page --------------------------------------------------------------------------------

    def compute_totals(self, rows: QuerySet) -> list[tuple[Total, Any]]:
        """The list's totals over the filtered rows (not just the page), in one query."""
        return self.totals_and_count(rows)[0]

    def totals_and_count(self, rows: QuerySet) -> tuple[list[tuple[Total, Any]], int | None]:
        """The list's totals and the exact number of filtered rows, in one aggregate query;
        (no totals, None) for a list without totals, which counts nothing here.

        A list whose totals cannot be one aggregate over its rows overrides this.
        """
        if not self.totals:
            return [], None
        # Prefixed keys: an aggregate may not share its name with an annotation it sums.
        values = rows.order_by().aggregate(
            # COUNT(*), not of the key: an index that covers the totals then answers alone.
            total__row_count__=Count("*"),
            **{f"total__{total.key}": total.expression for total in self.totals},
        )
        totals = [(total, values[f"total__{total.key}"]) for total in self.totals]
        return totals, values["total__row_count__"]

    def paginate(self, rows: QuerySet, page_size: int, count: int | None) -> ListPage:
        """The requested page of `rows`, fetched with one row more than it shows (which tells
        whether a next page exists). `count` is the exact number of rows if known; otherwise
        at most `LIST_COUNT_LIMIT` + 1 rows are counted. A page past the end shows the last
        page, at the cost of one exact count in that (unusual) case."""
        exact = count is not None
        if count is None:
            limit = settings.LIST_COUNT_LIMIT
            count = rows.order_by()[: limit + 1].count()
            exact = count <= limit
            count = min(count, limit)
        number = requested_page(self.request.GET.get("page"))
        last = max(1, -(-count // page_size)) if exact else None
        if number is None or (last is not None and number > last):
            if last is None:
                count, exact = rows.count(), True
                last = max(1, -(-count // page_size))
            number = last
        start = (number - 1) * page_size
        fetched = list(rows[start : start + page_size + 1])
        if not exact and not fetched and number > 1:
            # Past the end of a list too long to have counted: count it, show its last page.
            count, exact = rows.count(), True
            number = max(1, -(-count // page_size))
            start = (number - 1) * page_size
            fetched = list(rows[start : start + page_size + 1])
        elif not exact and len(fetched) <= page_size:
            # The last page of a long list: now the count is known without counting.
            count, exact = start + len(fetched), True
        return ListPage(
            object_list=fetched[:page_size],
            number=number,
            page_size=page_size,
            count=count,
            count_exact=exact,
            has_next=len(fetched) > page_size,
        )

    def page_size(self) -> int:
        try:
            size = int(self.request.GET.get("per_page", ""))
        except ValueError:
            return settings.LIST_DEFAULT_PAGE_SIZE
        return size if size in settings.LIST_PAGE_SIZES else settings.LIST_DEFAULT_PAGE_SIZE

    def extra_context(self, filterset: django_filters.FilterSet) -> dict[str, Any]:
        """More context for a page that extends the list template (its summary block).

        Called only when the filters are valid; a constant number of queries, whatever the rows.
        """
        return {}

    def hidden_filters(self, filterset: django_filters.FilterSet) -> list[tuple[Any, Any]]:
        """(label, value) of filters set through hidden fields, which links fill in (a unit,
        a pairing): the page names them, since the reader cannot see them in the form."""
        cleaned = getattr(filterset.form, "cleaned_data", {})
        return [
            (field.label, cleaned[field.name])
            for field in filterset.form.hidden_fields()
            if cleaned.get(field.name) not in (None, "")
        ]

    def render_page(
        self, filterset: django_filters.FilterSet, rows: QuerySet, sort: str
    ) -> HttpResponse:
        page_size = self.page_size()
        totals, count = self.totals_and_count(rows) if filterset.is_valid() else ([], 0)
        page = self.paginate(rows, page_size, count)
        objects = page.object_list
        self.load_related(objects)
        table = [
            (obj, [(column, column.value_of(obj)) for column in self.columns]) for obj in objects
        ]
        # The rows as HTML, built here: the template's loop over every cell of 100–200 rows
        # was most of a page's time.
        rows_html = [
            SafeString("".join(cell_html(column, obj, value) for column, value in cells))
            for obj, cells in table
        ]
        context = {
            "title": self.title,
            "filterset": filterset,
            "headers": self.headers(sort),
            "table": table,
            "rows_html": rows_html,
            "page": page,
            "page_size": page_size,
            "page_sizes": settings.LIST_PAGE_SIZES,
            "export_url": reverse(f"{self.url_name}-export"),
            "export_xlsx_url": reverse(f"{self.url_name}-export-xlsx"),
            "totals": totals,
            "filtered": any(
                value not in (None, "")
                for value in getattr(filterset.form, "cleaned_data", {}).values()
            ),
            "hidden_filters": self.hidden_filters(filterset),
            # Named in the filters' toggle (筛选), so a folded form still says what it holds.
            "applied_filters": applied_filters(filterset) if filterset.is_valid() else [],
        }
        if not filterset.errors:
            context |= self.extra_context(filterset)
        return render(self.request, self.template_name, context)

    # The export --------------------------------------------------------------------------------

    def export_filename(self, extension: str = "csv") -> str:
        """帮扶项目-产业扶持组-农业-20241009-1030.csv: the list, the filters picked from a list
        (a working group, a sector; not free text or dates, which make poor names), the time."""
        chosen = [
            filter_value_label(field, value)
            for field, value in self._export_choices
            if isinstance(field, forms.ChoiceField)
            and not isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        ]
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return export_filename(str(self.title), *chosen, stamp, extension=extension)

    def export_rows(self, queryset: QuerySet) -> Iterator[Sequence[Any]]:
        """The cells of each row, read a chunk at a time: plain values (`values_list`) where
        every column allows it, which is several times faster than building model instances,
        otherwise from the row objects (and `load_related`)."""
        size = settings.EXPORT_CHUNK_ROWS
        expressions = [value_expression(queryset, column) for column in self.columns]
        if None not in expressions and type(self).load_related is LedgerListView.load_related:
            yield from self._value_rows(queryset, expressions, size)
            return
        rows = queryset.iterator(chunk_size=size)
        while chunk := list(islice(rows, size)):
            self.load_related(chunk)
            for obj in chunk:
                yield [column.value_of(obj) for column in self.columns]

    def _value_rows(
        self, queryset: QuerySet, expressions: list[Any], size: int
    ) -> Iterator[Sequence[Any]]:
        labelled = [
            (index, column.choices)
            for index, column in enumerate(self.columns)
            if column.choices is not None
        ]
        values = queryset.values_list(*expressions).iterator(chunk_size=size)
        if not labelled:
            yield from values
            return
        for row in values:
            cells = list(row)
            for index, choices in labelled:
                if cells[index] not in (None, ""):
                    cells[index] = choices(cells[index]).label
            yield cells

    def export_csv(self, queryset: QuerySet) -> HttpResponseBase:
        """The CSV: written by PostgreSQL (COPY) where every column has an SQL text and
        EXPORT_CSV_COPY is on, otherwise by Python; both give the same bytes."""
        header = [capfirst(column.label) for column in self.columns]
        select = copy_select(queryset, self.columns) if settings.EXPORT_CSV_COPY else None
        if select is not None:
            head = "".join(csv_chunks(header, (), chunk_rows=1)).encode()
            chunks: Any = CopyStream(*select, head=head)
        else:
            chunks = csv_chunks(
                header, self.export_rows(queryset), chunk_rows=settings.EXPORT_CHUNK_ROWS
            )
        return csv_response(self.export_filename(), chunks)

    def export_xlsx(
        self, filterset: django_filters.FilterSet, queryset: QuerySet
    ) -> HttpResponseBase:
        """The rows of the CSV as a workbook, under the title, filters, time and totals."""
        separator = pgettext("between the items of a sentence's list", "; ")
        applied = separator.join(
            gettext("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in applied_filters(filterset)
        )
        notes = [
            gettext("Filters: %(filters)s") % {"filters": applied}
            if applied
            else gettext("Filters: none (all rows)"),
            gettext("Exported at %(time)s")
            % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        ]
        if totals := self.compute_totals(queryset):
            figures = separator.join(
                gettext("%(label)s: %(value)s")
                % {"label": capfirst(total.label), "value": total_display(total, value)}
                for total, value in totals
            )
            notes.append(gettext("Totals of the filtered rows: %(totals)s") % {"totals": figures})
        workbook = xlsx_file(
            title=str(self.title),
            notes=notes,
            header=[capfirst(column.label) for column in self.columns],
            kinds=[column.kind for column in self.columns],
            rows=self.export_rows(queryset),
        )
        return xlsx_response(self.export_filename("xlsx"), workbook)


def _escaped(value: Any) -> str:
    """`conditional_escape` without its per-call overhead (a list page escapes a thousand
    cells): safe strings as they are, anything else HTML-escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def cell_html(column: Column, obj: Any, value: Any) -> SafeString:
    """One `<td>` of a list's table: the value as `display` shows it, linked, listed or clamped
    as the column's kind says; everything escaped. Built with plain string operations:
    `format_html` per cell was a third of a list page's time."""
    classes = f"col-{column.key} kind-{column.kind}" + (" link-cell" if column.link else "")
    if column.link:
        url = column.url_of(obj)
        shown = _escaped(display(value, column.kind))
        content = f'<a href="{_escaped(url)}">{shown}</a>' if url else shown
    elif column.kind == "list":
        items = list(value or ())
        content = format_html_join("", "<div>{}</div>", ((item,) for item in items)) or "—"
    elif column.kind == "longtext":
        title = "" if value is None else value
        content = (
            f'<div class="clamp" title="{_escaped(title)}">'
            f"{_escaped(display(value, column.kind))}</div>"
        )
    else:
        content = _escaped(display(value, column.kind))
    return SafeString(f'<td class="{_escaped(classes)}">{content}</td>')


def ratio_sort(numerator: str, denominator: str) -> ExpressionWrapper:
    """A sort key for the rate `numerator / denominator` of each row (执行率, 完成率), worked
    out by the database in hundredths of a percent; None where the denominator is 0 or
    missing. Money is integer fen, so an execution rate is whole-number arithmetic; an
    indicator's decimal values are stored as REAL by SQLite, where the key is approximate
    (it only orders rows; the figures shown are computed in Decimal)."""
    field = models.BigIntegerField()
    scaled = ExpressionWrapper(F(numerator) * Value(10000), output_field=field)
    return ExpressionWrapper(scaled / NullIf(F(denominator), 0), output_field=field)


def applied_filters(filterset: django_filters.FilterSet) -> list[tuple[str, str]]:
    """(label, value) of each filter in effect, worded as the page's form shows it:
    a choice by its label (产业扶持组, not its id), a month as 2024-03."""
    cleaned = getattr(filterset.form, "cleaned_data", {})
    applied = []
    for name, field in filterset.form.fields.items():
        value = cleaned.get(name)
        if value in (None, "", [], ()):
            continue
        applied.append((capfirst(field.label), filter_value_label(field, value)))
    return applied


def filter_value_label(field: forms.Field, value: Any) -> str:
    if isinstance(field, forms.ModelChoiceField):
        return str(field.label_from_instance(value))
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, datetime.date):
        return value.strftime(getattr(field.widget, "format", None) or "%Y-%m-%d")
    return str(value)


def total_display(total: Total, value: Any) -> str:
    """A total as the page shows it above the table: 1,800,000.00 元."""
    shown = display(value, total.kind)
    return f"{shown} {gettext('yuan')}" if total.kind == "money" and value is not None else shown


def display(value: Any, kind: Kind = "text") -> str:
    """A cell as the page shows it: money and quantities with thousands separators, ISO dates."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if kind == "money" and isinstance(value, Decimal):
        return yuan(value)
    if kind == "percent" and isinstance(value, Decimal):
        return f"{value:.1f}"  # a rate keeps its one decimal: 75.0, 100.0
    if kind == "number" and isinstance(value, Decimal):
        # A quantity reads as written: 109,800 head, 12.5 万元 (no trailing zeros).
        return f"{value:,.0f}" if value == value.to_integral_value() else f"{value.normalize():,f}"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
