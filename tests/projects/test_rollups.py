"""The money roll-ups: kept by the database on every write path, equal to a recount of the
records (`rebuild_rollups --check`), unchanged by a write that fails, and never losing an
increment to two writers at once."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction

from ledger.imports.run import run_import
from ledger.imports.specs import specs
from ledger.rollups import drift, rebuild
from projects.models import (
    Disbursement,
    DisbursementRollup,
    Funding,
    FundingRollup,
    FundingSource,
    Project,
    ProjectRollup,
    Sector,
)
from projects.rollups import ROLLUPS
from projects.services import record_disbursements
from sampledata.synthetic import generate
from tests.factories import BodyFactory, DisbursementFactory, FundingFactory
from tests.ledger.imports.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def assert_no_drift() -> None:
    drifted = [item for item in drift(ROLLUPS) if item.count]
    assert not drifted, drifted


def paid(month: str, *, source: str, sector: str, body_id: int) -> tuple[int, Decimal] | None:
    row = DisbursementRollup.objects.filter(
        month=datetime.date.fromisoformat(month), source=source, sector=sector, body_id=body_id
    ).first()
    return None if row is None else (row.payments, row.amount)


@pytest.fixture
def line():
    return FundingFactory(amount=Decimal("1000.00"), source=FundingSource.MUNICIPAL)


def test_saving_a_disbursement_adds_it_to_its_line_project_and_month(line):
    DisbursementFactory(funding=line, amount=Decimal("100.10"), paid_on=datetime.date(2024, 3, 9))
    DisbursementFactory(funding=line, amount=Decimal("0.20"), paid_on=datetime.date(2024, 3, 31))

    assert FundingRollup.objects.get(funding=line).disbursed == Decimal("100.30")
    project = ProjectRollup.objects.get(project=line.project)
    assert (project.lines, project.planned) == (1, Decimal("1000.00"))
    assert (project.payments, project.disbursed) == (2, Decimal("100.30"))
    body = line.project.responsible_body_id
    assert paid("2024-03-01", source="municipal", sector="agriculture", body_id=body) == (
        2,
        Decimal("100.30"),
    )
    assert_no_drift()


def test_changing_and_deleting_a_disbursement_moves_its_money(line):
    payment = DisbursementFactory(funding=line, paid_on=datetime.date(2024, 3, 9))
    payment.amount = Decimal("250.00")
    payment.paid_on = datetime.date(2024, 4, 1)
    payment.save()
    body = line.project.responsible_body_id
    assert paid("2024-03-01", source="municipal", sector="agriculture", body_id=body) == (0, 0)
    assert paid("2024-04-01", source="municipal", sector="agriculture", body_id=body) == (
        1,
        Decimal("250.00"),
    )
    payment.delete()
    assert ProjectRollup.objects.get(project=line.project).disbursed == Decimal("0.00")
    assert_no_drift()


def test_bulk_create_update_and_delete_of_querysets_are_counted(line):
    other = FundingFactory(project=line.project, source=FundingSource.DONATION)
    Disbursement.objects.bulk_create(
        Disbursement(
            project=line.project,
            funding=line if n % 2 else other,
            paid_on=datetime.date(2024, 1 + n % 12, 1),
            amount=Decimal("10.01") * (n + 1),
            payee=f"收款单位{n}",
        )
        for n in range(30)
    )
    assert_no_drift()
    Disbursement.objects.filter(funding=other).update(amount=Decimal("1.00"))
    assert_no_drift()
    Disbursement.objects.filter(paid_on__month=5).update(paid_on=datetime.date(2023, 12, 31))
    assert_no_drift()
    Disbursement.objects.filter(funding=line).delete()
    assert FundingRollup.objects.get(funding=line).payments == 0
    assert ProjectRollup.objects.get(project=line.project).payments == 15
    assert_no_drift()


def test_a_project_that_changes_sector_or_group_takes_its_payments_along(line):
    DisbursementFactory(funding=line, amount=Decimal("40.00"), paid_on=datetime.date(2024, 3, 9))
    project, old_body, new_body = line.project, line.project.responsible_body_id, BodyFactory()
    Project.objects.filter(pk=project.pk).update(sector=Sector.HEALTH, responsible_body=new_body)
    assert paid("2024-03-01", source="municipal", sector="agriculture", body_id=old_body) == (0, 0)
    assert paid("2024-03-01", source="municipal", sector="health", body_id=new_body.pk) == (
        1,
        Decimal("40.00"),
    )
    assert_no_drift()


def test_a_line_that_changes_source_or_plan_is_recounted(line):
    DisbursementFactory(funding=line, amount=Decimal("40.00"), paid_on=datetime.date(2024, 3, 9))
    line.source = FundingSource.ENTERPRISE
    line.amount = Decimal("2000.00")
    line.save()
    body = line.project.responsible_body_id
    assert paid("2024-03-01", source="enterprise", sector="agriculture", body_id=body) == (
        1,
        Decimal("40.00"),
    )
    assert ProjectRollup.objects.get(project=line.project).planned == Decimal("2000.00")
    spare = FundingFactory(amount=Decimal("5.00"))
    Funding.objects.filter(pk=spare.pk).update(project=line.project)
    assert ProjectRollup.objects.get(project=line.project).planned == Decimal("2005.00")
    spare.delete()
    assert ProjectRollup.objects.get(project=line.project).lines == 1
    assert_no_drift()


def test_raw_sql_is_counted_too(line):
    DisbursementFactory(funding=line, amount=Decimal("40.00"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_disbursement SET amount = amount * 2")
    assert FundingRollup.objects.get(funding=line).disbursed == Decimal("80.00")
    assert_no_drift()


def test_the_service_and_the_importer_are_counted(group_a):
    funding = FundingFactory(
        project__code="NY-2023-01", project__responsible_body=group_a, amount=Decimal("1000.00")
    )
    record_disbursements(
        saving=[
            Disbursement(
                project=funding.project,
                funding=funding,
                paid_on=datetime.date(2024, 5, 3),
                amount=Decimal("120.00"),
                payee="甲合作社",
            )
        ]
    )
    header = ["帮扶项目", "funding_source", "funding_year", "拨付日期", "金额（元）", "收款单位"]
    rows = [
        ["NY-2023-01", "市级财政", "2024", "2024-5-1", "300.00", "乙合作社"],
        ["NY-2023-01", "市级财政", "2024", "2024-6-2", "0.01", "丙合作社"],
    ]
    result = run_import(specs()["disbursements"], csv_bytes(header, rows))
    assert result.ok, result.report()
    assert FundingRollup.objects.get(funding=funding).disbursed == Decimal("420.01")
    assert_no_drift()


def test_a_generated_ledger_is_counted():
    generate(programmes=1, years=1, seed=3, size=0.05)
    assert Disbursement.objects.count() > 100
    assert ProjectRollup.objects.exists()
    assert_no_drift()


def test_a_write_that_fails_after_the_record_leaves_records_and_rollups_unchanged(line):
    DisbursementFactory(funding=line, amount=Decimal("40.00"))
    before = {rollup.model: rollup.stored() for rollup in ROLLUPS}

    def save_then_fail() -> None:
        with transaction.atomic():
            DisbursementFactory(funding=line, amount=Decimal("60.00"))
            # The save's next write breaks a constraint: the whole save is undone.
            Funding.objects.filter(pk=line.pk).update(amount=Decimal("-1.00"))

    with pytest.raises(IntegrityError):
        save_then_fail()
    assert Disbursement.objects.count() == 1
    assert {rollup.model: rollup.stored() for rollup in ROLLUPS} == before
    assert_no_drift()


def test_rebuild_rollups_check_reports_drift_and_rebuild_puts_it_right(line):
    DisbursementFactory(funding=line, amount=Decimal("40.00"))
    ProjectRollup.objects.filter(project=line.project).update(disbursed=Decimal("41.00"))
    FundingRollup.objects.all().delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 rows"):
        call_command("rebuild_rollups", "--check", stdout=out)
    assert "fundingrollup: 1 rows drifted (1 missing" in out.getvalue()
    assert "projectrollup: 1 rows drifted (0 missing, 0 extra, 1 different)" in out.getvalue()
    call_command("rebuild_rollups", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    assert "The roll-ups match the records." in out.getvalue()
    assert ProjectRollup.objects.get(project=line.project).disbursed == Decimal("40.00")


def test_the_demo_ledger_has_no_drift(demo_ledger):
    assert DisbursementRollup.objects.exists()
    out = io.StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    assert "The roll-ups match the records." in out.getvalue()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_from_one_line_all_count():
    line = FundingFactory(amount=Decimal("1000000.00"))
    writers, per_writer = 4, 10
    start = threading.Barrier(writers)
    errors = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                # Saved directly, not through the service: no lock on the line, so only the
                # roll-up's own upsert stands between the writers.
                with transaction.atomic():
                    Disbursement.objects.create(
                        project_id=line.project_id,
                        funding=line,
                        paid_on=datetime.date(2024, 3, 1 + i),
                        amount=Decimal("1.01"),
                        payee=f"收款单位{n}-{i}",
                    )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rollup = FundingRollup.objects.get(funding=line)
    assert rollup.payments == writers * per_writer
    assert rollup.disbursed == Decimal("1.01") * writers * per_writer
    assert_no_drift()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_payment_written_while_rebuilding_is_not_lost():
    """A payment whose transaction is open when `rebuild_rollups` starts: the rebuild waits
    for it, so its increment is neither counted twice nor deleted with the old roll-up."""
    line = FundingFactory(amount=Decimal("1000000.00"))
    paid, go_on = threading.Event(), threading.Event()
    errors = []

    def write() -> None:
        try:
            with transaction.atomic():
                Disbursement.objects.create(
                    project_id=line.project_id,
                    funding=line,
                    paid_on=datetime.date(2024, 3, 1),
                    amount=Decimal("2.02"),
                    payee="重建时的收款单位",
                )
                paid.set()
                go_on.wait(timeout=10)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    assert paid.wait(timeout=10)
    rebuilder = threading.Thread(target=lambda: (rebuild(ROLLUPS), connections.close_all()))
    rebuilder.start()
    rebuilder.join(timeout=1)  # the rebuild waits for the open payment
    go_on.set()
    writer.join()
    rebuilder.join()
    assert not errors
    rollup = FundingRollup.objects.get(funding=line)
    assert (rollup.payments, rollup.disbursed) == (1, Decimal("2.02"))
    assert_no_drift()
