"""Record lookups for the lists' filter forms: a filter over a table that may hold thousands of
records (townships, outlets, bodies, accounts) is a search box, not a <select> of them all.

`LookupFilter` renders a `<select>` while its choices are few (`LOOKUP_SELECT_LIMIT`) and a
search box backed by the `lookup` JSON endpoint beyond that, deciding in the one query that
loads the choices. A value set through a link (?township=12) shows the chosen record's name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Lookup:
    """The records a lookup offers (`queryset`, in the order shown) and the text fields a
    search matches."""

    queryset: Callable[[], QuerySet]
    search: Sequence[str]
    # Who may use it beyond reading the ledger (ledger.permissions decides); None: any reader.
    allowed: Callable[[Any], bool] | None = None


# name → Lookup. Each app registers its own in AppConfig.ready() (aidledger: batches and
# bodies; pairings: townships; projects: outlets and segments; ledger: accounts).
_registry: dict[str, Lookup] = {}


def register(
    name: str,
    queryset: Callable[[], QuerySet],
    search: Sequence[str],
    *,
    allowed: Callable[[Any], bool] | None = None,
) -> None:
    """Offer the records `queryset()` gives (in its order) as the lookup `name`, searched in
    the text fields `search`, to the users `allowed(user)` accepts (any reader by default).
    Registering a name twice is a mistake, unless it is the same."""
    lookup = Lookup(queryset, tuple(search), allowed)
    if _registry.setdefault(name, lookup) != lookup:
        raise ValueError(f"the lookup {name!r} is registered already")


def allowed(name: str, user: Any) -> bool:
    """May `user` use the lookup `name` (and so see the filter built on it)?"""
    found = get(name)
    return found.allowed is None or found.allowed(user)


def get(name: str) -> Lookup:
    """The lookup registered as `name` (KeyError, naming it, when there is none)."""
    try:
        return _registry[name]
    except KeyError:
        raise KeyError(f"no lookup named {name!r}; apps register theirs in ready()") from None


# JSON that is also safe inside HTML: the names are typed by people and shown on pages.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def lookup(request: HttpRequest, name: str) -> HttpResponse:
    """Up to `LOOKUP_RESULTS` records of the lookup `name` whose text matches `q`, as
    {"results": [{"id": 12, "text": "…"}]}. Reading needs a role (the role middleware)."""
    found = _registry.get(name)
    if found is None or (found.allowed is not None and not found.allowed(request.user)):
        raise Http404
    records = found.queryset()
    for word in request.GET.get("q", "").split()[:5]:
        condition = Q()
        for field in found.search:
            condition |= Q(**{f"{field}__icontains": word})
        records = records.filter(condition)
    results = [
        {"id": record.pk, "text": str(record)} for record in records[: settings.LOOKUP_RESULTS]
    ]
    body = json.dumps({"results": results}, ensure_ascii=False).translate(_JSON_ESCAPES)
    return HttpResponse(body, content_type="application/json")


class LookupInput(forms.Widget):
    """A search box that fills a hidden input with the chosen record's key
    (static/js/lookup.js); a `<select>` when the field's choices are few."""

    template_name = "ledger/widgets/lookup.html"

    def _render(self, template_name: str, context: dict[str, Any], renderer=None) -> str:
        # The project's templates, not the form renderer's (which sees only apps' templates).
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 (a template)

    def __init__(self, lookup: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.lookup = lookup
        self.choices: Any = ()

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        field = self.choices.field
        limit = settings.LOOKUP_SELECT_LIMIT
        # One query: the first records decide between a <select> and the search box.
        first = list(field.queryset[: limit + 1])
        value = getattr(value, "pk", value)
        chosen = "" if value in (None, "") else str(value)
        widget = context["widget"]
        if len(first) <= limit:
            widget["options"] = [
                (str(record.pk), field.label_from_instance(record), str(record.pk) == chosen)
                for record in first
            ]
            widget["empty_label"] = field.empty_label
            return context
        widget["options"] = None
        widget["url"] = reverse("lookup", args=[self.lookup])
        widget["chosen_label"] = ""
        if chosen:
            try:
                record = field.queryset.filter(pk=chosen).first()
            except (ValueError, TypeError):
                record = None
            widget["chosen_label"] = field.label_from_instance(record) if record else ""
        return context


class LookupFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter whose form field is a `LookupInput` on the lookup `lookup`.

    Its choices are the lookup's records: the filter accepts exactly what the search box
    offers, from one declaration (`register`). The name is looked up when a form is built,
    so a FilterSet may be imported before the apps have registered their lookups."""

    def __init__(self, *, lookup: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", LookupInput(lookup))
        kwargs.setdefault("empty_label", _("All"))
        # Read when a form is built (django-filter calls it with the request), not at import.
        kwargs["queryset"] = lambda request: get(lookup).queryset()
        super().__init__(**kwargs)
