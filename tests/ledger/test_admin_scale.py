"""The admin on a big ledger: no count of the whole table beside a filtered list, and no
filter that lists thousands of records on every page."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.admin import LedgerAdmin
from pairings.models import UnitKind, UnitSide
from tests.factories import (
    DisbursementFactory,
    OutletFactory,
    ProgrammeFactory,
    SaleFactory,
    UnitFactory,
)

MANY = 80


def test_every_ledger_admin_skips_the_full_table_count():
    admins = [ma for ma in admin.site._registry.values() if isinstance(ma, LedgerAdmin)]
    assert admins
    assert not [type(ma).__name__ for ma in admins if ma.show_full_result_count]


def test_filtered_changelist_counts_once(admin_client):
    for _ in range(3):
        DisbursementFactory()
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(
            "/admin/projects/disbursement/", {"project__sector__exact": "agriculture"}
        )
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(")]
    assert len(counts) == 1


def filter_links(html: str) -> int:
    """How many choices the changelist's filter panel offers."""
    panel = re.search(r'<nav id="changelist-filter".*?</nav>', html, re.S)
    return panel.group(0).count("<li") if panel else 0


@pytest.mark.parametrize("model", ["project", "sale"])
def test_changelist_filters_do_not_list_thousands(admin_client, model):
    programme = ProgrammeFactory()
    UnitFactory.create_batch(
        MANY, programme=programme, side=UnitSide.HELPED, kind=UnitKind.TOWNSHIP
    )
    for outlet in OutletFactory.create_batch(MANY):
        SaleFactory(outlet=outlet)
    response = admin_client.get(f"/admin/projects/{model}/")
    assert response.status_code == 200
    assert filter_links(response.content.decode()) < MANY
