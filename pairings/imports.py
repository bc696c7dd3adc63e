"""The pairings ledger's imports: units, pairings, exchanges and mentorships (see
ledger/imports/ for how a file is read, checked and written)."""

import datetime
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aidledger.imports import BODY_HINT, MEMBER_HINT, working_group
from ledger.imports.cells import SEPARATOR, name_key
from ledger.imports.errors import CellError
from ledger.imports.parsers import Choice, Date, Integer, Reference, Text
from ledger.imports.references import (
    LOADERS,
    REFERENCE_NAMES,
    RESOLVERS,
    ImportContext,
    by_name,
)
from ledger.imports.specs import Col, ImportSpec, Planned, register
from pairings.models import (
    PAIRING_SEPARATOR,
    Exchange,
    ExchangeKind,
    Mentorship,
    Pairing,
    PairingStatus,
    Unit,
    UnitKind,
    UnitSide,
)
from pairings.services import record_exchange

# Between a pairing's two units: PAIRING_SEPARATOR ("自贡市第一人民医院 — 平昌县人民医院", as
# the lists and exports write it), one or more dashes (—, ―, －, as a Chinese IME types them),
# or an arrow: ↔ (what older templates and exports wrote), <->, <=>, ⇄. A spaced "?" is the ↔ of
# an older file after Chinese Excel saved it as GBK CSV (GBK has no ↔).
PAIRING_ARROW = re.compile(r"\s*(?:↔|⟷|⇄|<->|<=>|[—―－]+)\s*|\s+\?\s+")
# Between the pairings of one exchange.
LIST_SEPARATOR = re.compile(r"[;；\n]+")


def _units() -> dict[str, list[Unit]]:
    return by_name(Unit.objects.select_related("programme"), lambda u: u.name)


def resolve_unit(ctx: ImportContext, text: str, *, side: str) -> Unit:
    matches = [unit for unit in ctx.table("unit").get(name_key(text), []) if unit.side == side]
    if not matches:
        raise CellError(_("No unit of this name on the %(side)s.") % {"side": UnitSide(side).label})
    if len(matches) > 1:
        raise CellError(_("Several programmes have a unit of this name on this side."))
    return matches[0]


def _pairings() -> dict[tuple[str, str], list[Pairing]]:
    table: dict[tuple[str, str], list[Pairing]] = {}
    for pairing in Pairing.objects.select_related("helper", "helped"):
        key = (name_key(pairing.helper.name), name_key(pairing.helped.name))
        table.setdefault(key, []).append(pairing)
    return table


def resolve_pairing(ctx: ImportContext, text: str) -> Pairing:
    units = PAIRING_ARROW.split(text.strip())
    if len(units) != 2 or not all(units):
        raise CellError(
            _("Write a pairing as “helper unit — helped unit”: %(text)s") % {"text": text}
        )
    matches = ctx.table("pairing").get((name_key(units[0]), name_key(units[1])), [])
    active = [p for p in matches if p.status == PairingStatus.ACTIVE]
    if len(matches) > 1 and len(active) == 1:
        return active[0]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CellError(_("Several pairings of these two units: %(text)s") % {"text": text})
    raise CellError(_("No pairing of these two units: %(text)s") % {"text": text})


def resolve_pairings(ctx: ImportContext, text: str) -> list[Pairing]:
    pairings = []
    for part in LIST_SEPARATOR.split(text):
        if part.strip():
            pairing = resolve_pairing(ctx, part)
            if pairing not in pairings:
                pairings.append(pairing)
    if not pairings:
        raise CellError(_("Name at least one pairing."))
    return pairings


def pairing_name(pairing: Pairing) -> str:
    return str(pairing)


LOADERS.update(unit=_units, pairing=_pairings)
RESOLVERS.update(unit=resolve_unit, pairings=resolve_pairings)
REFERENCE_NAMES.update(
    unit=lambda unit: unit.name,
    pairings=lambda pairings: "; ".join(pairing_name(p) for p in pairings),
)
PAIRINGS_HINT = gettext_lazy(
    "helper unit — helped unit, several separated by ; e.g. 自贡市第一人民医院 — 平昌县人民医院"
)


def helper_unit(example: str = "自贡市第一人民医院") -> Reference:
    return Reference(
        "unit", example=example, hint=gettext_lazy("a helper-side unit's name"), side="helper"
    )


def helped_unit(example: str = "平昌县人民医院") -> Reference:
    return Reference(
        "unit", example=example, hint=gettext_lazy("a helped-side unit's name"), side="helped"
    )


