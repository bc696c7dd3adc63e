"""The assessment pack (考核佐证材料包): one ZIP with the briefing, the XLSX of every ledger
filtered to the range, every evidence file in folders by ledger and record, and an index.

The ledgers' workbooks are the lists' own XLSX exports (`LedgerListView`, the same filters,
columns and writer as the 导出 XLSX button), so the pack holds exactly what a reviewer sees on
screen; the evidence is that of those very rows. Only what the requesting user may read goes
in (`ledger.permissions.can_view` per record).
"""

from __future__ import annotations

import datetime
import io
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.http import FileResponse, HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from aidledger.models import Batch, Body
from evidence.models import Evidence
from ledger import permissions
from ledger.exports import xlsx_file
from periods.models import Snapshot
from reports.briefing import TitleContext, build_docx, default_title
from reports.periods import DateRange, as_reported, reported_text
from summary.selectors import as_json, ledger_summary

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Scope:
    """What a report covers: the range, and a batch and working group if chosen."""

    range: DateRange
    batch: Batch | None = None
    body: Body | None = None

    def reported(self) -> Snapshot | None:
        """The approved period's "as reported" summary, when the scope is exactly such a
        period of the whole ledger (a snapshot holds the whole ledger, no batch or group)."""
        if not self.range.code or self.batch is not None or self.body is not None:
            return None
        return as_reported(self.range.code)

    def figures(self) -> dict:
        """What the briefing reports: an approved period's figures as reported to the
        province, else the summary's JSON as of the range's last day."""
        if snapshot := self.reported():
            return snapshot.summary
        return as_json(ledger_summary(as_of=self.range.end, batch=self.batch, body=self.body))

    def filters_text(self) -> list[tuple[str, str]]:
        rows = [
            (gettext("Batch"), self.batch.name if self.batch else gettext("All")),
            (gettext("Working group"), self.body.name if self.body else gettext("All")),
        ]
        if snapshot := self.reported():
            rows.append((gettext("Figures"), reported_text(snapshot)))
        return rows

    def title_context(self, title: str) -> TitleContext:
        return TitleContext(title, self.range.label, self.filters_text(), timezone.now())


@dataclass(frozen=True)
class PackLedger:
    """A ledger in the pack: its list (by URL name) and its filters for a range. Records that
    happen on a day (exchanges, payments, sales) are the range's; records that stand (pairings
    in force, projects, plans, indicators, leads) are those standing by its last day."""

    url_name: str
    dates: Callable[[DateRange], dict[str, str]]


def _on(name: str) -> Callable[[DateRange], dict[str, str]]:
    return lambda period: {name: period.end.isoformat()}


def _between(start: str, end: str, fmt: str = "%Y-%m-%d") -> Callable[[DateRange], dict[str, str]]:
    def dates(period: DateRange) -> dict[str, str]:
        values = {end: period.end.strftime(fmt)}
        if period.start is not None:
            values[start] = period.start.strftime(fmt)
        return values

    return dates


LEDGERS = (
    PackLedger("pairings", _on("active_on")),
    PackLedger("exchanges", _between("date_from", "date_to")),
    PackLedger("mentorships", _on("started_by")),
    PackLedger("projects", _on("started_by")),
    PackLedger("funding", _on("planned_by")),
    PackLedger("disbursements", _between("paid_from", "paid_to")),
    PackLedger("indicators", lambda period: {}),  # every indicator: a target stands all along
    PackLedger("leads", _on("reached_by")),
    PackLedger("sales", _between("period_from", "period_to", "%Y-%m")),
)

INCLUDED, MISSING, NONE = "included", "missing", "none"


def _request(user: Any, params: dict[str, Any]) -> HttpRequest:
    """A GET request as the list's export would receive it, from `user`, with `params`."""
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    request.GET = query
    return request


