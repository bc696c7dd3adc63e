from decimal import Decimal
from typing import Any

from django import template
from django.apps import apps

from ledger import history, navigation, numbers, permissions
from ledger.imports.views import import_links as links
from ledger.listing import display

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
    """(sections, pages of the current section) for the header; see ledger.navigation."""
    request = context.get("request")  # absent on the bare 500 page
    return navigation.navigation(request.path) if request else ([], [])


@register.simple_tag(takes_context=True)
def import_links(context: template.Context) -> dict[str, str] | None:
    """A list page's import-format files (template, records) and, for users who may add,
    the admin's import page; None on a page without an import."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return links(request, match.url_name) if match else None


@register.filter
def changeable_by(record: Any, user: Any) -> bool:
    """`{% if project|changeable_by:user %}`: may this user change this record (edit links)."""
    return permissions.can_change(user, record)


@register.filter
def may_read(user: Any) -> bool:
    """`{% if user|may_read %}`: holds a role that reads the ledger."""
    return permissions.can_read(user)


@register.filter
def may_enter_admin(user: Any) -> bool:
    """`{% if user|may_enter_admin %}`: may use the admin (editors, ledger admins)."""
    return permissions.can_enter_admin(user)


@register.filter
def may_add(user: Any, model_label: str) -> bool:
    """`{% if user|may_add:"aidledger.programme" %}`: may add records of that model."""
    return permissions.can_add(user, apps.get_model(model_label))


@register.filter
def item(mapping: dict, key: Any) -> Any:
    """`mapping[key]` for a key held in a variable: {{ links.by_kind|item:figure.key }}."""
    return mapping.get(key, "")


@register.inclusion_tag("ledger/_change_history.html")
def change_history(record: Any) -> dict[str, Any]:
    """The record's "修改记录": who changed what and when, newest first, for any tracked record
    (a bounded number of queries, whatever the number of changes; see ledger.history)."""
    return {"changes": history.record_changes(record) if record is not None else []}
