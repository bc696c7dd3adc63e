"""manage.py ledger_summary: the summary for scripts (JSON) and as a briefing (text)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.summary.test_summary import Ledger

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ledger_summary", *args, stdout=out)
    return out.getvalue()


def as_json(*args: str) -> dict:
    return json.loads(run("--format", "json", *args))


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


def test_json_has_the_issues_keys_with_integers_and_money_strings(ledger):
    data = as_json("--as-of", "2024-10-09")
    assert data["as_of"] == "2024-10-09"
    assert data["members"]["total"] == 3
    assert set(data["bodies"]) == {"command_post", "party_branch", "working_group"}
    assert data["pairings"]["total"] == 2
    assert set(data["pairings"]["by_category"]) >= {"department", "township", "school", "hospital"}
    assert data["exchanges"]["total"] == 4
    assert data["exchanges"]["by_kind"]["visit"] == 3
    assert data["exchanges"]["hospital_visits"] == 2
    assert data["exchanges"]["new_techniques"] == 3
    assert data["mentorships"] == {"mentors": 2, "mentees": 2, "mentorships": 3}
    assert data["projects"]["total"] == 2
    assert data["projects"]["by_sector"]["agriculture"] == 1
    assert data["funds"]["planned"] == "1500000.00"
    assert data["funds"]["disbursed"] == "300000.01"
    assert data["funds"]["by_source"]["municipal"] == {
        "planned": "1000000.00",
        "disbursed": "300000.01",
    }
    assert data["funds"]["by_sector"]["agriculture"]["planned"] == "1500000.00"
    assert set(data["investment"]) == {
        "visited",
        "invited",
        "leader_visits",
        "intent",
        "signed",
        "registered",
        "registered_capital",
        "planned_investment",
    }
    assert data["investment"]["visited"] == 2
    assert data["investment"]["registered_capital"] == "50000000.00"
    assert data["sales"]["total"] == "150.50"
    for key in ("members", "pairings", "exchanges", "projects"):
        assert type(data[key]["total"]) is int


def test_batch_option_narrows_the_figures(ledger):
    assert as_json("--as-of", "2024-10-09", "--batch", "1")["pairings"]["total"] == 0
    data = as_json("--as-of", "2024-10-09", "--batch", "2")
    assert data["batch"] == 2
    assert data["members"]["by_batch"] == {"2": 3}


def test_body_option_takes_a_name_within_the_batch(ledger):
    data = as_json("--as-of", "2024-10-09", "--batch", "2", "--body", "产业扶持组")
    assert data["body"] == "产业扶持组"
    assert data["pairings"]["total"] == 1


def test_unknown_batch_body_or_date_is_an_error(ledger):
    with pytest.raises(CommandError):
        run("--batch", "9")
    with pytest.raises(CommandError):
        run("--batch", "2", "--body", "没有这个组")
    with pytest.raises(CommandError):
        run("--as-of", "2024-02-30")


def test_text_is_a_chinese_briefing(ledger):
    text = run("--as-of", "2024-10-09", "--format", "text")
    assert text.startswith("截至2024年10月9日")
    assert "1个市级部门、1所医院" in text
    assert "互动交流4场次" in text
    assert "2名队员帮带培养干部人才2人" in text
    assert "注册资金5,000.0万元" in text
