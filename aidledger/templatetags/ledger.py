from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

from aidledger.listing import display

register = template.Library()


@register.filter
def cell(value: Any, kind: str = "text") -> str:
    """Format one ledger cell for the page (money with separators, ISO dates, — for empty)."""
    return display(value, kind)


@register.filter
def wan(value: Any) -> str:
    """Decimal yuan as 万元 (ten thousand yuan) for summaries: 10,000,000.00 → 1,000.00."""
    if not isinstance(value, Decimal):
        return display(value)
    return f"{(value / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
