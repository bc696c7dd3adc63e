"""The bench's measurements, one per process: `python -m bench.measure PHASE`.

bench/run.py starts each phase in a fresh process on a generated scratch database (the
environment names it: DATABASE_URL, DJANGO_SETTINGS_MODULE=bench.settings), so that a phase's
peak RSS is its own. A phase prints one line of JSON, its numbers, last on stdout.
"""

import argparse
import contextlib
import datetime
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import django

BENCH_USER = "bench"
PAGE_ROWS = 100
EXPORT_URL = "/projects/disbursements/export.csv"
# The columns of the disbursements export, as plain SQL: what COPY can do with no formatting.
COPY_SQL = """
    COPY (
        SELECT d.paid_on, p.code, p.name, f.source, f.year, d.amount / 100.0, d.payee,
               d.voucher_number, b.name || ' · ' || w.name, d.notes
        FROM projects_disbursement d
        JOIN projects_project p ON p.id = d.project_id
        JOIN projects_funding f ON f.id = d.funding_id
        JOIN aidledger_body w ON w.id = p.responsible_body_id
        JOIN aidledger_batch b ON b.id = w.batch_id
        ORDER BY d.paid_on DESC, d.id DESC
    ) TO STDOUT (FORMAT csv, HEADER)
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def bench_user():
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def logged_in_client():
    from django.test import Client
    from django.test.utils import setup_test_environment

    # Lets the test Client's host through ALLOWED_HOSTS; already done inside the test suite.
    with contextlib.suppress(RuntimeError):
        setup_test_environment()
    client = Client()
    client.force_login(bench_user())
    return client


def table_counts() -> dict[str, int]:
    from aidledger.models import Member
    from pairings.models import Exchange, ExchangePairing, Pairing
    from projects.models import Disbursement, Funding, InvestmentLead, Project

    models = [Exchange, ExchangePairing, Disbursement, Funding, Project, Pairing, InvestmentLead]
    return {model._meta.db_table: model.objects.count() for model in [*models, Member]}


def server_version() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        import sqlite3

        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def most_common(queryset, field: str) -> Any:
    from django.db.models import Count

    row = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field).first()
    return row[field] if row else None


def list_pages() -> list[dict[str, str]]:
    """The five pages and their admin twins, with filter values that match many rows."""
    from pairings.models import Exchange, Pairing
    from projects.models import STAGES, Disbursement, InvestmentLead, Project

    pages = []
    batch = most_common(Exchange.objects, "lead_body__batch")
    dates = Exchange.objects.filter(lead_body__batch=batch).order_by("date")
    if batch is not None:
        # A year of the batch's exchanges, ending at its latest.
        last = dates.last().date
        first = last - datetime.timedelta(days=365)
        day_after = last + datetime.timedelta(days=1)
        pages.append(
            {
                "name": "exchanges: one batch, a year",
                "ours": f"/pairings/exchanges/?batch={batch}&date_from={first}&date_to={last}",
                "admin": f"/bench/admin/pairings/exchange/?lead_body__batch__id__exact={batch}"
                f"&date__gte={first}&date__lt={day_after}",
            }
        )
    sector = most_common(Disbursement.objects, "project__sector")
    pages.append(
        {
            "name": "disbursements: one sector",
            "ours": f"/projects/disbursements/?sector={sector}",
            "admin": f"/bench/admin/projects/disbursement/?project__sector__exact={sector}",
        }
    )
    status = most_common(Project.objects, "status")
    pages.append(
        {
            "name": "projects: one status",
            "ours": f"/projects/?status={status}",
            "admin": f"/bench/admin/projects/project/?status__exact={status}",
        }
    )
    category = most_common(Pairing.objects, "category")
    pages.append(
        {
            "name": "pairings: one category",
            "ours": f"/pairings/?category={category}",
            "admin": f"/bench/admin/pairings/pairing/?category__exact={category}",
        }
    )
    # Nearly every lead reached the first stage: take the later stage most leads reached, so
    # the filter cuts (the first stage when no lead went further).
    reached = {
        field: InvestmentLead.objects.filter(**{f"{field}__isnull": False}).count()
        for field, _label in STAGES
    }
    later = max(STAGES[1:], key=lambda stage: reached[stage[0]])[0]
    stage = later if reached[later] else STAGES[0][0]
    pages.append(
        {
            "name": "leads: one stage",
            "ours": f"/projects/leads/?stage={stage}",
            "admin": f"/bench/admin/projects/investmentlead/?stage={stage}",
        }
    )
    for page in pages:
        page["ours"] += f"&per_page={PAGE_ROWS}"
    return pages


def rows_shown(html: str, *, admin: bool) -> int:
    if admin:
        body = html.split('id="result_list"', 1)[-1].split("</table>", 1)[0]
    else:
        body = html.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
        if 'class="empty"' in body:
            return 0
    return body.split("<tbody>", 1)[-1].count("<tr")


# Phases ------------------------------------------------------------------------------------


def phase_setup(args) -> dict:
    """The bench user's session (for the load client) and what the data holds."""
    from django.conf import settings
    from django.db import connection

    client = logged_in_client()
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "counts": table_counts(),
        "pages": list_pages(),
        "vendor": connection.vendor,
        "server_version": server_version(),
    }


