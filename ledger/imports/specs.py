"""Declaring a ledger's import: its columns (`Col`), the spec (`ImportSpec`), and the registry
the apps fill from their own `imports.py` with `register()`.

The ledger app imports every installed app's `imports` module when Django starts
(`LedgerConfig.ready()`, the way the admin finds `admin.py`), so `specs()` holds every ledger
in the order of INSTALLED_APPS and, within an app, of its `register()` calls: the team's
members, then the pairings' ledgers, then the projects'. That is also the order in which a
new deployment imports them (what a row refers to comes first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, Model, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ledger.imports.cells import labels_in_every_language, normalise
from ledger.imports.parsers import Parser, Reference
from ledger.imports.references import ImportContext

# A key may end with LINE: records that share the rest of the key (two funding lines of one
# project from the same source in the same year) are told apart by their order of entry.
LINE = "line"


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


@dataclass
class Planned:
    """One valid row, ready to write (what a spec's `writer` and `check_all` receive)."""

    row: int
    status: str  # "new", "updated", "unchanged"
    obj: Model
    m2m: dict[str, list[Model]] = field(default_factory=dict)
    cells: list[str] = field(default_factory=list)


# The registry ----------------------------------------------------------------------------------

REGISTRY: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    """Declare a ledger importable (from its app's `imports.py`)."""
    REGISTRY[spec.name] = spec
    return spec


def specs() -> dict[str, ImportSpec]:
    """Every importable ledger by name, in the order the apps registered them (see above)."""
    return REGISTRY


def spec_for_model(model: type[Model]) -> ImportSpec | None:
    return next((spec for spec in specs().values() if spec.model is model), None)


# The ledger's records, by natural key ----------------------------------------------------------


def base_queryset(spec: ImportSpec) -> models.QuerySet:
    """The ledger's records as its import reads and writes them (the spec's export queryset,
    with what it selects, or every record)."""
    return spec.export_queryset() if spec.export_queryset else spec.model.objects.all()


def with_line_numbers(spec: ImportSpec, queryset: models.QuerySet) -> models.QuerySet:
    """`queryset` with each record's LINE counted by the database when the key needs it (1 +
    the records entered before it that share the rest of the key), in entry order, so that
    a filtered export numbers its rows as the whole ledger does."""
    if LINE not in spec.key:
        return queryset
    rest = [name for name in spec.key if name != LINE]
    earlier = (
        spec.model._default_manager.filter(
            **{name: OuterRef(name) for name in rest}, pk__lt=OuterRef("pk")
        )
        .order_by()
        .values(rest[0])
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(**{LINE: Coalesce(Subquery(earlier), 0) + 1})


def key_attnames(spec: ImportSpec) -> list[str]:
    """Key attributes compared as stored: a foreign key by its id."""
    return [name if name == LINE else spec.model._meta.get_field(name).attname for name in spec.key]
