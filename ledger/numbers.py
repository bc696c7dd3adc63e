"""Figures derived from Decimal amounts, rounded as a report rounds them (half up)."""

from decimal import ROUND_HALF_UP, Decimal


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole` with one decimal (75.0); None when there is no whole."""
    if not whole or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def wan(amount: Decimal, places: int = 2) -> str:
    """Yuan as 万元 (ten thousand yuan) with separators: 10,000,000.00 → "1,000.00" (places=2),
    70,600,000 → "7,060.0" (places=1, as a report writes it)."""
    step = Decimal(1).scaleb(-places)
    return f"{(amount / 10000).quantize(step, rounding=ROUND_HALF_UP):,.{places}f}"