def phase_export_ours(args) -> dict:
    client = logged_in_client()
    before = peak_rss_mb()
    started = time.perf_counter()
    response = client.get(EXPORT_URL)
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    elapsed = time.perf_counter() - started
    return {
        "status": response.status_code,
        "bytes": size,
        "lines": lines,
        "seconds": elapsed,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def phase_export_copy(args) -> dict:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # psycopg 3
    started = time.perf_counter()
    size = lines = 0
    with raw.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        for block in copy:
            size += len(block)
            lines += bytes(block).count(b"\n")
    elapsed = time.perf_counter() - started
    return {"bytes": size, "lines": lines, "seconds": elapsed, "peak_rss_mb": peak_rss_mb()}


def phase_export_import_export(args) -> dict:
    from import_export import fields, resources

    from projects.models import Disbursement

    class DisbursementResource(resources.ModelResource):
        project_code = fields.Field(attribute="project__code", column_name="project code")
        project_name = fields.Field(attribute="project__name", column_name="project")
        source = fields.Field(attribute="funding__get_source_display", column_name="source")
        year = fields.Field(attribute="funding__year", column_name="year")
        body = fields.Field(attribute="project__responsible_body", column_name="body")

        class Meta:
            model = Disbursement
            fields = (
                "paid_on",
                "project_code",
                "project_name",
                "source",
                "year",
                "amount",
                "payee",
                "voucher_number",
                "body",
                "notes",
            )
            export_order = fields

    queryset = Disbursement.objects.select_related(
        "project__responsible_body__batch", "funding"
    ).order_by("-paid_on", "-pk")[: args.rows]
    before = peak_rss_mb()
    started = time.perf_counter()
    text = DisbursementResource().export(queryset=queryset).csv
    elapsed = time.perf_counter() - started
    return {
        "rows": args.rows,
        "bytes": len(text.encode()),
        "lines": text.count("\n"),
        "seconds": elapsed,
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def _timed(client, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def phase_lists(args) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in_client()
    results = []
    for page in json.loads(args.pages):
        row = {"name": page["name"]}
        for side in ("ours", "admin"):
            url = page[side]
            response = client.get(url)
            html = response.content.decode()
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries = len(captured)  # now: the next request's start clears the log it reads
            _timed(client, url, args.warmup)
            times = sorted(_timed(client, url, args.requests))
            row[side] = {
                "url": url,
                "status": response.status_code,
                "rows": rows_shown(html, admin=side == "admin"),
                "queries": queries,
                "p50_ms": statistics.median(times),
                "p95_ms": times[max(0, round(0.95 * len(times)) - 1)],
            }
        results.append(row)
    return {"pages": results}


def _median_ms(function: Callable[[], Any], runs: int) -> float:
    function()  # warm: connection, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def phase_summary(args) -> dict:
    from django.db import connection
    from django.utils import timezone

    from summary.selectors import ledger_summary

    counts = table_counts()
    largest = max(counts, key=counts.get)

    def count_largest():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(largest)}")  # noqa: S608
            return cursor.fetchone()[0]

    today = timezone.localdate()
    return {
        "largest_table": largest,
        "largest_rows": counts[largest],
        "summary_ms": _median_ms(lambda: ledger_summary(as_of=today), args.runs),
        "count_ms": _median_ms(count_largest, args.runs),
    }


PHASES = {
    "setup": phase_setup,
    "export_ours": phase_export_ours,
    "export_copy": phase_export_copy,
    "export_import_export": phase_export_import_export,
    "lists": phase_lists,
    "summary": phase_summary,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=sorted(PHASES))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pages", default="[]", help="JSON list of pages (from setup)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    django.setup()
    result = PHASES[args.phase](args)
    sys.stdout.write(json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
