"""Figures derived from Decimal amounts, rounded as a report rounds them (half up)."""

from decimal import ROUND_HALF_UP, Decimal


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole` with one decimal (75.0); None when there is no whole."""
    if not whole or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
