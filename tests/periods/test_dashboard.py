"""The dashboard: a period as reported beside the ledger as now, changed figures marked with a
link to the changes since; the banner of what is due; the demo's reporting cycle."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from periods import services
from periods.models import Period, Snapshot, Status, Transition
from summary.quality import Finding
from tests.factories import DisbursementFactory, FundingFactory

pytestmark = pytest.mark.django_db


def test_a_figure_changed_after_a_reopen_is_marked(client, ledger_admin, programme, group_a):
    funding = FundingFactory(project__responsible_body=group_a, amount=Decimal("1000.00"))
    paid = DisbursementFactory(funding=funding, paid_on=datetime.date(2024, 9, 10))
    period = services.period_for("2024-09", programme=programme)
    period = services.transition(period, "submit", user=ledger_admin)
    period = services.transition(period, "approve", user=ledger_admin)
    first = Snapshot.objects.get()
    period = services.transition(period, "reopen", user=ledger_admin, reason="金额录错")
    paid.amount = Decimal("250.00")
    paid.save()
    period = services.transition(period, "submit", user=ledger_admin)
    services.transition(period, "approve", user=ledger_admin)

    client.force_login(ledger_admin)
    response = client.get(f"/?as_of=2024-09-30&reported={first.pk}")
    assert response.status_code == 200
    comparison = response.context["comparison"]
    disbursed = next(row for row in comparison.headlines if row.key == "funds.disbursed")
    assert (disbursed.reported, disbursed.now, disbursed.changed) == ("1000.00", "250.00", True)
    assert not next(row for row in comparison.headlines if row.key == "pairings.total").changed
    assert "/changes/?since=" in comparison.changes_url
    assert comparison.changes_url in response.content.decode().replace("&amp;", "&")
    # The second approval reported the corrected figure: nothing differs from it.
    second = Snapshot.objects.latest("approved_at")
    assert client.get(f"/?reported={second.pk}").context["comparison"].changed == 0


@pytest.mark.parametrize(("value", "status"), [("abc", 400), ("9" * 40, 400), ("999", 404)])
def test_a_bad_reported_parameter_is_refused(client, viewer, value, status):
    client.force_login(viewer)
    assert client.get(f"/?reported={value}").status_code == status


def test_the_banner_shows_due_periods_to_a_ledger_admin(client, ledger_admin, programme):
    services.period_for("2020-01", programme=programme)  # long due, never submitted
    client.force_login(ledger_admin)
    banner = client.get("/").context["banner"]
    assert any(getattr(item, "code", item) == "2020-01" for item in banner.due)


def test_the_banner_shows_an_editor_their_groups_findings(
    client, editor_a, group_a, programme, monkeypatch
):
    services.period_for("2020-01", programme=programme)
    asked = []

    def findings(*, start, end, body_ids=None):
        asked.append(body_ids)
        return [Finding("x", "缺少实际值的绩效指标", 1, "/projects/indicators/?x=1")]

    monkeypatch.setattr("summary.quality.findings", findings)
    client.force_login(editor_a)
    response = client.get("/")
    assert asked == [[group_a.pk]]
    assert "缺少实际值的绩效指标" in response.content.decode()


def test_a_viewer_without_a_group_gets_no_banner(client, viewer, programme):
    services.period_for("2020-01", programme=programme)
    client.force_login(viewer)
    assert client.get("/").context["banner"] is None


def test_the_demo_has_months_to_september_approved_and_october_open(db):
    call_command("load_demo", stdout=io.StringIO())
    statuses = dict(Period.objects.values_list("first_day", "status"))
    assert statuses[datetime.date(2024, 9, 1)] == Status.APPROVED
    assert statuses[datetime.date(2024, 1, 1)] == Status.APPROVED
    assert statuses[datetime.date(2024, 10, 1)] == Status.OPEN
    assert Snapshot.objects.count() == 9
    counts = (Period.objects.count(), Transition.objects.count(), Snapshot.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Period.objects.count(), Transition.objects.count(), Snapshot.objects.count()) == counts


def test_an_approval_that_names_no_one_shows_on_the_pages(client, viewer, programme):
    """The demo's approvals (and an operator's without --user) record no approver."""
    period = services.period_for("2024-09", programme=programme)
    services.transition(services.transition(period, "submit", user=None), "approve", user=None)
    client.force_login(viewer)
    snapshot = Snapshot.objects.get()
    assert client.get(f"/?reported={snapshot.pk}").status_code == 200
    assert client.get("/periods/2024-09/").status_code == 200