class LedgerInPack:
    """One ledger's list view, bound to the pack's user and filters."""

    def __init__(self, ledger: PackLedger, scope: Scope, user: Any) -> None:
        match = resolve(reverse(ledger.url_name))
        self.view_class = match.func.view_class
        self.initkwargs = match.func.view_initkwargs
        params = {
            **ledger.dates(scope.range),
            "batch": scope.batch.pk if scope.batch else None,
            "body": scope.body.pk if scope.body else None,
        }
        self.request = _request(user, params)
        self.user = user
        self.title = str(self.view_class.title)

    def view(self, **overrides: Any) -> Any:
        view = self.view_class(**{**self.initkwargs, **overrides})
        view.setup(self.request)
        return view

    def rows(self):
        filterset = self.view().filter()
        if not filterset.is_valid():
            raise ValueError(f"{self.title}: {filterset.errors.as_text()}")
        return filterset.qs

    def xlsx(self) -> IO[bytes]:
        """The list's own XLSX export (a temporary file, read from the start)."""
        response = self.view(export="xlsx").get(self.request)
        if not isinstance(response, FileResponse):
            raise ValueError(f"{self.title}: the export was refused ({response.status_code})")
        return response.file_to_stream

    def evidence_bytes(self) -> int:
        rows = self.rows()
        content_type = ContentType.objects.get_for_model(rows.model)
        return (
            Evidence.objects.filter(
                content_type=content_type, object_id__in=rows.order_by().values("pk")
            ).aggregate(total=Sum("size"))["total"]
            or 0
        )


def ledgers_in_pack(scope: Scope, user: Any) -> list[LedgerInPack]:
    return [LedgerInPack(ledger, scope, user) for ledger in LEDGERS]


def estimated_size(scope: Scope, user: Any) -> int:
    """The evidence files' bytes the pack would hold (one query per ledger): what the size
    limit is checked against before anything is built."""
    return sum(ledger.evidence_bytes() for ledger in ledgers_in_pack(scope, user))


# Names in the ZIP ------------------------------------------------------------------------------

FORBIDDEN = set('\\/:*?"<>|')
NAME_LIMIT = 80
DATE_FIELDS = ("paid_on", "date", "start_date", "signed_on", "period", "as_of")
LABEL_FIELDS = ("payee", "title", "company")


