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


def wan_text(amount: Decimal | str) -> str:
    """Yuan as a document's text writes 万元, without separators or trailing zeros:
    27,400,000 → "2740", 1,800,000 → "180", 12,345.00 → "1.23" (half up, as `wan`)."""
    text = f"{(Decimal(amount) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
