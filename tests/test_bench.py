"""The benchmark's pieces (bench/), on a few rows: it must keep working as the product
changes. No timing here: `make bench` measures, on generated data."""

import datetime

import pytest
from django.test import Client

from bench import measure
from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    InvestmentLeadFactory,
    PairingFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.bench_urls")]


@pytest.fixture
def ledger():
    """A few rows of each list the bench pages through, matching its filters."""
    ExchangeFactory.create_batch(3, date=datetime.date(2024, 3, 1))
    DisbursementFactory.create_batch(3)
    ProjectFactory.create_batch(2, status="planned")
    PairingFactory.create_batch(3)
    InvestmentLeadFactory.create_batch(2, invited_on=datetime.date(2023, 10, 1))
    InvestmentLeadFactory()  # went no further than the first visit


def test_trivial_page_needs_a_login():
    response = Client().get("/bench/trivial/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_trivial_page_answers_the_bench_user():
    client = measure.logged_in_client()
    response = client.get("/bench/trivial/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_bench_user_is_a_superuser():
    user = measure.bench_user()
    assert user.is_superuser
    assert measure.bench_user() == user  # the second run finds the same account


def test_each_list_and_its_admin_twin_show_the_same_filtered_rows(ledger):
    client = measure.logged_in_client()
    pages = measure.list_pages()
    assert [page["name"].split(":")[0] for page in pages] == [
        "exchanges",
        "disbursements",
        "projects",
        "pairings",
        "leads",
    ]
    for page in pages:
        ours, admin = client.get(page["ours"]), client.get(page["admin"])
        assert ours.status_code == admin.status_code == 200, page
        shown = measure.rows_shown(ours.content.decode(), admin=False)
        assert shown > 0, page
        assert measure.rows_shown(admin.content.decode(), admin=True) == shown, page


def test_leads_page_filters_on_a_stage_past_the_first(ledger):
    leads = next(page for page in measure.list_pages() if page["name"].startswith("leads"))
    assert "stage=invited_on" in leads["ours"]
    assert (
        measure.rows_shown(
            measure.logged_in_client().get(leads["admin"]).content.decode(), admin=True
        )
        == 2
    )


def test_an_empty_list_shows_no_rows():
    html = measure.logged_in_client().get("/projects/?status=completed").content.decode()
    assert measure.rows_shown(html, admin=False) == 0


def test_export_phase_streams_every_disbursement(ledger):
    result = measure.phase_export_ours(None)
    assert result["status"] == 200
    assert result["lines"] == 1 + 3  # the header and the rows
    assert result["peak_rss_mb"] > 0


def test_import_export_baseline_exports_the_same_rows(ledger):
    pytest.importorskip("import_export", reason="the `bench` extra is not installed")

    class Args:
        rows = 2

    result = measure.phase_export_import_export(Args)
    assert result["lines"] == 1 + 2


def test_summary_phase_times_the_summary_against_the_largest_table(ledger):
    class Args:
        runs = 1

    result = measure.phase_summary(Args)
    assert result["largest_rows"] > 0
    assert result["summary_ms"] > 0
