"""Probe the five representative list pages against a tuned plain Django admin changelist.

    DATABASE_URL=postgres://…/lists_dev .venv/bin/python bench/lists_probe.py [--runs 20]
        [--per-page 100] [--explain]

Reads the ledger already in DATABASE_URL (changes nothing but a probe superuser). For each
page: p50/p95 server time through Django's test client (logged in as a superuser; middleware
and template rendering included) and the number of SQL queries, next to the same model, filter
and page size in a plain ModelAdmin with `show_full_result_count=False` and
`list_select_related`, on a throwaway AdminSite. A quick probe for development, not the bench.
"""

import argparse
import os
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aidledger.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def probe_urls(per_page: int) -> types.ModuleType:
    """The site's URLs plus a tuned plain admin of the five models at /probe-admin/."""
    from django.contrib import admin
    from django.urls import path

    from aidledger import urls as site_urls
    from pairings.models import Exchange, Pairing
    from projects.models import Disbursement, InvestmentLead, Project

    site = admin.AdminSite(name="probe_admin")

    class Tuned(admin.ModelAdmin):
        show_full_result_count = False
        list_per_page = per_page

    site.register(
        Exchange,
        type(
            "ExchangeProbe",
            (Tuned,),
            {
                "list_display": ["date", "title", "kind", "place", "participants", "lead_body"],
                "list_filter": ["lead_body__batch", "date"],
                "list_select_related": ["lead_body__batch"],
            },
        ),
    )
    site.register(
        Disbursement,
        type(
            "DisbursementProbe",
            (Tuned,),
            {
                "list_display": ["paid_on", "project", "funding", "amount", "payee"],
                "list_filter": ["project__sector"],
                "list_select_related": ["project", "funding__project"],
            },
        ),
    )
    site.register(
        Project,
        type(
            "ProjectProbe",
            (Tuned,),
            {
                "list_display": [
                    *("code", "name", "sector", "status", "responsible_body", "township")
                ],
                "list_filter": ["status"],
                "list_select_related": ["responsible_body__batch", "township"],
            },
        ),
    )
    site.register(
        Pairing,
        type(
            "PairingProbe",
            (Tuned,),
            {
                "list_display": ["helper", "helped", "category", "signed_on", "status"],
                "list_filter": ["category"],
                "list_select_related": ["helper", "helped", "responsible_body__batch"],
            },
        ),
    )
    site.register(
        InvestmentLead,
        type(
            "LeadProbe",
            (Tuned,),
            {
                "list_display": ["company", "city", "industry", "segment", "signed_on"],
                "list_filter": [("signed_on", admin.EmptyFieldListFilter)],
                "list_select_related": ["segment"],
            },
        ),
    )
    module = types.ModuleType("lists_probe_urls")
    module.urlpatterns = [path("probe-admin/", site.urls), *site_urls.urlpatterns]
    sys.modules[module.__name__] = module
    return module


def pages(per_page: int) -> list[tuple[str, str, str]]:
    """(name, our page, the tuned admin's page) of the five representative lists."""
    from django.db.models import Count

    from aidledger.models import Batch

    # The batch whose bodies lead the most exchanges: a page with rows to show.
    batch = (
        Batch.objects.annotate(exchanges=Count("bodies__exchanges"))
        .order_by("-exchanges")
        .first()
        .pk
    )
    ours = f"per_page={per_page}"
    return [
        (
            "exchanges of a batch in 2022",
            f"/pairings/exchanges/?batch={batch}&date_from=2022-01-01&date_to=2022-12-31&{ours}",
            f"/probe-admin/pairings/exchange/?lead_body__batch__id__exact={batch}"
            "&date__gte=2022-01-01&date__lt=2023-01-01",
        ),
        (
            "disbursements of a sector",
            f"/projects/disbursements/?sector=agriculture&{ours}",
            "/probe-admin/projects/disbursement/?project__sector__exact=agriculture",
        ),
        (
            "projects by status",
            f"/projects/?status=in_progress&{ours}",
            "/probe-admin/projects/project/?status__exact=in_progress",
        ),
        (
            "pairings by category",
            f"/pairings/?category=school&{ours}",
            "/probe-admin/pairings/pairing/?category__exact=school",
        ),
        (
            "leads by stage",
            f"/projects/leads/?stage=signed_on&{ours}",
            "/probe-admin/projects/investmentlead/?signed_on__isempty=0",
        ),
    ]


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: status {response.status_code}")
    count = len(queries)  # now: each request clears the connection's query log
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, count


def explain(client, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    with connection.cursor() as cursor:
        for query in queries:
            if query["sql"].startswith(("SAVEPOINT", "RELEASE")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
            print(f"-- {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
            print("\n".join(plan[:25]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    parser.add_argument("--only", default="", help="pages whose name contains this")
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    user, _created = get_user_model().objects.get_or_create(
        username="lists-probe", defaults={"is_staff": True, "is_superuser": True}
    )
    module = probe_urls(args.per_page)
    with override_settings(ROOT_URLCONF=module.__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        head = f"{'ours p50/p95 ms':>18} {'q':>3}  {'admin p50/p95 ms':>18} {'q':>3}"
        print(f"{'page':32} {head}  p95 ratio")
        for name, ours, theirs in pages(args.per_page):
            if args.only not in name:
                continue
            if args.explain:
                print(f"=== {name}: ours"), explain(client, ours)
                print(f"=== {name}: admin"), explain(client, theirs)
                continue
            o50, o95, oq = measure(client, ours, args.runs)
            a50, a95, aq = measure(client, theirs, args.runs)
            ours_cell = f"{o50:8.1f} /{o95:8.1f} {oq:3}"
            print(f"{name:32} {ours_cell}  {a50:8.1f} /{a95:8.1f} {aq:3}  {o95 / a95:.2f}")


if __name__ == "__main__":
    main()
