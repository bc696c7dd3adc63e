"""Money that never passes through a float: Decimal yuan in Python, integer fen in the database.

SQLite stores a DecimalField as REAL, so `Sum()` over many rows drifts there. A MoneyField keeps
whole fen in a BIGINT column on every database: sums are integer sums, exact on SQLite and
PostgreSQL alike, and come back as `Decimal` yuan with two places through `from_db_value`
(also for aggregates and subqueries, whose output field is the MoneyField itself).
Lookups (`amount__gte=Decimal("1.50")`) convert their right-hand side to fen the same way.

Expressions that combine two money values (`F("planned") - F("disbursed")`) need an explicit
`output_field=MoneyField()` (`money_difference()` gives it): Django cannot infer it.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ExpressionWrapper, F, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CENT = Decimal("0.01")
MAX_DIGITS = 14
DECIMAL_PLACES = 2


# What an amount typed or read from a file may look like: digits, optionally in groups of
# three with commas, and decimals after a point. No sign here (see read_amount), no exponent
# (1e3), no NaN or Infinity, no currency sign or unit, no 1_000 or 0x10.
AMOUNT_TEXT = re.compile(r"\d+(\.\d+)?|\d{1,3}(,\d{3})+(\.\d+)?")
NOT_AN_AMOUNT = _("Not a number: write digits, e.g. 10000000 or 10,000,000.00 (no 1e7, no units).")
NOT_IN_FEN = _("At most 2 decimal places.")
IN_WAN = _(
    "Write the full amount in digits (%(what)s), not in 万 or 亿: 1000万 is written 10000000."
)


def read_amount(value: Any, *, what: Any = None) -> Decimal:
    """An amount of yuan as typed in a form (the admin's, every MoneyField's), given to the
    model field, or read from an import's cell: the one place that decides what an amount may
    look like. Text: AMOUNT_TEXT after an optional "+" or "-", full-width digits and spaces
    allowed (a Chinese input method types them); an int or a finite Decimal as it is. At most
    two decimal places, returned with exactly two. Raises ValidationError (code "invalid",
    "fen" or "wan") with the messages the admin and the import both show; the sign and the
    size are the model's validators' to judge (and the import's)."""
    if isinstance(value, bool | float):
        raise ValidationError(NOT_AN_AMOUNT, code="invalid")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        text = "".join(unicodedata.normalize("NFKC", str(value)).split())
        if re.search(r"[万亿千百]", text):
            raise ValidationError(
                IN_WAN, code="wan", params={"what": _("yuan") if what is None else what}
            )
        body = text[1:] if text[:1] in ("+", "-") else text
        if not AMOUNT_TEXT.fullmatch(body):
            raise ValidationError(NOT_AN_AMOUNT, code="invalid")
        number = Decimal(body.replace(",", ""))
        if text.startswith("-"):
            number = -number
    if not number.is_finite():
        raise ValidationError(NOT_AN_AMOUNT, code="invalid")
    try:
        quantized = number.quantize(CENT)
    except InvalidOperation:  # more digits than a Decimal context holds
        raise ValidationError(NOT_AN_AMOUNT, code="invalid") from None
    if quantized != number:
        raise ValidationError(NOT_IN_FEN, code="fen")
    return quantized


class MoneyFormField(forms.DecimalField):
    """A MoneyField in a form (the admin's too): read by read_amount, as the import reads a
    cell, so "10,000,000.00" is taken and "1e3", "NaN" or "1.005" refused in the same words.
    A text box rather than type="number", which would refuse the thousands separators."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        return read_amount(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # data-money: static/js/admin-money.js shows the typed amount grouped and in 万元,
        # with the units worded in the page's language.
        return {
            **super().widget_attrs(widget),
            "inputmode": "decimal",
            "data-money": "",
            "data-yuan": _("yuan"),
            "data-wan": pgettext_lazy("unit of money", "10,000 yuan"),
        }


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
        "float": _("Amounts of money must be Decimal, never float."),
    }
    default_validators = [validators.DecimalValidator(MAX_DIGITS, DECIMAL_PLACES)]

    def get_internal_type(self) -> str:
        return "BigIntegerField"

    def to_python(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise ValidationError(self.error_messages["float"], code="float")
        return read_amount(value)

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
                "form_class": MoneyFormField,
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
