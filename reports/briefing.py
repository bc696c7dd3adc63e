"""The Word briefing (工作简报): the summary's figures in the report's words, laid out in the
Word template templates/reports/briefing.docx (docxtpl), with tables and charts.

The figures come in as the summary's JSON (`summary.selectors.as_json`), never as live
querysets: `build_docx(figures, …)` is the one entry, so a reporting period that stores its
"as reported" JSON can have its briefing made from that JSON, years later, unchanged.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage

from aidledger.models import BodyKind
from ledger.numbers import percent, wan_text
from pairings.models import ExchangeKind, UnitKind
from projects.models import FundingSource, Product, ProjectStatus, Sector
from reports import charts
from summary.selectors import CATEGORY_PHRASES, STAGE_KEYS

TEMPLATE = Path(settings.BASE_DIR) / "templates" / "reports" / "briefing.docx"
CHART_WIDTH = Cm(15)


@dataclass(frozen=True)
class TitleContext:
    """What the document says about itself: its title, the period, the filters, the time."""

    title: str
    period: str  # 截至2024年10月9日 / 2024年第3季度
    scope: Sequence[tuple[str, str]] = ()  # (label, value): 批次：第二批
    generated_at: datetime.datetime = field(default_factory=timezone.now)


def default_title() -> str:
    return gettext("Paired-assistance work briefing")


def money(amount: str | Decimal) -> str:
    """An amount in the report's words: "2740万元"."""
    return gettext("%(amount)s × 10,000 yuan") % {"amount": wan_text(amount)}


def _rate(planned: str | Decimal, disbursed: str | Decimal) -> str:
    rate = percent(Decimal(disbursed), Decimal(planned))
    return "—" if rate is None else f"{rate}%"


def _joined(parts: Sequence[str]) -> str:
    return pgettext("between the items of a sentence's list", "; ").join(parts)


def _listed(parts: Sequence[str]) -> str:
    return gettext(", ").join(parts)


def _label(choices: Any, key: str) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return key


def is_empty(figures: dict) -> bool:
    """Nothing recorded by the date: no pairing, exchange, mentorship, project, money, lead
    or sale. The briefing then says so in one paragraph instead of a page of zeros."""
    investment = figures["investment"]
    return not any(
        [
            figures["pairings"]["total"],
            figures["exchanges"]["total"],
            figures["mentorships"]["mentorships"],
            figures["projects"]["total"],
            Decimal(figures["funds"]["planned"]),
            Decimal(figures["funds"]["disbursed"]),
            investment["visited"],
            Decimal(figures["sales"]["total"]),
        ]
    )


def _headline(figures: dict, period: str) -> list[str]:
    if is_empty(figures):
        return [
            gettext(
                "%(period)s, the ledger holds no pairing, exchange, mentorship, project, fund, "
                "investment lead or sale under these filters: there is nothing to report."
            )
            % {"period": period}
        ]
    funds = figures["funds"]
    return [
        gettext(
            "%(period)s, %(members)d members are in post; %(pairings)d pairings are in force and "
            "%(exchanges)d exchanges have been held; %(mentors)d members mentor %(mentees)d "
            "cadres; %(planned)s of funds are planned for %(projects)d projects and "
            "%(disbursed)s disbursed."
        )
        % {
            "period": period,
            "members": figures["members"]["total"],
            "pairings": figures["pairings"]["total"],
            "exchanges": figures["exchanges"]["total"],
            "mentors": figures["mentorships"]["mentors"],
            "mentees": figures["mentorships"]["mentees"],
            "planned": money(funds["planned"]),
            "projects": figures["projects"]["total"],
            "disbursed": money(funds["disbursed"]),
        }
    ]


def _team(figures: dict) -> list[str]:
    bodies = figures["bodies"]
    return [
        gettext(
            "%(members)d members are in post, organised as %(posts)d command post, "
            "%(branches)d temporary party branch and %(groups)d working groups."
        )
        % {
            "members": figures["members"]["total"],
            "posts": bodies.get(BodyKind.COMMAND_POST, 0),
            "branches": bodies.get(BodyKind.PARTY_BRANCH, 0),
            "groups": bodies.get(BodyKind.WORKING_GROUP, 0),
        }
    ]


