"""Crafted URLs never crash a page: every list (and its CSV and XLSX exports), the dashboard
and its exports, every record page and every lookup answers 200, 400, 404 or a redirect to
hostile values of every parameter it reads: numbers too big for the database, negative ones,
NUL bytes (which PostgreSQL refuses in a query), 10,000 characters, the wrong type, and dates
at the ends of the calendar. Runs on SQLite and PostgreSQL alike.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ledger import lookups
from ledger.listing import LedgerListView
from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    IndicatorFactory,
    MemberFactory,
    MentorshipFactory,
    PairingFactory,
    ProjectFactory,
    SaleFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = [
    "99999999999999999999",
    "-1",
    "-99999999999999999999",
    "\x00",
    "1\x002",
    "x" * 10_000,
    "not-a-number",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
]
COMMON = ["page", "sort", "per_page", "q", "as_of"]
FINE = {200, 301, 302, 400, 403, 404}


def patterns(resolver=None, prefix=""):
    """(route, pattern) of every URL pattern, depth first."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if "admin" in str(entry.pattern):
                continue
            yield from patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def list_pages() -> list[tuple[str, list[str]]]:
    pages = []
    for _route, entry in patterns():
        view_class = getattr(entry.callback, "view_class", None)
        if view_class and issubclass(view_class, LedgerListView):
            filters = list(view_class.filterset_class.base_filters)
            pages.append((reverse(entry.name), filters))
    return pages


def record_routes() -> list[str]:
    return [route for route, _entry in patterns() if "<int:pk>" in route or "<int:" in route]


@pytest.fixture
def ledger():
    project = ProjectFactory()
    funding = FundingFactory(project=project)
    DisbursementFactory(funding=funding, paid_on=datetime.date(2024, 3, 1))
    IndicatorFactory(project=project)
    SaleFactory()
    pairing = PairingFactory()
    ExchangeFactory()
    MentorshipFactory()
    MemberFactory()
    return pairing


def crashes(client, url: str, names: list[str]) -> list[str]:
    found = []
    for name in names:
        for value in HOSTILE:
            response = client.get(url, {name: value})
            if response.status_code not in FINE:
                found.append(f"{url}?{name}={value[:24]!r} → {response.status_code}")
    return found


# One test per page, so that the walk's thousands of requests spread over the test workers.
LIST_PAGES = list_pages()
LOOKUPS = sorted(lookups._registry)


def test_the_walk_covers_every_list_with_its_exports():
    assert len(LIST_PAGES) >= 3 * 9  # every list, its CSV and its XLSX


@pytest.mark.parametrize(("url", "filters"), LIST_PAGES, ids=[url for url, _ in LIST_PAGES])
def test_no_crafted_value_crashes_a_list(client, viewer, ledger, url, filters):
    client.force_login(viewer)
    client.raise_request_exception = False
    assert crashes(client, url, [*filters, *COMMON]) == []


@pytest.mark.parametrize("name", ["home", "summary-export", "summary-export-xlsx"])
def test_no_crafted_value_crashes_the_summary(client, viewer, ledger, name):
    client.force_login(viewer)
    client.raise_request_exception = False
    assert crashes(client, reverse(name), ["as_of", "batch", "body", "page", "q"]) == []


def test_no_crafted_value_crashes_a_lookup(client, viewer, ledger):
    client.force_login(viewer)
    client.raise_request_exception = False
    found = []
    for name in LOOKUPS:
        found += crashes(client, reverse("lookup", args=[name]), ["q", "page"])
    found += crashes(client, "/lookup/x/", ["q"])
    assert found == []


def test_no_crafted_id_crashes_a_record_page(client, viewer, ledger):
    client.force_login(viewer)
    client.raise_request_exception = False
    found = []
    routes = record_routes()
    assert len(routes) >= 5
    for route in routes:
        for value in ("99999999999999999999", "9223372036854775808", "0"):
            url = "/" + route.replace("<int:pk>", value).replace("<slug:record_type>", "x")
            url = url.split("<")[0] if "<" in url else url
            response = client.get(url)
            if response.status_code not in FINE:
                found.append(f"{url} → {response.status_code}")
    assert found == []


def test_a_date_beyond_the_calendar_the_ledger_keeps_is_refused_with_a_message(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("home"), {"as_of": "9999-12-31"})
    assert response.status_code == 200
    assert "2200" in response.content.decode()
    response = client.get(reverse("pairings"), {"active_on": "0001-01-01"})
    assert response.status_code == 200
    assert "1900" in response.content.decode()


def test_a_page_number_past_any_list_shows_the_last_page(client, viewer, ledger):
    client.force_login(viewer)
    response = client.get(reverse("changes"), {"page": "99999999999999999999"})
    assert response.status_code == 200
