from decimal import Decimal
from typing import Any

from django import template

from aidledger import navigation, numbers
from aidledger.listing import display

register = template.Library()


@register.filter
def cell(value: Any, kind: str = "text") -> str:
    """Format one ledger cell for the page (money with separators, ISO dates, — for empty)."""
    return display(value, kind)


@register.filter
def wan(value: Any, places: int = 2) -> str:
    """Decimal yuan as 万元 (ten thousand yuan) for summaries: 10,000,000.00 → 1,000.00;
    `|wan:1` gives one decimal, as the report writes 万元."""
    if not isinstance(value, Decimal):
        return display(value)
    return numbers.wan(value, int(places))


@register.simple_tag(takes_context=True)
def site_navigation(context: template.Context) -> tuple[list, list]:
    """(sections, pages of the current section) for the header; see aidledger.navigation."""
    request = context.get("request")  # absent on the bare 500 page
    return navigation.navigation(request.path) if request else ([], [])


@register.filter
def item(mapping: dict, key: Any) -> Any:
    """`mapping[key]` for a key held in a variable: {{ links.by_kind|item:figure.key }}."""
    return mapping.get(key, "")
