from typing import Any

from django import template

from aidledger.listing import display

register = template.Library()


@register.filter
def cell(value: Any, kind: str = "text") -> str:
    """Format one ledger cell for the page (money with separators, ISO dates, — for empty)."""
    return display(value, kind)
