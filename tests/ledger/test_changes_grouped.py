"""Issue 18, item 8: the recent changes show what a new record holds, one entry per save (an
exchange saved with its pairing links is one entry), and a project's history shows the
money added to it."""

import datetime
from decimal import Decimal

import pytest

from ledger import history
from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    PairingFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def change_rows(client, **params) -> list[dict]:
    return [obj for obj, _cells in client.get("/changes/", params).context["table"]]


def test_a_new_record_shows_its_main_fields(client_logged_in):
    ProjectFactory(name="优质肉牛全产业链", code="NY-2023-01")
    added = [row for row in change_rows(client_logged_in) if row["model"] == "projects.project"]
    assert len(added) == 1
    assert "名称：优质肉牛全产业链" in added[0]["changes"]
    assert "编号：NY-2023-01" in added[0]["changes"]


def test_an_exchange_saved_with_its_links_is_one_entry(client_logged_in):
    pairing = PairingFactory()
    with history.change_set("save:test"):
        ExchangeFactory(title="医院管理交流", pairings=[pairing])
    models = [row["model"] for row in change_rows(client_logged_in)]
    assert models.count("pairings.exchange") == 1
    assert "pairings.exchangepairing" not in models


def test_a_link_added_later_is_its_own_entry(client_logged_in):
    exchange = ExchangeFactory(title="医院管理交流", pairings=[])
    with history.change_set("save:later"):
        exchange.links.create(pairing=PairingFactory())
    models = [row["model"] for row in change_rows(client_logged_in)]
    assert models.count("pairings.exchangepairing") == 1


def test_a_projects_history_shows_its_funding_and_payments(client_logged_in):
    project = ProjectFactory(name="优质肉牛全产业链")
    line = FundingFactory(project=project, amount=Decimal("1000000.00"))
    DisbursementFactory(
        funding=line, amount=Decimal("250000.00"), paid_on=datetime.date(2024, 3, 1)
    )
    html = client_logged_in.get(project.get_absolute_url()).content.decode()
    assert "250,000.00" in html
    assert "1,000,000.00" in html
    subjects = {change.subject for change in history.record_changes(project)}
    assert any(subject.startswith("资金拨付") for subject in subjects), subjects
    assert any(subject.startswith("资金安排") for subject in subjects), subjects