def _pairings(figures: dict) -> list[str]:
    pairings, exchanges = figures["pairings"], figures["exchanges"]
    units = [
        CATEGORY_PHRASES[UnitKind(key)](count) % {"count": count}
        for key, count in pairings["by_category"].items()
        if count and key in UnitKind.values
    ]
    kinds = [
        gettext("%(kind)s %(count)d") % {"kind": _label(ExchangeKind, key), "count": count}
        for key, count in exchanges["by_kind"].items()
        if count
    ]
    return [
        gettext(
            "%(units)s have paired with their Pingchang counterparts, %(total)d pairings in all."
        )
        % {"units": _listed(units) if units else gettext("No units"), "total": pairings["total"]},
        gettext("%(total)d exchanges have been held (%(kinds)s).")
        % {"total": exchanges["total"], "kinds": _listed(kinds) if kinds else "—"},
        gettext(
            "Between hospitals: %(visits)d mutual visits, %(techniques)d new techniques or "
            "projects introduced."
        )
        % {"visits": exchanges["hospital_visits"], "techniques": exchanges["new_techniques"]},
    ]


def _mentorships(figures: dict) -> list[str]:
    mentorships = figures["mentorships"]
    return [
        gettext(
            "%(mentors)d members mentor %(mentees)d Pingchang cadres one to one "
            "(%(mentorships)d mentorships)."
        )
        % mentorships
    ]


def _funds(figures: dict) -> list[str]:
    funds, projects = figures["funds"], figures["projects"]
    sectors = [
        gettext("%(sector)s %(count)d") % {"sector": _label(Sector, key), "count": count}
        for key, count in projects["by_sector"].items()
        if count
    ]
    statuses = [
        gettext("%(status)s %(count)d") % {"status": _label(ProjectStatus, key), "count": count}
        for key, count in projects["by_status"].items()
        if count
    ]
    lines = [
        gettext("%(total)d projects (%(sectors)s; %(statuses)s).")
        % {
            "total": projects["total"],
            "sectors": _listed(sectors) if sectors else "—",
            "statuses": _listed(statuses) if statuses else "—",
        },
        gettext(
            "Funds: %(planned)s planned, %(disbursed)s disbursed, an execution rate of %(rate)s."
        )
        % {
            "planned": money(funds["planned"]),
            "disbursed": money(funds["disbursed"]),
            "rate": "—" if funds["execution_rate"] is None else f"{funds['execution_rate']}%",
        },
    ]
    by_sector = [
        gettext("%(sector)s %(amount)s")
        % {"sector": _label(Sector, key), "amount": money(line["planned"])}
        for key, line in funds["by_sector"].items()
        if Decimal(line["planned"])
    ]
    if by_sector:
        lines.append(gettext("Planned by sector: %(sectors)s.") % {"sectors": _joined(by_sector)})
    largest = [
        gettext("%(name)s %(amount)s") % {"name": line["name"], "amount": money(line["planned"])}
        for line in list(funds["by_project"].values())[:3]
    ]
    if largest:
        lines.append(gettext("The largest: %(projects)s.") % {"projects": _joined(largest)})
    return lines


def _indicators(figures: dict) -> list[str]:
    lines = [
        gettext("%(total)d performance indicators, %(measured)d of them with an actual value.")
        % {
            "total": figures["indicators_total"],
            "measured": sum(1 for line in figures["indicators"] if line["actual"] is not None),
        }
    ]
    for line in figures["indicators"]:
        if line["actual"] is not None:
            lines.append(
                gettext("%(name)s: %(actual)s %(unit)s against a target of %(target)s %(unit)s.")
                % {
                    "name": line["name"],
                    "actual": line["actual"],
                    "target": line["target"],
                    "unit": line["unit"],
                }
            )
    return lines


