"""Money that never passes through a float: Decimal yuan in Python, integer fen in the database.

SQLite stores a DecimalField as REAL, so `Sum()` over many rows drifts there. A MoneyField keeps
whole fen in a BIGINT column on every database: sums are integer sums, exact on SQLite and
PostgreSQL alike, and come back as `Decimal` yuan with two places through `from_db_value`
(also for aggregates and subqueries, whose output field is the MoneyField itself).
Lookups (`amount__gte=Decimal("1.50")`) convert their right-hand side to fen the same way.

Expressions that combine two money values (`F("planned") - F("disbursed")`) need an explicit
`output_field=MoneyField()` (`money_difference()` gives it): Django cannot infer it.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_DIGITS = 14
DECIMAL_PLACES = 2


def yuan(amount: Decimal) -> str:
    """An amount as people read it (pages, admin, messages): thousands separators, 2 decimals."""
    return f"{amount:,.2f}"


def yuan_to_fen(value: Decimal) -> int:
    """Whole fen of an amount that has at most two decimal places (refuses anything finer)."""
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{value} yuan is not a whole number of fen")
    return int(fen)


def fen_to_yuan(fen: int | Decimal) -> Decimal:
    return Decimal(int(fen)).scaleb(-DECIMAL_PLACES)


class MoneyField(models.Field):
    """An amount of yuan, `Decimal` with 2 places in Python, stored as integer fen."""

    description = _("Amount in yuan (stored as whole fen)")
    empty_strings_allowed = False  # an unset amount is None, never ""
    default_error_messages = {
        "invalid": _("“%(value)s” is not an amount of money."),
        "float": _("Amounts of money must be Decimal, never float."),
        "fen": _("Enter an amount with at most 2 decimal places."),
    }
    default_validators = [validators.DecimalValidator(MAX_DIGITS, DECIMAL_PLACES)]

    def get_internal_type(self) -> str:
        return "BigIntegerField"

    def to_python(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise ValidationError(self.error_messages["float"], code="float")
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            )
        try:
            quantized = amount.quantize(CENT)
        except InvalidOperation:  # more digits than a Decimal context holds
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None
        if amount != quantized:
            raise ValidationError(self.error_messages["fen"], code="fen")
        return quantized

    def from_db_value(self, value: Any, expression, connection) -> Decimal | None:
        # PostgreSQL returns numeric for sum(bigint), SQLite an int: both are whole fen.
        return None if value is None else fen_to_yuan(value)

    def get_prep_value(self, value: Any) -> int | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("Amounts of money must be Decimal, never float.")
        try:
            return yuan_to_fen(self.to_python(value))
        except ValidationError as error:
            raise ValueError(f"{value!r} is not an amount of money in yuan and fen") from error

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(
            **{
                "form_class": forms.DecimalField,
                "max_digits": MAX_DIGITS,
                "decimal_places": DECIMAL_PLACES,
                **kwargs,
            }
        )


def money_or_zero(expression: Any) -> Coalesce:
    """A money expression (a sum, a subquery) that reads 0.00 rather than None."""
    return Coalesce(expression, Value(0, output_field=MoneyField()), output_field=MoneyField())


def money_sum(expression: Any, **extra: Any) -> Coalesce:
    """`Sum()` of a money expression that reads 0.00 rather than None over no rows."""
    return money_or_zero(Sum(expression, **extra))


def money_difference(minuend: Any, subtrahend: Any) -> ExpressionWrapper:
    """`minuend - subtrahend` for money expressions or field names, as money."""
    if isinstance(minuend, str):
        minuend = F(minuend)
    if isinstance(subtrahend, str):
        subtrahend = F(subtrahend)
    return ExpressionWrapper(minuend - subtrahend, output_field=MoneyField())
