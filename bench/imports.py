"""Measure a big disbursement import: preview (dry run) and confirm of `run_import`, rows/s and
the importing process's peak memory.

    .venv/bin/python bench/imports.py --rows 20000 [--database-url postgres://…/name]
        [--existing 20000] [--profile preview|confirm]

Works on a scratch database it creates and removes (a fresh database on the PostgreSQL server
of --database-url, named as in that URL or aidledger_bench_imports; a temporary SQLite file
without it), never on your ledger. The data: 1,000 projects with one funding line each,
`--existing` disbursements already on them (what the import compares its rows with), and a
CSV in the import format of `--rows` new disbursements of those lines, within their plans.

Each phase runs in a process of its own, so its peak RSS is the import's, not the data
generation's; the confirm runs on the ledger as the preview saw it (the preview writes
nothing) and is checked afterwards: every row written, each with its "+" history row naming
the importing user. `--profile` prints the phase's cProfile (top 30 by cumulative time).
"""

import argparse
import cProfile
import datetime
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exports import funding_lines, setup_django  # noqa: E402

STEP = 5000
LINES = 1000


def generate(existing: int, rows: int, csv_path: str) -> None:
    import csv

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from ledger.imports.specs import specs
    from projects.models import Disbursement

    lines = funding_lines(LINES, amount=Decimal("100000000.00"))
    day = datetime.date(2023, 7, 1)
    for start in range(0, existing, STEP):
        # Straight inserts: what is measured is the import, not how the ledger was filled.
        Disbursement.objects.bulk_create(
            Disbursement(
                project_id=lines[n % LINES].project_id,
                funding=lines[n % LINES],
                paid_on=day + datetime.timedelta(days=n % 900),
                amount=Decimal(n % 1000) + Decimal("0.10"),
                payee="乙县某合作社",
                voucher_number=f"PZ{n:07d}",
            )
            for n in range(start, min(start + STEP, existing))
        )
    get_user_model().objects.create_superuser("bench-importer", password=None)

    spec = specs()["disbursements"]
    with open(csv_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([spec.label(col) for col in spec.columns])
        for n in range(rows):
            line = lines[n % LINES]
            cells = {
                "project": line.project.code,
                "funding_source": "municipal",
                "funding_year": 2024,
                "funding_line": 1,
                "paid_on": (day + datetime.timedelta(days=n % 700)).isoformat(),
                "amount": f"{1000 + n % 5000}.50",
                "payee": f"乙县某合作社{n % 97}",
                "voucher_number": f"DR{n:07d}",
                "notes": "导入",
            }
            writer.writerow([cells[col.name] for col in spec.columns])


def run(phase: str, csv_path: str, rows: int, profile: bool) -> None:
    from django.contrib.auth import get_user_model

    from ledger.imports.run import run_import
    from ledger.imports.specs import specs
    from projects.models import Disbursement

    user = get_user_model().objects.get(username="bench-importer")
    data = Path(csv_path).read_bytes()
    before = Disbursement.objects.count()
    history_before = Disbursement.history.count()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = run_import(
        specs()["disbursements"],
        data,
        filename="bench.csv",
        user=user,
        dry_run=phase == "preview",
    )
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not result.ok:
        print(result.report()[:2000])
        sys.exit(1)
    problems = [] if result.counts["new"] == rows else [f"counts {result.counts}"]
    if phase == "confirm":
        added = Disbursement.history.filter(history_type="+", history_user=user).count()
        if not result.written or Disbursement.objects.count() != before + rows:
            problems.append("not every row was written")
        if added != history_before + rows:
            problems.append(f"{added - history_before} '+' history rows naming the user")
    if problems:
        sys.exit(f"{phase}: {'; '.join(problems)}")
    print(
        f"{phase}: {rows} rows in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s; "
        f"peak RSS {peak / 1024:.0f} MB (before the import: {baseline / 1024:.0f} MB)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL")
    parser.add_argument("--profile", choices=["preview", "confirm"])
    parser.add_argument(
        "--phase", choices=["generate", "preview", "confirm"], help=argparse.SUPPRESS
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        setup_django(args.url)
        if args.phase == "generate":
            generate(args.existing, args.rows, args.csv)
        else:
            run(args.phase, args.csv, args.rows, args.profile == args.phase)
        return

    with tempfile.TemporaryDirectory() as scratch:
        if args.database_url:
            parts = urlsplit(args.database_url)
            name = parts.path.strip("/")
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name == "postgres":
                name = "aidledger_bench_imports"
            url = urlunsplit(parts._replace(path=f"/{name}"))
            admin = urlunsplit(parts._replace(path="/postgres"))
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        else:
            url = f"sqlite:///{scratch}/bench.sqlite3"
        csv_path = f"{scratch}/disbursements.csv"
        try:
            options = ["--url", url, "--rows", str(args.rows), "--csv", csv_path]
            options += ["--existing", str(args.existing)]
            if args.profile:
                options += ["--profile", args.profile]
            for phase in ("generate", "preview", "confirm"):
                command = [sys.executable, __file__, "--phase", phase, *options]
                subprocess.run(command, check=True)
        finally:
            if args.database_url:
                subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"])


if __name__ == "__main__":
    main()