def safe_name(text: str, limit: int = NAME_LIMIT) -> str:
    """A file or folder name that unpacks the same on Windows, macOS and Linux: no path
    separators, reserved characters or control characters, no leading or trailing dots
    (so no "..") or blanks, at most `limit` characters."""
    text = unicodedata.normalize("NFC", str(text))
    cleaned = "".join(
        " " if char in FORBIDDEN or unicodedata.category(char).startswith("C") else char
        for char in text
    )
    cleaned = " ".join(cleaned.split()).strip(" .")
    if len(cleaned) > limit:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 8:
            cleaned = stem[: limit - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            cleaned = cleaned[:limit].rstrip(" .")
    return cleaned or "_"


def record_folder(record: Any) -> str:
    """A record's folder: its date, what it is and its amount, as a clerk would file it
    (`2024-09-15 某某合作社 500000.00`)."""
    parts = []
    for name in DATE_FIELDS:
        value = getattr(record, name, None)
        if isinstance(value, datetime.date):
            parts.append(value.isoformat())
            break
    label = next(
        (getattr(record, name) for name in LABEL_FIELDS if getattr(record, name, None)),
        str(record),
    )
    parts.append(str(label))
    amount = getattr(record, "amount", None)
    if isinstance(amount, Decimal):
        parts.append(f"{amount:.2f}")
    return safe_name(" ".join(parts))


class _Names:
    """Unique names within each folder: a second `凭证.pdf` becomes `凭证 (2).pdf`."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def unique(self, folder: str, name: str) -> str:
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        candidate, number = f"{folder}/{name}", 1
        while candidate.lower() in self.used:
            number += 1
            suffix = f" ({number})" + (f".{extension}" if extension else "")
            candidate = f"{folder}/{stem}{suffix}"
        self.used.add(candidate.lower())
        return candidate


# Building ---------------------------------------------------------------------------------------

CHUNK = 500


def _chunks(rows) -> Iterator[list[Any]]:
    iterator = rows.iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def build_pack(scope: Scope, *, user: Any, output: IO[bytes], progress: Progress) -> dict[str, int]:
    """Write the pack of `scope`, as `user` may read it, to `output` (a file open for
    writing). Returns counts (records, files, missing, without) for the job's message."""
    names = _Names()
    counts = {"records": 0, "files": 0, "missing": 0, "without": 0}
    index_rows: list[list[Any]] = []
    status_text = {
        INCLUDED: gettext("included"),
        MISSING: gettext("missing on disk"),
        NONE: gettext("no evidence"),
    }
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as pack:
        progress(5, gettext("Writing the briefing"))
        docx = io.BytesIO()  # a few hundred KB: the text and four charts
        build_docx(scope.figures(), title=scope.title_context(default_title()), output=docx)
        pack.writestr(_entry(safe_name(f"{default_title()}.docx")), docx.getvalue())
        ledgers = ledgers_in_pack(scope, user)
        folder_ledgers = safe_name(gettext("Ledgers"))
        for step, ledger in enumerate(ledgers):
            progress(
                10 + 20 * step // len(ledgers),
                gettext("Exporting %(ledger)s") % {"ledger": ledger.title},
            )
            with (
                ledger.xlsx() as workbook,
                pack.open(
                    names.unique(folder_ledgers, safe_name(f"{ledger.title}.xlsx")), "w"
                ) as target,
            ):
                shutil.copyfileobj(workbook, target)
        folder_evidence = safe_name(gettext("Evidence"))
        for step, ledger in enumerate(ledgers):
            progress(
                30 + 65 * step // len(ledgers),
                gettext("Collecting the evidence of %(ledger)s") % {"ledger": ledger.title},
            )
            rows = ledger.rows()
            content_type = ContentType.objects.get_for_model(rows.model)
            for chunk in _chunks(rows):
                files: dict[int, list[Evidence]] = {}
                for evidence in Evidence.objects.filter(
                    content_type=content_type, object_id__in=[record.pk for record in chunk]
                ).order_by("date", "pk"):
                    files.setdefault(evidence.object_id, []).append(evidence)
                for record in chunk:
                    if not permissions.can_view(user, record):
                        continue
                    counts["records"] += 1
                    folder = f"{folder_evidence}/{safe_name(ledger.title)}/{record_folder(record)}"
                    if record.pk not in files:
                        counts["without"] += 1
                        index_rows.append(
                            [ledger.title, str(record), "", "", None, status_text[NONE]]
                        )
                        continue
                    for evidence in files[record.pk]:
                        path = names.unique(folder, safe_name(evidence.original_name))
                        status = _add_file(pack, evidence, path)
                        counts["files" if status == INCLUDED else "missing"] += 1
                        index_rows.append(
                            [
                                ledger.title,
                                str(record),
                                evidence.title,
                                path if status == INCLUDED else "",
                                evidence.date,
                                status_text[status],
                            ]
                        )
        progress(96, gettext("Writing the index"))
        index = xlsx_file(
            title=gettext("Index of the evidence"),
            notes=[
                gettext("%(label)s: %(value)s") % {"label": label, "value": value}
                for label, value in [
                    (pgettext("of a report", "Period"), scope.range.label),
                    *scope.filters_text(),
                ]
            ]
            + [
                gettext(
                    "%(records)d records, %(files)d files included, %(missing)d missing on disk, "
                    "%(without)d records without evidence."
                )
                % counts
            ],
            header=[
                gettext("Ledger"),
                gettext("Record"),
                gettext("File title"),
                gettext("Path in the pack"),
                gettext("Date"),
                gettext("Status"),
            ],
            kinds=["text", "text", "text", "text", "date", "text"],
            rows=index_rows,
        )
        with index, pack.open(_entry(safe_name(gettext("Index") + ".xlsx")), "w") as target:
            shutil.copyfileobj(index, target)
    return counts


def _entry(name: str) -> zipfile.ZipInfo:
    """A ZIP entry dated now (local time), compressed."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _add_file(pack: zipfile.ZipFile, evidence: Evidence, path: str) -> str:
    """Copy one evidence file into the pack; MISSING (and nothing written) if it is gone."""
    try:
        source = evidence.file.open("rb")
    except FileNotFoundError:
        return MISSING
    with source, pack.open(_entry(path), "w") as target:
        shutil.copyfileobj(source, target, length=1024 * 1024)
    return INCLUDED


def over_limit(size: int) -> bool:
    return size > settings.REPORTS_PACK_MAX_BYTES
