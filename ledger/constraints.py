"""Named database constraints the ledger's models share: rules bind data on SQLite and
PostgreSQL alike, with the message a person reads."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

END_NOT_BEFORE_START = _("The end date cannot be before the start date.")


def end_not_before_start(*, start: str, end: str, name: str) -> models.CheckConstraint:
    """A named constraint that an optional end date is not before its start date."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": F(start)}),
        name=name,
        violation_error_message=END_NOT_BEFORE_START,
    )


def one_of(field: str, choices: type[models.TextChoices], *, name: str) -> models.CheckConstraint:
    """Back a TextChoices field with a database constraint: choices alone do not bind data."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)