def _investment(figures: dict) -> list[str]:
    investment = figures["investment"]
    return [
        gettext(
            "Investment promotion: %(visited)d companies visited, %(invited)d invited to "
            "Pingchang, %(leaders)d visited by city or county leaders, %(intent)d with intent to "
            "sign; %(registered)d registered in Pingchang with %(capital)s of registered capital."
        )
        % {
            "visited": investment["visited"],
            "invited": investment["invited"],
            "leaders": investment["leader_visits"],
            "intent": investment["intent"],
            "registered": investment["registered"],
            "capital": money(investment["registered_capital"]),
        }
    ]


def _sales(figures: dict) -> list[str]:
    sales = figures["sales"]
    outlets = [
        gettext("%(outlet)s %(amount)s") % {"outlet": name, "amount": money(amount)}
        for name, amount in sales["by_outlet"].items()
    ]
    products = [
        gettext("%(product)s %(amount)s")
        % {"product": _label(Product, key), "amount": money(amount)}
        for key, amount in sales["by_product"].items()
    ]
    lines = [
        gettext("Consumer assistance: %(total)s of Pingchang products sold at %(outlets)d outlets.")
        % {"total": money(sales["total"]), "outlets": len(sales["by_outlet"])}
    ]
    if outlets:
        lines.append(gettext("By outlet: %(outlets)s.") % {"outlets": _joined(outlets)})
    if products:
        lines.append(gettext("By product: %(products)s.") % {"products": _joined(products)})
    return lines


def _tables(figures: dict) -> dict[str, list[dict[str, str]]]:
    funds = figures["funds"]
    project_rows = [
        {
            "code": code,
            "name": line["name"],
            "planned": wan_text(line["planned"]),
            "disbursed": wan_text(line["disbursed"]),
            "rate": _rate(line["planned"], line["disbursed"]),
        }
        for code, line in funds["by_project"].items()
    ]
    source_rows = [
        {
            "label": _label(FundingSource, key),
            "planned": wan_text(line["planned"]),
            "disbursed": wan_text(line["disbursed"]),
            "rate": _rate(line["planned"], line["disbursed"]),
        }
        for key, line in funds["by_source"].items()
        if Decimal(line["planned"]) or Decimal(line["disbursed"])
    ]
    if source_rows:
        source_rows.append(
            {
                "label": gettext("Total"),
                "planned": wan_text(funds["planned"]),
                "disbursed": wan_text(funds["disbursed"]),
                "rate": _rate(funds["planned"], funds["disbursed"]),
            }
        )
    indicator_rows = [
        {
            "project": line["project"],
            "name": line["name"],
            "target": f"{line['target']} {line['unit']}",
            "actual": "—" if line["actual"] is None else f"{line['actual']} {line['unit']}",
            "completion": (
                "—" if line["actual"] is None else _rate(line["target"], line["actual"])
            ),
        }
        for line in figures["indicators"]
    ]
    return {
        "project_rows": project_rows,
        "source_rows": source_rows,
        "indicator_rows": indicator_rows,
    }


# Charts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    caption: str
    png: bytes


