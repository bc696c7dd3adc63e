"""Measure a ledger's CSV or XLSX export: rows/s and the exporting process's peak memory.

    .venv/bin/python bench/exports.py --ledger disbursements --rows 100000 [--format xlsx]
        [--database-url URL]

`--format records` measures the list's records in the import format (`<list>/records.xlsx`,
ledger.imports.views.import_records) instead of its export.

Ledgers: members (with their roles), exchanges (with their pairings), disbursements (with
project and funding line).

Works on a scratch database it creates and removes (a temporary SQLite file by default, or a
fresh database on the PostgreSQL server of --database-url, named as in that URL, or
aidledger_bench), never on your ledger. On PostgreSQL the CSV is measured three ways: the
endpoint as configured (COPY where the list allows it), the endpoint's Python path
(EXPORT_CSV_COPY=0), and a raw `COPY (SELECT <the same columns, untransformed>) TO STDOUT`
read through psycopg, the physical limit. The export
runs in a process of its own so its peak RSS is the export's, not the data generation's.
Not a test: numbers depend on the machine; compare runs at different sizes to see that
memory stays flat while time grows with the rows.
"""

import argparse
import datetime
import itertools
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
STEP = 5000  # rows per bulk insert


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _team():
    from aidledger.models import Batch, Body, BodyKind, Programme

    programme = Programme.objects.create(
        name="基准测试", helper_place="甲市", helped_place="乙县", plan_start="2021-01-01"
    )
    batch = Batch.objects.create(
        programme=programme, number=1, name="第一批", start_date="2021-06-01"
    )
    groups = [
        Body.objects.create(batch=batch, kind=BodyKind.WORKING_GROUP, name=f"第{n}工作组")
        for n in range(1, 4)
    ]
    return programme, batch, groups


def generate_members(count: int) -> None:
    from aidledger.models import Member, MemberRole

    _programme, batch, groups = _team()
    for start in range(0, count, STEP):
        members = Member.objects.bulk_create(
            Member(
                batch=batch,
                name=f"队员{n:07d}",
                home_unit="自贡市某局",
                home_post="科长",
                posting_unit="平昌县某局",
                posting_post="副局长",
                notes='=示例备注,含逗号与"引号"',
            )
            for n in range(start, min(start + STEP, count))
        )
        MemberRole.objects.bulk_create(
            MemberRole(member=m, body=groups[i % 3], role="member") for i, m in enumerate(members)
        )


def generate_exchanges(count: int) -> None:
    from pairings.models import Exchange, ExchangePairing, Pairing, Unit

    programme, _batch, groups = _team()
    pairings = []
    for n in range(200):
        helper = Unit.objects.create(
            programme=programme, side="helper", kind="department", name=f"甲市某局{n}"
        )
        helped = Unit.objects.create(
            programme=programme, side="helped", kind="department", name=f"乙县某局{n}"
        )
        pairings.append(
            Pairing.objects.create(
                helper=helper, helped=helped, signed_on="2023-08-01", responsible_body=groups[0]
            )
        )
    day = datetime.date(2023, 7, 1)
    for start in range(0, count, STEP):
        exchanges = Exchange.objects.bulk_create(
            Exchange(
                date=day + datetime.timedelta(days=n % 900),
                title=f"考察互访{n:07d}",
                kind="visit",
                place="乙县",
                participants=n % 40,
                lead_body=groups[n % 3],
                outcome='=成效,含逗号与"引号"',
            )
            for n in range(start, min(start + STEP, count))
        )
        ExchangePairing.objects.bulk_create(
            ExchangePairing(exchange=e, pairing=pairings[i % len(pairings)])
            for i, e in enumerate(exchanges)
        )


def funding_lines(count: int, *, amount: Decimal) -> list:
    """`count` projects of the three working groups, each with one funding line of `amount`
    (the disbursement benches pay against them)."""
    from projects.models import Funding, Project

    _programme, _batch, groups = _team()
    lines = []
    for n in range(count):
        project = Project.objects.create(
            code=f"JZ-{n:04d}",
            name=f"基准项目{n}",
            sector="agriculture",
            responsible_body=groups[n % 3],
            status="in_progress",
        )
        lines.append(
            Funding.objects.create(project=project, source="municipal", year=2024, amount=amount)
        )
    return lines


def generate_disbursements(count: int) -> None:
    from projects.models import Disbursement

    lines = funding_lines(1000, amount=Decimal("1000000000.00"))
    day = datetime.date(2023, 7, 1)
    for start in range(0, count, STEP):
        # Straight inserts: the bench measures the export, not the locked entry path.
        Disbursement.objects.bulk_create(
            Disbursement(
                project_id=lines[n % len(lines)].project_id,
                funding=lines[n % len(lines)],
                paid_on=day + datetime.timedelta(days=n % 900),
                amount=Decimal(n % 100000) + Decimal("0.10"),
                payee="乙县某合作社",
                voucher_number=f"PZ{n:07d}",
                notes="-示例",
            )
            for n in range(start, min(start + STEP, count))
        )


GENERATORS = {
    "members": generate_members,
    "exchanges": generate_exchanges,
    "disbursements": generate_disbursements,
}
EXPORTS = {
    "members": "/members/",
    "exchanges": "/pairings/exchanges/",
    "disbursements": "/projects/disbursements/",
}


