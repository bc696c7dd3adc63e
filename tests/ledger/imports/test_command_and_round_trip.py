"""The import_ledger command, and the demo ledger exported in the import format and imported
into an empty ledger: the same records, counts and sums."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from aidledger.models import Batch, BodyKind, Member, MemberRole
from ledger.fields import money_sum
from ledger.imports.run import run_import
from ledger.imports.specs import specs
from ledger.imports.workbook import export_rows, write_workbook
from pairings.models import Exchange, ExchangePairing, Mentorship, Pairing, Unit
from projects.models import Disbursement, Funding, Indicator, InvestmentLead, Project, Sale
from sampledata.demo import pairings as pairings_demo
from sampledata.demo import projects as projects_demo
from sampledata.demo import team as team_demo
from summary.selectors import as_json, ledger_summary
from tests.factories import UserFactory
from tests.ledger.imports.conftest import EXCHANGE_HEADER, csv_bytes, exchange_rows


def test_command_imports_and_reports(hospital_pairing, tmp_path, capsys):
    path = tmp_path / "交流.csv"
    path.write_bytes(csv_bytes(EXCHANGE_HEADER, exchange_rows(3), encoding="gbk"))
    call_command("import_ledger", "exchanges", str(path), "--dry-run")
    assert Exchange.objects.count() == 0
    call_command("import_ledger", "exchanges", str(path))
    assert Exchange.objects.count() == 3
    assert "3" in capsys.readouterr().out


def test_command_fails_with_the_error_report(hospital_pairing, tmp_path, capsys):
    path = tmp_path / "交流.csv"
    path.write_bytes(csv_bytes(EXCHANGE_HEADER, exchange_rows(10, bad_row=7)))
    with pytest.raises(CommandError):
        call_command("import_ledger", "exchanges", str(path))
    assert "2024/2/30" in capsys.readouterr().err
    assert Exchange.objects.count() == 0


def test_command_exit_status_is_non_zero_on_failure(hospital_pairing, tmp_path):
    import subprocess
    import sys

    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_ledger", "exchanges", str(path))
    # Through manage.py a CommandError is exit status 1.
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_ledger", "exchanges", "/nonexistent.csv"],
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 1


def test_command_as_a_user_keeps_to_their_groups(hospital_pairing, tmp_path, editor_b):
    path = tmp_path / "交流.csv"
    path.write_bytes(csv_bytes(EXCHANGE_HEADER, exchange_rows(2)))
    with pytest.raises(CommandError):
        call_command("import_ledger", "exchanges", str(path), "--user", editor_b.username)
    assert Exchange.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("import_ledger", "exchanges", str(path), "--user", "nobody")


def test_command_with_a_user_names_it_in_the_history_of_what_it_wrote(
    hospital_pairing, tmp_path, editor_a
):
    path = tmp_path / "交流.csv"
    path.write_bytes(csv_bytes(EXCHANGE_HEADER, exchange_rows(3)))
    call_command("import_ledger", "exchanges", str(path), "--user", editor_a.username)
    assert [row.history_user for row in Exchange.history.all()] == [editor_a] * 3
    assert [row.history_user for row in ExchangePairing.history.all()] == [editor_a] * 3
    # The account is named for the import only: a later save outside it names no one.
    exchange = Exchange.objects.first()
    exchange.title = "改过的标题"
    exchange.save()
    assert exchange.history.latest().history_user is None


def test_command_without_a_user_names_no_one(hospital_pairing, tmp_path):
    path = tmp_path / "交流.csv"
    path.write_bytes(csv_bytes(EXCHANGE_HEADER, exchange_rows(2)))
    call_command("import_ledger", "exchanges", str(path))
    assert [row.history_user for row in Exchange.history.all()] == [None, None]


# Round trip --------------------------------------------------------------------------------

REPORT_DAY = datetime.date(2024, 10, 9)  # the report the demo ledger tells

# The order a new deployment imports its sheets in: what a row refers to comes first.
ORDER = [
    "members",
    "units",
    "pairings",
    "exchanges",
    "mentorships",
    "projects",
    "funding",
    "disbursements",
    "indicators",
    "leads",
    "sales",
]


def test_the_apps_register_their_ledgers_in_the_order_they_are_imported():
    # Each app's imports.py is found at start-up in INSTALLED_APPS order (the team, the
    # pairings, the projects), so the registry lists the ledgers as a deployment imports them;
    # the tests' example ledger (tests/settings.py) is installed last.
    assert list(specs()) == [*ORDER, "trainings"]


def summaries() -> list[dict]:
    """What the leaders read: `ledger_summary --as-of` (its JSON) on the report's day and
    today, for the whole ledger and for each working group of the second batch (a group's
    members and mentors are counted by the members' roles in it)."""
    second = Batch.objects.get(number=2)
    groups = second.bodies.filter(kind=BodyKind.WORKING_GROUP).order_by("pk")
    scopes = [{}, *({"batch": second, "body": body} for body in groups)]
    return [
        as_json(ledger_summary(as_of=day, **scope))
        for day in (REPORT_DAY, timezone.localdate())
        for scope in scopes
    ]


def figures() -> dict:
    """The summary's raw material (counts per ledger and every money sum), and the summary."""
    return {
        "summaries": summaries(),
        "members": Member.objects.count(),
        "roles": sorted(MemberRole.objects.values_list("member__name", "body__name", "role")),
        "units": Unit.objects.count(),
        "pairings by category": sorted(Pairing.objects.values_list("category", flat=True)),
        "exchanges": Exchange.objects.count(),
        "exchange links": ExchangePairing.objects.count(),
        "new techniques": sum(Exchange.objects.values_list("new_techniques", flat=True)),
        "mentorships": Mentorship.objects.count(),
        "mentors": Mentorship.objects.values("mentor").distinct().count(),
        "projects": Project.objects.count(),
        "funding lines": Funding.objects.count(),
        "planned": Funding.objects.aggregate(total=money_sum("amount"))["total"],
        "disbursements": Disbursement.objects.count(),
        "disbursed": Disbursement.objects.aggregate(total=money_sum("amount"))["total"],
        "indicators": sorted(Indicator.objects.values_list("name", "target", "actual")),
        "leads": InvestmentLead.objects.count(),
        "registered capital": InvestmentLead.objects.aggregate(
            total=money_sum("registered_capital")
        )["total"],
        "sales": Sale.objects.count(),
        "sold": Sale.objects.aggregate(total=money_sum("amount"))["total"],
    }


def empty_the_ledger() -> None:
    """Everything the imports bring back; the team's structure (programme, batches, bodies),
    segments and outlets stay, as on a new deployment set up by its ledger admin."""
    for model in (Sale, InvestmentLead, Indicator, Disbursement, Funding, Project):
        model.objects.all().delete()
    for model in (Mentorship, Exchange, Pairing, Unit):
        model.objects.all().delete()
    Batch.objects.update(leader=None)
    Member.objects.all().delete()


@pytest.mark.django_db
def test_demo_ledger_round_trips_through_its_import_files():
    team_demo.load()
    pairings_demo.load()
    projects_demo.load()
    before = figures()
    assert before["planned"] > Decimal(0)
    files = {}
    for name in ORDER:
        output = io.BytesIO()
        write_workbook(specs()[name], export_rows(specs()[name]), output=output)
        files[name] = output.getvalue()

    empty_the_ledger()
    assert figures()["exchanges"] == 0
    for name in ORDER:
        result = run_import(specs()[name], files[name], user=UserFactory(is_superuser=True))
        assert result.ok, f"{name}: {result.report()}"
        assert result.count("new") > 0
    assert figures() == before

    # Importing the same files again changes nothing.
    for name in ORDER:
        result = run_import(specs()[name], files[name])
        assert result.counts["new"] == result.counts["updated"] == 0, name
