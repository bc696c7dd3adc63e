"""Money as the team's documents write it: 万元 without separators or trailing zeros."""

from decimal import ROUND_HALF_UP, Decimal


def wan_text(amount: Decimal | str) -> str:
    """Yuan as the report writes 万元: 27,400,000 → "2740", 1,800,000 → "180",
    12,345.00 → "1.23" (two decimals at most, half up, trailing zeros dropped)."""
    wan = (Decimal(amount) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{wan:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