def chart_images(figures: dict) -> list[Chart]:
    """The charts of the figures, each drawn only when it has something to show. Bar heights
    are floats for drawing only; every figure printed in the document is from the Decimals."""
    drawn: list[Chart] = []
    categories = [(k, v) for k, v in figures["pairings"]["by_category"].items() if v]
    if categories:
        drawn.append(
            Chart(
                gettext("Pairings in force by kind of unit"),
                charts.bars(
                    [_label(UnitKind, k) for k, _v in categories],
                    [v for _k, v in categories],
                    unit=gettext("pairings"),
                ),
            )
        )
    kinds = [(k, v) for k, v in figures["exchanges"]["by_kind"].items() if v]
    if kinds:
        drawn.append(
            Chart(
                gettext("Exchanges by kind"),
                charts.bars(
                    [_label(ExchangeKind, k) for k, _v in kinds],
                    [v for _k, v in kinds],
                    unit=gettext("exchanges"),
                ),
            )
        )
    sectors = [
        (k, line)
        for k, line in figures["funds"]["by_sector"].items()
        if Decimal(line["planned"]) or Decimal(line["disbursed"])
    ]
    if sectors:
        drawn.append(
            Chart(
                gettext("Funds planned and disbursed by sector (10,000 yuan)"),
                charts.paired_bars(
                    [_label(Sector, k) for k, _line in sectors],
                    [float(Decimal(line["planned"]) / 10000) for _k, line in sectors],
                    [float(Decimal(line["disbursed"]) / 10000) for _k, line in sectors],
                    names=(gettext("planned"), gettext("disbursed")),
                    unit=gettext("10,000 yuan"),
                ),
            )
        )
    investment = figures["investment"]
    if investment["visited"]:
        stages = list(STAGE_KEYS.values())
        labels = {
            "visited": gettext("visited"),
            "invited": gettext("invited"),
            "leader_visits": gettext("visited by leaders"),
            "intent": gettext("intent to sign"),
            "signed": gettext("signed"),
            "registered": gettext("registered"),
        }
        drawn.append(
            Chart(
                gettext("The investment funnel (companies)"),
                charts.funnel(
                    [labels[key] for key in stages],
                    [investment[key] for key in stages],
                    unit=gettext("companies"),
                ),
            )
        )
    return drawn


# The document ---------------------------------------------------------------------------------


def context(figures: dict, title: TitleContext) -> dict[str, Any]:
    """Everything the template shows except the chart images: plain strings and lists."""
    empty = is_empty(figures)
    scope = _joined(
        [
            gettext("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in title.scope
        ]
    )
    generated = timezone.localtime(title.generated_at).strftime("%Y-%m-%d %H:%M")
    return {
        "title": title.title,
        "subtitle": f"（{title.period}{' · ' + scope if scope else ''}）",
        "headline": _headline(figures, title.period),
        "empty": empty,
        "headings": {
            "team": gettext("1. The team"),
            "pairings": gettext("2. Pairings and exchanges"),
            "mentorships": gettext("3. One-to-one mentorship"),
            "funds": gettext("4. Projects and funds"),
            "indicators": gettext("5. Performance indicators"),
            "investment": gettext("6. Investment promotion"),
            "sales": gettext("7. Consumer assistance"),
            "charts": gettext("Charts"),
        },
        "text": {
            "team": _team(figures),
            "pairings": _pairings(figures),
            "mentorships": _mentorships(figures),
            "funds": _funds(figures),
            "indicators": _indicators(figures),
            "investment": _investment(figures),
            "sales": _sales(figures),
        },
        "captions": {
            "projects": gettext("Funds by project (10,000 yuan)"),
            "sources": gettext("Funds by source (10,000 yuan)"),
            "indicators": gettext("Performance indicators"),
        },
        "columns": {
            "code": gettext("Code"),
            "project": gettext("Project"),
            "planned": gettext("Planned"),
            "disbursed": gettext("Disbursed"),
            "rate": gettext("Execution rate"),
            "source": gettext("Source of funds"),
            "indicator": gettext("Indicator"),
            "target": gettext("Target"),
            "actual": gettext("Actual"),
            "completion": gettext("Completion"),
        },
        **_tables(figures),
        "footer": gettext("%(scope)s · generated from the ledger at %(time)s")
        % {"scope": scope or gettext("All records"), "time": generated},
    }


def build_docx(figures: dict, *, title: TitleContext, output: IO[bytes] | str | Path) -> None:
    """Write the briefing of `figures` (the summary's JSON) to `output`.

    The one entry for every briefing: the dashboard's button, the command line, the pack and
    (with issue 16) a reporting period's stored "as reported" figures all come through here.
    """
    document = DocxTemplate(TEMPLATE)
    values = context(figures, title)
    values["charts"] = (
        []
        if values["empty"]
        else [
            {
                "image": InlineImage(document, _stream(chart.png), width=CHART_WIDTH),
                "caption": chart.caption,
            }
            for chart in chart_images(figures)
        ]
    )
    document.render(values, autoescape=True)
    document.save(output)


def _stream(png: bytes) -> IO[bytes]:
    return io.BytesIO(png)
