"""Measure a ledger's CSV or XLSX export: rows/s and the exporting process's peak memory.

    .venv/bin/python bench/exports.py --ledger disbursements --rows 100000 [--format xlsx]
        [--database-url URL]

Ledgers: members (with their roles), exchanges (with their pairings), disbursements (with
project and funding line).

Works on a scratch database it creates and removes (a temporary SQLite file by default, or a
fresh database on the PostgreSQL server of --database-url), never on your ledger. The export
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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _team():
    from aidledger.models import Batch, Body, Programme

    programme = Programme.objects.create(
        name="基准测试", helper_place="甲市", helped_place="乙县", plan_start="2021-01-01"
    )
    batch = Batch.objects.create(
        programme=programme, number=1, name="第一批", start_date="2021-06-01"
    )
    groups = [
        Body.objects.create(batch=batch, kind=Body.Kind.WORKING_GROUP, name=f"第{n}工作组")
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


def generate_disbursements(count: int) -> None:
    from projects.models import Disbursement, Funding, Project

    _programme, _batch, groups = _team()
    lines = []
    for n in range(1000):
        project = Project.objects.create(
            code=f"JZ-{n:04d}",
            name=f"基准项目{n}",
            sector="agriculture",
            responsible_body=groups[n % 3],
            status="in_progress",
        )
        lines.append(
            Funding.objects.create(
                project=project, source="municipal", year=2024, amount=Decimal("1000000000.00")
            )
        )
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


def export(ledger: str, fmt: str) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    user = get_user_model().objects.create_user("bench", password=None)
    client = Client()
    client.force_login(user)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(f"{EXPORTS[ledger]}export.{fmt}")
    size = rows = 0
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as copy:
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
        else:
            copy.flush()
            rows = sheet_rows(copy.name)
    print(
        f"{fmt}: {rows} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s = {rows / elapsed:,.0f} "
        f"rows/s; peak RSS {peak / 1024:.0f} MB (before the export: {baseline / 1024:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", choices=sorted(GENERATORS), default="members")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL")
    parser.add_argument("--phase", choices=["generate", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        setup_django(args.url)
        if args.phase == "generate":
            generate(args.ledger, args.rows)
        else:
            export(args.ledger, args.format)
        return

    with tempfile.TemporaryDirectory() as scratch:
        if args.database_url:
            parts = urlsplit(args.database_url)
            url = urlunsplit(parts._replace(path="/aidledger_bench"))
            admin = urlunsplit(parts._replace(path="/postgres"))
            subprocess.run(
                ["psql", admin, "-qc", "DROP DATABASE IF EXISTS aidledger_bench"], check=True
            )
            subprocess.run(["psql", admin, "-qc", "CREATE DATABASE aidledger_bench"], check=True)
        else:
            url = f"sqlite:///{scratch}/bench.sqlite3"
        try:
            for phase in ("generate", "export"):
                command = [sys.executable, __file__, "--phase", phase, "--url", url]
                options = ["--ledger", args.ledger, "--rows", str(args.rows)]
                subprocess.run([*command, *options, "--format", args.format], check=True)
        finally:
            if args.database_url:
                subprocess.run(["psql", admin, "-qc", "DROP DATABASE IF EXISTS aidledger_bench"])


if __name__ == "__main__":
    main()
