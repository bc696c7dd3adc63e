"""The issue's "done means": the demo ledger's summary on the report's day gives the report's
figures, and an earlier day gives fewer, consistently with the records' dates."""

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_ledger):
    """The shared demo ledger (tests/conftest.py), loaded once for the module."""


def summary(*args: str) -> dict:
    out = io.StringIO()
    call_command("ledger_summary", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_reports_figures_on_the_reports_day(demo):
    data = summary("--as-of", "2024-10-09", "--format", "json")
    assert data["pairings"]["by_category"] == {
        "department": 21,
        "township": 28,
        "school": 4,
        "hospital": 3,
        "enterprise": 0,
        "association": 0,
        "other": 0,
    }
    assert data["pairings"]["total"] == 56
    assert data["exchanges"]["total"] == 31
    assert data["exchanges"]["hospital_visits"] == 22
    assert data["exchanges"]["new_techniques"] == 3
    assert (data["mentorships"]["mentors"], data["mentorships"]["mentees"]) == (30, 54)
    assert data["members"]["by_batch"]["2"] == 30
    assert data["bodies"] == {"command_post": 1, "party_branch": 1, "working_group": 3}
    investment = data["investment"]
    assert (investment["visited"], investment["invited"]) == (38, 7)
    assert (investment["leader_visits"], investment["intent"]) == (3, 3)
    assert investment["registered_capital"] == "70600000.00"
    projects = {item["name"]: item for item in data["funds"]["by_project"].values()}
    assert projects["优质肉牛全产业链"]["planned"] == "10000000.00"
    assert projects["教学设施改善提升工程"]["planned"] == "1800000.00"
    # The dashboard's table of the largest plans holds every project of a team's ledger.
    assert len(data["funds"]["by_project"]) == data["funds"]["projects_planned"]
    assert len(data["indicators"]) == data["indicators_total"]


def test_the_second_batch_alone_gives_the_same_figures(demo):
    everything = summary("--as-of", "2024-10-09")
    second = summary("--as-of", "2024-10-09", "--batch", "2")
    assert second["batch"] == 2
    assert second["members"]["by_batch"] == {"2": 30}
    for key in ("pairings", "exchanges", "mentorships", "projects", "funds", "investment", "sales"):
        assert second[key] == everything[key], key


def test_an_earlier_day_counts_only_what_was_recorded_by_then(demo):
    before = summary("--as-of", "2023-06-30")
    assert before["pairings"]["total"] == 0
    assert before["exchanges"]["total"] == 0
    assert before["mentorships"]["mentees"] == 0
    assert before["funds"]["disbursed"] == "0.00"
    assert before["members"]["total"] == 0  # the second batch leaves in July 2023
    middle = summary("--as-of", "2024-03-31")
    report = summary("--as-of", "2024-10-09")
    for key in ("total", "hospital_visits", "new_techniques"):
        assert before["exchanges"][key] <= middle["exchanges"][key] <= report["exchanges"][key]
    assert 0 < middle["exchanges"]["total"] < 31
    assert middle["investment"]["registered_capital"] == "70600000.00"  # registered in March
    assert float(middle["funds"]["disbursed"]) < float(report["funds"]["disbursed"])


def test_the_briefing_reads_like_the_report(demo):
    out = io.StringIO()
    call_command("ledger_summary", "--as-of", "2024-10-09", "--format", "text", stdout=out)
    text = out.getvalue()
    assert "21个市级部门、28个乡镇（街道）、4所学校、3所医院" in text
    assert "互动交流31场次" in text
    assert "30名队员帮带培养干部人才54人" in text
    assert "互访22次" in text
    assert "引进新技术新项目3项" in text
    assert "注册资金7,060.0万元" in text