def generate(ledger: str, count: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    GENERATORS[ledger](count)


def sheet_rows(path: str) -> int:
    """Rows of the table in an exported workbook: the <row> elements after the header (the
    lines above the table end with an empty row, which the sheet does not write)."""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        head = sheet.read(1 << 16)
        numbers = [int(n) for n in re.findall(rb'<row r="(\d+)"', head)]
        above = next(i for i, (a, b) in enumerate(itertools.pairwise(numbers)) if b > a + 1) + 2
        rows, tail, block = 0, b"", head
        while block:
            text = tail + block
            rows += text.count(b"<row ")
            tail = text[-4:]  # "<row" cut between two blocks: counted with the next block
            rows -= tail.count(b"<row ")
            block = sheet.read(1 << 20)
        rows += tail.count(b"<row ")
    return rows - above


def record_rows(path: str) -> int:
    """Rows of a records file in the import format: its first sheet's rows under the header."""
    rows, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while block := sheet.read(1 << 20):
            text = tail + block
            rows += text.count(b"<row ")
            tail = text[-4:]
            rows -= tail.count(b"<row ")
        rows += tail.count(b"<row ")
    return rows - 1


def export(ledger: str, fmt: str) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.contrib.auth.models import Group

    from ledger import permissions

    user, _created = get_user_model().objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get(name=permissions.VIEWER))  # a viewer may export
    client = Client()
    client.force_login(user)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    path = "records.xlsx" if fmt == "records" else f"export.{fmt}"
    response = client.get(f"{EXPORTS[ledger]}{path}")
    if response.status_code != 200:
        where = response.get("Location", "")
        sys.exit(f"{path}: HTTP {response.status_code} {where}")
    size = rows = 0
    with tempfile.NamedTemporaryFile(suffix=".csv" if fmt == "csv" else ".xlsx") as copy:
        for chunk in response.streaming_content:
            size += len(chunk)
            if fmt == "csv":
                rows += chunk.count(b"\r\n")
            else:
                copy.write(chunk)
        response.close()
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if fmt == "csv":
            rows -= 1  # the header
        elif fmt == "records":
            copy.flush()
            rows = record_rows(copy.name)
        else:
            copy.flush()
            rows = sheet_rows(copy.name)
    print(
        f"{fmt}: {rows} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s = {rows / elapsed:,.0f} "
        f"rows/s; peak RSS {peak / 1024:.0f} MB (before the export: {baseline / 1024:.0f} MB)"
    )


LIST_VIEWS = {
    "members": "aidledger.views.MemberListView",
    "exchanges": "pairings.views.ExchangeListView",
    "disbursements": "projects.views.DisbursementListView",
}


def raw_copy(ledger: str) -> None:
    """COPY of the list's columns as stored (no labels, no neutralisation), same rows and
    order, every block read through psycopg: what PostgreSQL and the driver alone cost."""
    from importlib import import_module

    import psycopg
    from django.db import connection
    from django.db.models import F

    module, name = LIST_VIEWS[ledger].rsplit(".", 1)
    view = getattr(import_module(module), name)()
    queryset = view.get_queryset().order_by(*view.ordering(view.default_sort))
    columns = {}
    for index, column in enumerate(view.columns):
        if callable(column.value):
            if column.db_text is None:
                print(f"raw COPY: column {column.key} has no SQL; left out")
                continue
            columns[f"c{index}"] = column.db_text
            continue
        lookup = column.value.replace(".", "__")
        field = queryset.model._meta
        target = None
        for step in column.value.split("."):
            target = field.get_field(step)
            field = target.related_model._meta if target.is_relation else None
        if target.is_relation:
            columns[f"c{index}"] = target.related_model.csv_text(f"{lookup}__")
        else:
            columns[f"c{index}"] = F(lookup)
    sql, params = queryset.values(**columns).query.sql_with_params()
    connection.ensure_connection()
    started = time.perf_counter()
    rows = size = 0
    with (
        psycopg.ClientCursor(connection.connection) as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
    ):
        for block in copy:
            rows += 1
            size += len(block)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"raw COPY: {rows} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s = "
        f"{rows / elapsed:,.0f} rows/s; peak RSS {peak / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", choices=sorted(GENERATORS), default="members")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "records"], default="csv")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL")
    parser.add_argument("--phase", choices=["generate", "export", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        setup_django(args.url)
        if args.phase == "generate":
            generate(args.ledger, args.rows)
        elif args.phase == "raw":
            raw_copy(args.ledger)
        else:
            export(args.ledger, args.format)
        return

    with tempfile.TemporaryDirectory() as scratch:
        if args.database_url:
            parts = urlsplit(args.database_url)
            name = parts.path.strip("/")
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name == "postgres":
                name = "aidledger_bench"
            url = urlunsplit(parts._replace(path=f"/{name}"))
            admin = urlunsplit(parts._replace(path="/postgres"))
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        else:
            url = f"sqlite:///{scratch}/bench.sqlite3"
        try:
            options = ["--url", url, "--ledger", args.ledger, "--rows", str(args.rows)]
            options += ["--format", args.format]
            phases = [("generate", {}), ("export", {})]
            if args.database_url and args.format == "csv":
                phases += [("export", {"EXPORT_CSV_COPY": "0"}), ("raw", {})]
            for phase, env in phases:
                if env:
                    print(" ".join(f"{key}={value}" for key, value in env.items()), end=": ")
                    sys.stdout.flush()
                command = [sys.executable, __file__, "--phase", phase, *options]
                subprocess.run(command, check=True, env={**os.environ, **env})
        finally:
            if args.database_url:
                subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"])


if __name__ == "__main__":
    main()
