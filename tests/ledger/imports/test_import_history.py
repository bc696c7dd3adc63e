"""Issue 18, item 8: an import shows in the recent changes once per record, marked as an
import naming its file; an exchange's pairing links written with it are part of that entry."""

import pytest

from ledger.history import history_model
from ledger.imports.run import run_import
from ledger.imports.specs import specs
from pairings.models import Exchange
from tests.factories import UserFactory
from tests.ledger.imports.conftest import EXCHANGE_HEADER, csv_bytes, exchange_rows

pytestmark = pytest.mark.django_db


def change_rows(client) -> list[dict]:
    return [obj for obj, _cells in client.get("/changes/").context["table"]]


def test_an_imported_exchange_shows_once_marked_with_its_file(client_logged_in, hospital_pairing):
    clerk = UserFactory(is_superuser=True, first_name="王芳")
    data = csv_bytes(EXCHANGE_HEADER, exchange_rows(2))
    result = run_import(specs()["exchanges"], data, filename="三月交流.csv", user=clerk)
    assert result.ok, result.report()
    shown = [row for row in change_rows(client_logged_in) if "exchange" in row["model"]]
    assert sorted(row["model"] for row in shown) == ["pairings.exchange"] * 2
    assert {row["action_label"] for row in shown} == {"导入（三月交流.csv）"}
    assert all(row["user_name"] == "王芳" for row in shown)
    # The new record's main fields, its pairing among them, instead of "—".
    assert any("主题：医院交流01" in item for row in shown for item in row["changes"])


def test_the_import_marks_every_row_of_its_file_in_the_history(hospital_pairing):
    data = csv_bytes(EXCHANGE_HEADER, exchange_rows(1))
    run_import(specs()["exchanges"], data, filename="x" * 150 + ".csv")
    reason = history_model(Exchange).objects.get().history_change_reason
    assert reason.startswith("import:")
    assert len(reason) <= 100
