"""Measure the members CSV export: rows/s and the exporting process's peak memory.

    .venv/bin/python bench/members_export.py --members 100000 [--database-url URL]

Works on a scratch database it creates and removes (a temporary SQLite file by default, or a
fresh database on the PostgreSQL server of --database-url), never on your ledger. The export
runs in a process of its own so its peak RSS is the export's, not the data generation's.
Not a test: numbers depend on the machine; compare runs at different sizes to see that
memory stays flat while time grows with the rows.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(count: int) -> None:
    from django.core.management import call_command

    from aidledger.models import Batch, Body, Member, MemberRole, Programme

    call_command("migrate", verbosity=0)
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
    step = 5000
    for start in range(0, count, step):
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
            for n in range(start, min(start + step, count))
        )
        MemberRole.objects.bulk_create(
            MemberRole(member=m, body=groups[i % 3], role="member") for i, m in enumerate(members)
        )


def export() -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    user = get_user_model().objects.create_user("bench", password=None)
    client = Client()
    client.force_login(user)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/members/export.csv")
    size = rows = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\r\n")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows -= 1  # the header
    print(
        f"{rows} rows, {size / 1e6:.1f} MB in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s; "
        f"peak RSS {peak / 1024:.0f} MB (before the export: {baseline / 1024:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server URL")
    parser.add_argument("--phase", choices=["generate", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        setup_django(args.url)
        generate(args.members) if args.phase == "generate" else export()
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
                subprocess.run([*command, "--members", str(args.members)], check=True)
        finally:
            if args.database_url:
                subprocess.run(["psql", admin, "-qc", "DROP DATABASE IF EXISTS aidledger_bench"])


if __name__ == "__main__":
    main()
