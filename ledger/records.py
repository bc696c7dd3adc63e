"""A page for one ledger record, built once for every ledger.

A record page is declared by one subclass of `RecordDetailView`: the model, the queryset that
loads everything its fields read (select_related / prefetch_related, so a page costs the same
few queries whatever the record), and a field list. The one template
(`ledger/record_detail.html`) shows the fields as a definition list in the reader's
language: choice labels, money in yuan, dates as ISO, related records linked to their own
pages. The record's evidence files follow, and the change history has its place below.
`RecordDetailView.urls()` gives the URL `<route><int:pk>/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.views import View

from ledger import permissions
from ledger.listing import Kind, display, kind_of, model_field


@dataclass(frozen=True)
class Field:
    """One fact of a record's page.

    `path` is a model field ("amount"), a field across relations ("funding.year"), or an
    annotation or property the queryset provides ("disbursed"); `label` and `kind` default to
    the model field's verbose name and type, and must be given for what is not a model field.
    A related record shows as its own page's link when it has one.
    """

    path: str
    label: str | Promise | None = None
    kind: Kind | None = None


@dataclass(frozen=True)
class Row:
    label: str | Promise
    text: str = ""
    kind: Kind = "text"
    url: str | None = None
    items: list[tuple[str, str | None]] = field(default_factory=list)  # a list: (text, url)
    is_list: bool = False
    empty: bool = False


def _url_of(obj: Any) -> str | None:
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return None
    try:
        return get_url()
    except NoReverseMatch:
        return None


def _value_at(record: models.Model, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def record_rows(record: models.Model, fields: Sequence[Field | str]) -> list[Row]:
    """The record's facts as the page shows them, reading only what the queryset loaded."""
    rows = []
    for spec in fields:
        spec = Field(spec) if isinstance(spec, str) else spec
        target = model_field(type(record), spec.path)
        if spec.label is None and target is None:
            raise ValueError(f"{type(record).__name__}: give a label for {spec.path!r}")
        label = spec.label if spec.label is not None else capfirst(target.verbose_name)
        kind = spec.kind or kind_of(target)
        value = _value_at(record, spec.path)
        if isinstance(target, models.ManyToManyField) or isinstance(value, models.Manager):
            items = [(str(obj), _url_of(obj)) for obj in value.all()]
            rows.append(Row(label, kind="list", items=items, is_list=True, empty=not items))
            continue
        url = None
        if isinstance(value, models.Model):
            url, value = _url_of(value), str(value)
        elif target is not None and target.choices and value not in (None, ""):
            value = dict(target.flatchoices).get(value, value)
        rows.append(Row(label, display(value, kind), kind, url=url, empty=value in (None, "")))
    return rows


def admin_change_url(record: models.Model) -> str | None:
    opts = record._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return None


class RecordDetailView(View):
    """The page of one ledger record: its fields, its evidence files, its change history."""

    model: ClassVar[type[models.Model]]
    fields: ClassVar[Sequence[Field | str]]
    list_url_name: ClassVar[str]  # the ledger list the breadcrumb leads back to
    template_name = "ledger/record_detail.html"

    @classmethod
    def urls(cls, route: str, *, name: str) -> list[URLPattern]:
        """The page at `route` + "<int:pk>/"."""
        return [path(f"{route}<int:pk>/", cls.as_view(), name=name)]

    def get_queryset(self) -> QuerySet:
        return self.model._default_manager.all()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = get_object_or_404(self.get_queryset(), pk=pk)
        if not permissions.can_view(request.user, record):
            raise PermissionDenied
        can_change = permissions.can_change(request.user, record)
        context = {
            "record": record,
            "title": str(record),
            "list_url": reverse(self.list_url_name),
            "list_label": record._meta.verbose_name_plural,
            "rows": record_rows(record, self.fields),
            "can_change": can_change,
            "admin_url": admin_change_url(record) if can_change else None,
        }
        return render(request, self.template_name, context)
