"""Locks on the ledger's past: the machinery asks here whether a write may happen.

An app above the machinery (periods: approved reporting periods) registers a lock in its
AppConfig.ready(), as the apps register lookups and import specs; the admin (forms, inlines,
deletes, "delete selected"), the importer and the model layer (the app's pre_save/pre_delete
handlers) all ask `refusal()`. This module imports no app of ours.

A lock is a factory called once per check session: it loads what it needs (the approved
periods) and returns a function `(obj, before, deleting) -> message | None`. A session
(`session()`) lets the importer check 20,000 rows with the same few queries.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

Check = Callable[[models.Model, dict[str, Any] | None, bool], str | None]
LockFactory = Callable[[], Check]

_factories: list[LockFactory] = []
_checked_already: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ledger_locks_checked_already", default=False
)


class Refusal(str):
    """A refusal's message, knowing the field (attname) whose date is locked, so an import
    names the column."""

    field: str = ""

    def __new__(cls, message: str, *, field: str = "") -> Refusal:
        refusal = super().__new__(cls, message)
        refusal.field = field
        return refusal


class RecordLocked(ValidationError):
    """A write refused because the record's date lies in a locked (approved) period."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="locked")


def register(factory: LockFactory) -> None:
    if factory not in _factories:
        _factories.append(factory)


def values(obj: models.Model) -> dict[str, Any]:
    """The record's field values as they are now (before a change is applied to it)."""
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


class Session:
    """The locks, loaded once: ask `refusal()` for as many records as needed."""

    def __init__(self) -> None:
        self._checks = [factory() for factory in _factories]

    def refusal(
        self, obj: models.Model, *, before: dict[str, Any] | None = None, deleting: bool = False
    ) -> str | None:
        """Why obj may not be saved (or deleted), or None. `before`: its stored values (read
        from the database when obj has a primary key and they are not given)."""
        for check in self._checks:
            message = check(obj, before, deleting)
            if message:
                return message
        return None


def session() -> Session:
    return Session()


def refusal(
    obj: models.Model, *, before: dict[str, Any] | None = None, deleting: bool = False
) -> str | None:
    """One record's refusal (a session of its own)."""
    if not _factories:
        return None
    return Session().refusal(obj, before=before, deleting=deleting)


def enforce(obj: models.Model, *, deleting: bool = False) -> None:
    """Raise RecordLocked unless obj may be saved (deleted): for the model layer's handlers.
    Skipped inside `checked_already()`, whose caller checked every record itself."""
    if _checked_already.get():
        return
    message = refusal(obj, deleting=deleting)
    if message:
        raise RecordLocked(message)


@contextmanager
def checked_already() -> Iterator[None]:
    """The caller has checked every record it writes in one session (an import's rows): the
    model layer does not ask again row by row. The database triggers still hold."""
    token = _checked_already.set(True)
    try:
        yield
    finally:
        _checked_already.reset(token)