def unit_fields(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    values["programme"] = RESOLVERS["programme"](ctx, values.pop("programme", None) or "")
    return values


units = register(
    ImportSpec(
        name="units",
        model=Unit,
        title=gettext_lazy("units"),
        list_url_name="pairing-units",
        key=("programme", "side", "name"),
        columns=[
            Col("name", Text(max_length=100, example="自贡市第一人民医院"), required=True),
            Col("side", Choice(UnitSide), required=True),
            Col("kind", Choice(UnitKind, "hospital"), required=True),
            Col("area", Text(max_length=50, example="自流井区")),
            Col("contact_person", Text(max_length=50, example="李四")),
            Col("phone", Text(max_length=30, example="0813-0000000")),
            Col("notes", Text()),
            # Needed only when the ledger holds several programmes.
            Col("programme", Text(max_length=100), value=lambda unit: unit.programme.name),
        ],
        to_fields=unit_fields,
        export_queryset=lambda: Unit.objects.select_related("programme"),
    )
)


pairings = register(
    ImportSpec(
        name="pairings",
        model=Pairing,
        title=gettext_lazy("pairings"),
        list_url_name="pairings",
        key=("helper", "helped"),
        body_column="responsible_body",
        columns=[
            Col("helper", helper_unit(), required=True),
            Col("helped", helped_unit(), required=True),
            Col("signed_on", Date(datetime.date(2023, 9, 1)), required=True),
            Col("agreement", Text(max_length=200, example="结对帮扶协议")),
            Col("responsible_body", working_group("第二批 · 社会事业组"), required=True),
            Col("status", Choice(PairingStatus)),
            Col("ended_on", Date(None)),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Pairing.objects.select_related(
            "helper", "helped", "responsible_body__batch"
        ),
    )
)


def write_exchanges(items: list[Planned]) -> None:
    """Through record_exchange(): an exchange and its pairings, never one without the other."""
    for item in items:
        exchange = item.obj
        pairings = item.m2m.get("pairings")
        if pairings is None:
            pairings = list(exchange.pairings.all())
        record_exchange(pairings=pairings, exchange=exchange)


exchanges = register(
    ImportSpec(
        name="exchanges",
        model=Exchange,
        title=gettext_lazy("exchanges"),
        list_url_name="exchanges",
        key=("date", "title"),
        body_column="lead_body",
        m2m=("pairings",),
        columns=[
            Col("date", Date(), required=True),
            Col("title", Text(max_length=200, example="医院管理经验交流座谈会"), required=True),
            Col("kind", Choice(ExchangeKind, "seminar"), required=True),
            Col(
                "pairings",
                Reference(
                    "pairings",
                    example=f"自贡市第一人民医院{PAIRING_SEPARATOR}平昌县人民医院",
                    hint=PAIRINGS_HINT,
                ),
                required=True,
                value=lambda exchange: list(exchange.pairings.all()),
            ),
            Col("place", Text(max_length=100, example="平昌县人民医院")),
            Col("participants", Integer(example=30)),
            Col(
                "lead_body",
                Reference("body", example="第二批 · 社会事业组", hint=BODY_HINT),
                required=True,
            ),
            Col("new_techniques", Integer(example=0)),
            Col("outcome", Text()),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Exchange.objects.select_related(
            "lead_body__batch"
        ).prefetch_related("pairings__helper", "pairings__helped"),
        writer=write_exchanges,
    )
)


mentorships = register(
    ImportSpec(
        name="mentorships",
        model=Mentorship,
        title=gettext_lazy("mentorships"),
        list_url_name="mentorships",
        key=("mentor", "mentee_unit", "mentee_name"),
        body_column="mentor",
        columns=[
            Col(
                "mentor",
                Reference("member", example="第二批 · 张陈", hint=MEMBER_HINT),
                required=True,
            ),
            Col("mentee_name", Text(max_length=50, example="王五"), required=True),
            Col("mentee_unit", helped_unit(), required=True),
            Col("mentee_post", Text(max_length=100, example="医务科科长")),
            Col("start_date", Date(datetime.date(2023, 9, 1)), required=True),
            Col("end_date", Date(None)),
            Col("goals", Text()),
            Col("outcome", Text()),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Mentorship.objects.select_related("mentor__batch", "mentee_unit"),
    )
)

__all__ = ["SEPARATOR", "exchanges", "mentorships", "pairings", "units"]
