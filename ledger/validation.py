"""`full_clean()` without a query per record where the answer is already in memory.

Django's `Model.full_clean()` asks the database, for every record it checks, whether each
foreign key's target exists (`ForeignKey.validate`) and whether each check constraint holds
(`CheckConstraint.validate` runs `SELECT 1 WHERE <condition>`). Checking the 20,000 rows of
an import that way is 60,000 queries, most of an import's time, for answers we have: the
targets were just loaded from the database (the import's lookup tables), and a condition such
as `amount > 0` or `end >= start` reads the record's own values.

`full_clean(obj)` gives the same errors as `obj.full_clean()`:

- a foreign key whose target is loaded (a record read from the database, with no
  `limit_choices_to`) is not looked up again; any other foreign key is, as by Django;
- a check constraint whose condition is plain comparisons of the record's own fields (exact,
  in, isnull, gt, gte, lt, lte, against values or `F()` of other fields; and, or, not) is
  evaluated in Python with SQL's three-valued logic (NULL passes, as in the database). A
  condition that fails, and any condition it cannot read, goes to Django's own check, so the
  error and its message are Django's; unique constraints always do.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models, router
from django.db.models import F, Q
from django.db.models.expressions import Combinable

COMPARISONS = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


class Unreadable(Exception):
    """A condition this module does not evaluate: Django's check decides."""


def full_clean(obj: models.Model, exclude: set[str] | None = None) -> None:
    """`obj.full_clean(exclude)`, without the queries whose answers are in memory."""
    if type(obj).full_clean is not models.Model.full_clean:
        obj.full_clean(exclude=exclude)  # a model with its own full_clean: as it says
        return
    exclude = set(exclude or ())
    errors: dict[str, Any] = {}
    loaded = {f.name for f in obj._meta.concrete_fields if loaded_reference(obj, f)}
    try:
        obj.clean_fields(exclude=exclude | loaded)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    # As Django: unique and constraint checks only for the fields that passed.
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        obj.validate_unique(exclude=exclude)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        validate_constraints(obj, exclude)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def loaded_reference(obj: models.Model, field: models.Field) -> bool:
    """Whether `field` is a foreign key of `obj` set to a record read from the database (whose
    existence Django would query again), with no `limit_choices_to` to check."""
    if not (field.is_relation and (field.many_to_one or field.one_to_one)):
        return False
    if field.remote_field.limit_choices_to or not field.is_cached(obj):
        return False
    target = field.get_cached_value(obj)
    if target is None or target._state.adding:
        return False
    return getattr(target, field.target_field.attname) == getattr(obj, field.attname)


def validate_constraints(obj: models.Model, exclude: set[str]) -> None:
    """`Model.validate_constraints()`, with the readable check constraints evaluated here."""
    using = router.db_for_write(type(obj), instance=obj)
    errors: dict[str, Any] = {}
    for model_class, constraints in obj.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, models.CheckConstraint):
                try:
                    if holds(constraint.condition, obj, exclude) is not False:
                        continue
                except Unreadable:
                    pass
            try:
                constraint.validate(model_class, obj, exclude=exclude, using=using)
            except ValidationError as exc:
                if getattr(exc, "code", None) == "unique" and len(constraint.fields) == 1:
                    errors.setdefault(constraint.fields[0], []).append(exc)
                else:
                    errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def holds(condition: Any, obj: models.Model, exclude: set[str]) -> bool | None:
    """A Q condition on `obj`'s values: True, False, or None (unknown, SQL's NULL)."""
    if isinstance(condition, Q):
        results = [holds(child, obj, exclude) for child in condition.children]
        if condition.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        elif condition.connector == Q.OR:
            result = True if True in results else (None if None in results else False)
        else:
            raise Unreadable(condition.connector)
        return (None if result is None else not result) if condition.negated else result
    if not isinstance(condition, tuple):
        raise Unreadable(condition)
    lookup, wanted = condition
    name, _sep, operator = lookup.rpartition("__")
    if operator not in {*COMPARISONS, "exact", "in", "isnull"}:
        name, operator = lookup, "exact"
    value = field_value(obj, name, exclude)
    if operator == "isnull":
        return (value is None) == bool(wanted)
    if isinstance(wanted, F):
        wanted = field_value(obj, wanted.name, exclude)
    elif isinstance(wanted, Combinable) or hasattr(wanted, "resolve_expression"):
        raise Unreadable(wanted)
    if operator == "exact" and wanted is None:
        return value is None  # Q(field=None) is IS NULL
    if value is None or wanted is None:
        return None
    if operator == "in":
        return value in list(wanted)
    if operator == "exact":
        return value == wanted
    return COMPARISONS[operator](value, wanted)


def field_value(obj: models.Model, name: str, exclude: set[str]) -> Any:
    """The stored value of `obj`'s field `name` (a foreign key's id), as its Python type."""
    if "__" in name or name in exclude:
        raise Unreadable(name)
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        if name == "pk":
            return obj.pk
        raise Unreadable(name) from None
    if not field.concrete:
        raise Unreadable(name)
    value = getattr(obj, field.attname)
    if value is None:
        return None
    try:
        return field.to_python(value)
    except ValidationError:
        raise Unreadable(name) from None
