"""Records named in a cell ("第二批 · 产业扶持组", "NY-2023-01"): each app says, per kind of
record, how to load its lookup table, how to find a record in it, and how to name a record
back (for exports). An import loads each table once, never a query per row.

The apps fill the three tables from their `imports.py`:

    LOADERS.update(unit=load_units)          # () → the lookup table
    RESOLVERS.update(unit=resolve_unit)      # (ctx, text, **options) → the record
    REFERENCE_NAMES.update(unit=unit_name)   # record → the text that resolves back to it
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model

from ledger import locks
from ledger.imports.cells import name_key

# kind → function loading the lookup table; kind → function (ctx, text, **options) → record.
LOADERS: dict[str, Callable[[], Any]] = {}
RESOLVERS: dict[str, Callable[..., Any]] = {}
# A reference's name, as exports write it and imports read it back.
REFERENCE_NAMES: dict[str, Callable[[Any], str]] = {}


class ImportContext:
    """What rows need from the database, loaded once per import (never a query per row)."""

    def __init__(self, user=None) -> None:
        self.user = user
        self.cache: dict[str, Any] = {}
        self._locks: locks.Session | None = None

    @property
    def locks(self) -> locks.Session:
        """The locks on the ledger's past (approved periods), loaded once per import."""
        if self._locks is None:
            self._locks = locks.session()
        return self._locks

    def table(self, kind: str) -> Any:
        if kind not in self.cache:
            self.cache[kind] = LOADERS[kind]()
        return self.cache[kind]

    def resolve(self, kind: str, text: str, **options) -> Any:
        return RESOLVERS[kind](self, text, **options)


def by_name(objects: Iterable[Model], name: Callable[[Any], str] = str) -> dict[str, list[Model]]:
    """A lookup table: records by their name as `name_key` compares it (several may share
    one; the resolver decides)."""
    table: dict[str, list[Model]] = defaultdict(list)
    for obj in objects:
        table[name_key(name(obj))].append(obj)
    return table
