"""`make bench`: aidledger next to what users would otherwise use, on a generated ledger.

    .venv/bin/python bench/run.py [--database-url postgres://…] [--programmes 10 --years 5]
        [--sqlite-programmes 2 --sqlite-years 2] [--seed 1] [--keep] [--output bench/results.json]

For each database (PostgreSQL at --database-url's server, then a SQLite file at the smaller
scale) it creates a scratch database named by scale and seed, migrates it, fills it with
`manage.py generate_ledger`, measures, and drops it again (with --keep it stays, and the next
run with the same scale and seed reuses it instead of generating again). It never opens the
database the URL names, only the server.

Measured (bench/measure.py, each in a fresh process; bench/load.py for the load):
  a. the disbursements CSV export: ours through Django's test Client, vs PostgreSQL's COPY of
     the same columns, vs django-import-export (capped at --import-export-rows rows);
  b. five filtered list pages vs the tuned Django admin (bench/admin.py): p50/p95, queries;
  c. requests/s of a list page vs a trivial logged-in page, gunicorn with 2 workers;
  d. the summary vs one count(*) of the largest table;
  e. how long generating the data took.
Prints one table and writes the numbers to --output. Goals are information: the exit code
is 0 whenever the bench ran, met or not.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import load  # noqa: E402

PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
KEPT_SQLITE = ROOT / "var" / "bench"
DONE = "aidledger bench data complete"


# Scratch databases ---------------------------------------------------------------------------


class Scratch:
    """A scratch database named by scale and seed; `ready` when kept complete from a run before."""

    def __init__(self, *, name: str, keep: bool) -> None:
        # The name goes into SQL and file names as it is: letters, digits and _ only.
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise SystemExit(f"bench: {name!r} is not a plain database name")
        self.name, self.keep = name, keep

    url: str
    ready: bool = False
    generated_seconds: float | None = None

    def create(self) -> None: ...
    def mark_done(self, seconds: float) -> None: ...
    def drop(self) -> None: ...


class PostgresScratch(Scratch):
    def __init__(self, server_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(server_url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.admin = urlunsplit(parts._replace(path="/postgres"))

    def psql(self, sql: str, *, check: bool = True) -> str:
        done = subprocess.run(
            ["psql", self.admin, "-qAtc", sql], check=check, capture_output=True, text=True
        )
        return done.stdout.strip()

    def create(self) -> None:
        # The name is a checked plain name (__init__), safe to quote into SQL.
        query = f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{self.name}'"  # noqa: E501, S608
        comment = self.psql(query)
        if self.keep and comment.startswith(DONE):
            self.ready = True
            self.generated_seconds = float(comment.rsplit(" ", 1)[-1])
            return
        self.psql(f'DROP DATABASE IF EXISTS "{self.name}"')
        self.psql(f'CREATE DATABASE "{self.name}"')

    def mark_done(self, seconds: float) -> None:
        self.psql(f"COMMENT ON DATABASE \"{self.name}\" IS '{DONE} {seconds:.1f}'")

    def drop(self) -> None:
        if not self.keep:
            self.psql(f'DROP DATABASE IF EXISTS "{self.name}"', check=False)


class SqliteScratch(Scratch):
    def __init__(self, folder: Path, **kwargs) -> None:
        super().__init__(**kwargs)
        self.path = (KEPT_SQLITE if self.keep else folder) / f"{self.name}.sqlite3"
        self.marker = self.path.with_suffix(".done")
        self.url = f"sqlite:///{self.path}"

    def create(self) -> None:
        if self.keep and self.marker.exists() and self.path.exists():
            self.ready = True
            self.generated_seconds = float(self.marker.read_text().rsplit(" ", 1)[-1])
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in (self.path, self.marker):
            stale.unlink(missing_ok=True)

    def mark_done(self, seconds: float) -> None:
        self.marker.write_text(f"{DONE} {seconds:.1f}")

    def drop(self) -> None:
        if not self.keep:
            self.path.unlink(missing_ok=True)


# Processes -----------------------------------------------------------------------------------


def run(command: list[str], env: dict[str, str], *, label: str) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        raise SystemExit(f"bench: {label} failed ({' '.join(command)})")
    return done.stdout


def rollups_check(env: dict[str, str]) -> bool:
    """Whether `rebuild_rollups --check` finds the roll-ups equal to a recount of the records."""
    done = subprocess.run(
        [PYTHON, MANAGE, "rebuild_rollups", "--check"], env=env, capture_output=True, text=True
    )
    print(f"   rebuild_rollups --check: {'no drift' if done.returncode == 0 else 'DRIFT'}")
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
    return done.returncode == 0


def phase(name: str, env: dict[str, str], *options: str) -> dict:
    out = run([PYTHON, "-m", "bench.measure", name, *options], env, label=name)
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("bench: gunicorn stopped while starting (see its log above)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("bench: gunicorn did not start listening")


def throughput(env: dict[str, str], args, setup: dict, page: str, log: Path) -> dict:
    port = free_port()
    command = [
        GUNICORN,
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--no-control-socket",
        "--error-logfile",
        str(log),
    ]
    cookie = f"{setup['session_cookie']}={setup['session']}"
    with subprocess.Popen(command, env=env, cwd=ROOT) as server:
        try:
            wait_for(port, server)
            results = {}
            for key, path in (("list", page), ("trivial", "/bench/trivial/")):
                load(port, path, cookie, clients=args.load_clients, seconds=1)  # warm up
                results[key] = load(
                    port, path, cookie, clients=args.load_clients, seconds=args.load_seconds
                )
        except BaseException:
            sys.stderr.write(log.read_text() if log.exists() else "")
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    if any(result["errors"] for result in results.values()):
        sys.stderr.write("gunicorn's log, for the errors under load:\n" + log.read_text()[-5000:])
    return results


# One database --------------------------------------------------------------------------------


def bench_database(scratch: Scratch, *, programmes: int, years: int, args, base_env) -> dict:
    env = base_env | {"DATABASE_URL": scratch.url}
    print(f"== {scratch.name}: {programmes} programmes × {years} years, seed {args.seed}")
    scratch.create()
    result: dict = {"database": scratch.name, "programmes": programmes, "years": years}
    try:
        run([PYTHON, MANAGE, "migrate", "--noinput", "-v0"], env, label="migrate")
        if scratch.ready:
            print(f"   reusing the kept data (generated in {scratch.generated_seconds:.0f} s)")
            result["generation"] = {"seconds": scratch.generated_seconds, "reused": True}
        else:
            started = time.perf_counter()
            generate = [PYTHON, MANAGE, *args.generate_command.split()]
            if args.generate_command == "generate_ledger":
                generate += ["--programmes", str(programmes), "--years", str(years)]
                generate += ["--seed", str(args.seed)]
            run(generate, env, label="generating the ledger")
            seconds = time.perf_counter() - started
            print(f"   generated in {seconds:.0f} s")
            result["generation"] = {"seconds": seconds, "reused": False}
            if scratch.keep:
                scratch.mark_done(seconds)

        # The triggers kept the roll-ups through the generation's COPY: a recount agrees.
        result["rollups_after_generation"] = rollups_check(env)
        setup = phase("setup", env)
        result["counts"], result["server_version"] = setup["counts"], setup["server_version"]
        rows = setup["counts"]["projects_disbursement"]
        print(f"   {rows:,} disbursements; exporting")
        result["export"] = {"rows": rows, "ours": phase("export_ours", env)}
        if result["export"]["ours"]["lines"] != rows + 1:
            print(f"   note: the export has {result['export']['ours']['lines']:,} lines")
        if setup["vendor"] == "postgresql":
            result["export"]["copy"] = phase("export_copy", env)
        capped = min(rows, args.import_export_rows)
        if capped:
            result["export"]["import_export"] = phase(
                "export_import_export", env, "--rows", str(capped)
            )
        print("   list pages")
        pages = json.dumps(setup["pages"])
        result["lists"] = phase("lists", env, "--pages", pages, "--requests", str(args.requests))[
            "pages"
        ]
        print("   summary")
        result["summary"] = phase("summary", env, "--runs", str(args.summary_runs))
        print("   throughput under gunicorn")
        list_page = next(p["ours"] for p in setup["pages"] if p["name"].startswith("disb"))
        result["throughput"] = throughput(
            env, args, setup, list_page, Path(base_env["BENCH_STATIC_ROOT"]).parent / "gunicorn.log"
        )
        result["rollups_after_bench"] = rollups_check(env)
    finally:
        scratch.drop()
    return result


# The table -----------------------------------------------------------------------------------


def rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds else 0.0


def table_rows(result: dict) -> list[tuple[str, str, str, str, str, str]]:
    """(metric, ours, baseline, ratio, goal, met?) for one database."""
    rows = []

    def add(metric, ours, baseline, ratio, goal, met):
        verdict = "-" if met is None else ("yes" if met else "NO")
        rows.append((metric, ours, baseline, ratio, goal, verdict))

    export = result["export"]
    n = export["rows"]
    ours = export["ours"]
    ours_rate = rate(n, ours["seconds"])
    if "copy" in export:
        copy_rate = rate(n, export["copy"]["seconds"])
        ratio = ours_rate / copy_rate
        add(
            "CSV export rows/s vs COPY",
            f"{ours_rate:,.0f}",
            f"{copy_rate:,.0f}",
            f"{ratio:.2f}",
            ">= 0.5",
            ratio >= 0.5,
        )
    ie = export.get("import_export")
    if ie is None:  # --import-export-rows 0
        add("CSV export peak RSS MB", f"{ours['peak_rss_mb']:.0f}", "", "", "< 100",
            ours["peak_rss_mb"] < 100)  # fmt: skip
    else:
        add_import_export(add, n, ours, ours_rate, ie)
    _lists_and_rest(add, result)
    return rows


def add_import_export(add, n: int, ours: dict, ours_rate: float, ie: dict) -> None:
    ie_rate = rate(ie["rows"], ie["seconds"])
    ratio = ours_rate / ie_rate if ie_rate else 0
    capped = f" ({ie['rows']:,} rows)" if ie["rows"] < n else ""
    add(
        "CSV export rows/s vs import-export" + capped,
        f"{ours_rate:,.0f}",
        f"{ie_rate:,.0f}",
        f"{ratio:.1f}",
        ">= 40",
        ratio >= 40,
    )
    add(
        f"CSV export peak RSS MB ({n:,} rows)",
        f"{ours['peak_rss_mb']:.0f}",
        f"{ie['peak_rss_mb']:.0f}{capped}",
        "",
        "< 100",
        ours["peak_rss_mb"] < 100,
    )


def _lists_and_rest(add, result: dict) -> None:
    for page in result["lists"]:
        mine, admin = page["ours"], page["admin"]
        ratio = mine["p95_ms"] / admin["p95_ms"]
        shown = mine["status"] == admin["status"] == 200 and mine["rows"] and admin["rows"]
        add(
            f"list {page['name']}: p50/p95 ms",
            f"{mine['p50_ms']:.0f}/{mine['p95_ms']:.0f}",
            f"{admin['p50_ms']:.0f}/{admin['p95_ms']:.0f}",
            f"{ratio:.2f}",
            "<= 0.75",
            ratio <= 0.75 and bool(shown),
        )
        add(
            "    queries; rows shown",
            f"{mine['queries']}; {mine['rows']}",
            f"{admin['queries']}; {admin['rows']}",
            "",
            "",
            None,
        )
    load = result["throughput"]
    ratio = load["list"]["per_second"] / load["trivial"]["per_second"]
    errors = load["list"]["errors"] + load["trivial"]["errors"]
    add(
        "gunicorn req/s: list vs trivial",
        f"{load['list']['per_second']:.1f}",
        f"{load['trivial']['per_second']:.1f}",
        f"{ratio:.2f}",
        ">= 0.1, 0 errors",
        ratio >= 0.1 and errors == 0,
    )
    if errors:
        add("    errors under load", str(load["list"]["errors"]), str(load["trivial"]["errors"]),
            "", "0", False)  # fmt: skip
    summary = result["summary"]
    ratio = summary["summary_ms"] / summary["count_ms"]
    add(
        f"summary ms vs count(*) of {summary['largest_table']}",
        f"{summary['summary_ms']:.0f}",
        f"{summary['count_ms']:.0f}",
        f"{ratio:.1f}",
        "<= 2",
        ratio <= 2,
    )
    generation = result["generation"]
    add(
        "generation s" + (" (kept from an earlier run)" if generation["reused"] else ""),
        f"{generation['seconds']:.0f}",
        "",
        "",
        "",
        None,
    )
    for when in ("generation", "bench"):
        clean = result.get(f"rollups_after_{when}")
        add(f"rebuild_rollups --check after the {when}", "no drift" if clean else "DRIFT", "", "",
            "no drift", clean)  # fmt: skip


def print_table(result: dict) -> None:
    header = ("metric", "ours", "baseline", "ratio", "goal", "met?")
    rows = [header, *table_rows(result)]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    counts = result["counts"]
    print()
    print(
        f"{result['vendor']} {result['server_version']} · {result['programmes']} programmes × "
        f"{result['years']} years · {counts['pairings_exchange']:,} exchanges, "
        f"{counts['projects_disbursement']:,} disbursements, {counts['projects_project']:,} "
        f"projects, {counts['pairings_pairing']:,} pairings"
    )
    for i, row in enumerate(rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * width for width in widths))


# Main ----------------------------------------------------------------------------------------


def production_env(static_root: Path, args) -> dict[str, str]:
    """The environment of a production server on plain HTTP on loopback (README
    "Configuration"), with the bench's settings module."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CONN_MAX_AGE=str(args.conn_max_age),
        BENCH_STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL server; empty: skip it")
    parser.add_argument("--programmes", type=int, default=10)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--sqlite-programmes", type=int, default=2)
    parser.add_argument("--sqlite-years", type=int, default=2)
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) generated data")
    parser.add_argument("--db-prefix", default="bench", help="scratch database name prefix")
    parser.add_argument("--import-export-rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--summary-runs", type=int, default=5)
    parser.add_argument("--load-seconds", type=float, default=10)
    parser.add_argument("--load-clients", type=int, default=3)
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE of the bench")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--generate-command", default="generate_ledger", help=argparse.SUPPRESS)
    args = parser.parse_args()

    databases = []
    if args.database_url:
        databases.append(("postgresql", args.programmes, args.years))
    if not args.no_sqlite:
        databases.append(("sqlite", args.sqlite_programmes, args.sqlite_years))
    if not databases:
        parser.error("nothing to measure: give --database-url or leave SQLite on")
    if not args.database_url:
        print("No PostgreSQL server given (BENCH_DATABASE_URL): measuring SQLite only.")

    results = []
    with tempfile.TemporaryDirectory(prefix="aidledger-bench-") as scratch_dir:
        static_root = Path(scratch_dir) / "static"
        env = production_env(static_root, args)
        run([PYTHON, MANAGE, "collectstatic", "--noinput", "-v0"], env, label="collectstatic")
        for vendor, programmes, years in databases:
            name = f"{args.db_prefix}_p{programmes}y{years}s{args.seed}"
            if vendor == "postgresql":
                scratch = PostgresScratch(args.database_url, name=name, keep=args.keep)
            else:
                scratch = SqliteScratch(Path(scratch_dir), name=name, keep=args.keep)
            result = bench_database(
                scratch, programmes=programmes, years=years, args=args, base_env=env
            )
            result["vendor"] = vendor
            results.append(result)
        shutil.rmtree(static_root, ignore_errors=True)

    for result in results:
        print_table(result)
    report = {
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "seed": args.seed,
        "settings": {
            "conn_max_age": args.conn_max_age,
            "load_clients": args.load_clients,
            "load_seconds": args.load_seconds,
            "requests_per_page": args.requests,
            "import_export_rows": args.import_export_rows,
        },
        "databases": results,
    }
    Path(args.output).write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"\nNumbers written to {args.output}")


if __name__ == "__main__":
    main()
