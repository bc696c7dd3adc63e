"""A funding line is never overdrawn: the rule, its message, and two clerks at once."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from projects.models import Disbursement, Funding
from projects.selectors import disbursed_total
from projects.services import record_disbursement, record_disbursements
from tests.factories import DisbursementFactory, FundingFactory, ProjectFactory

D = datetime.date


def new_disbursement(funding, amount: str, **fields) -> Disbursement:
    return Disbursement(
        funding=funding, paid_on=D(2024, 5, 1), amount=Decimal(amount), payee="收款单位", **fields
    )


@pytest.mark.django_db
def test_disbursement_within_plan_is_saved_with_its_project():
    funding = FundingFactory(amount=Decimal("100.00"))
    saved = record_disbursement(new_disbursement(funding, "100.00"))
    assert saved.pk
    assert saved.project_id == funding.project_id
    assert disbursed_total(funding_id=funding.pk) == Decimal("100.00")


@pytest.mark.django_db
def test_over_disbursement_is_refused_with_the_figures_and_nothing_is_saved():
    funding = FundingFactory(amount=Decimal("10000000.00"))
    DisbursementFactory(funding=funding, amount=Decimal("7500000.00"))
    with pytest.raises(ValidationError) as error:
        record_disbursement(new_disbursement(funding, "2500000.01"))
    message = error.value.message_dict["amount"][0]
    for figure in ("2,500,000.01", "10,000,000.01", "10,000,000.00", "2,500,000.00"):
        assert figure in message
    assert Disbursement.objects.count() == 1


@pytest.mark.django_db
def test_message_in_chinese_names_the_figures():
    from django.utils import translation

    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("40.00"))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        record_disbursement(new_disbursement(funding, "70.00"))
    message = error.value.message_dict["amount"][0]
    assert message == (
        "本笔拨付 70.00 元将使该资金安排累计拨付 110.00 元，超过计划 100.00 元（尚余 60.00 元）。"
    )


@pytest.mark.django_db
def test_editing_a_disbursement_counts_the_others_not_itself():
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("30.00"))
    own = DisbursementFactory(funding=funding, amount=Decimal("70.00"))
    own.amount = Decimal("70.00")
    own.payee = "改过的收款单位"
    record_disbursement(own)  # exactly at plan: allowed
    own.amount = Decimal("70.01")
    with pytest.raises(ValidationError):
        record_disbursement(own)
    own.refresh_from_db()
    assert own.amount == Decimal("70.00")


@pytest.mark.django_db
def test_disbursement_from_another_projects_line_is_refused():
    funding = FundingFactory()
    with pytest.raises(ValidationError) as error:
        record_disbursement(new_disbursement(funding, "1.00", project=ProjectFactory()))
    assert "funding" in error.value.message_dict
    assert Disbursement.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_zero_or_negative_disbursement_is_refused(amount):
    funding = FundingFactory()
    with pytest.raises(ValidationError):
        record_disbursement(new_disbursement(funding, amount))
    assert Disbursement.objects.count() == 0


@pytest.mark.django_db
def test_a_save_of_several_rows_is_refused_whole_when_one_line_would_be_overdrawn():
    roomy = FundingFactory(amount=Decimal("100.00"))
    tight = FundingFactory(project=roomy.project, amount=Decimal("10.00"), source="district")
    wrong = DisbursementFactory(funding=roomy, amount=Decimal("5.00"))
    with pytest.raises(ValidationError) as error:
        record_disbursements(
            saving=[new_disbursement(roomy, "50.00"), new_disbursement(tight, "10.01")],
            deleting=[wrong],
        )
    assert "10.01" in error.value.message_dict["amount"][0]
    assert list(Disbursement.objects.all()) == [wrong]


@pytest.mark.django_db
def test_a_deleted_payment_frees_its_room_for_one_saved_with_it():
    funding = FundingFactory(amount=Decimal("100.00"))
    wrong = DisbursementFactory(funding=funding, amount=Decimal("100.00"))
    record_disbursements(saving=[new_disbursement(funding, "100.00")], deleting=[wrong])
    assert not Disbursement.objects.filter(pk=wrong.pk).exists()
    assert disbursed_total(funding_id=funding.pk) == Decimal("100.00")


def _waiting_for_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        # Inside a transaction the statistics views are a snapshot: take a fresh one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks and concurrent connections (PostgreSQL); SQLite serialises writers",
)
def test_two_clerks_saving_at_once_cannot_both_overshoot():
    """Clerk A saves 60 of 100 and holds its transaction open until clerk B's save is seen
    waiting for the funding line's lock; then A commits and B, counting A's 60, is refused.
    Without the lock B would not wait, would not see A's row, and both would be saved."""
    funding = FundingFactory(amount=Decimal("100.00"))
    a_saved = threading.Event()
    results: dict[str, str] = {}

    def clerk_a() -> None:
        try:
            with transaction.atomic():
                record_disbursement(new_disbursement(funding, "60.00"))
                a_saved.set()
                for _ in range(500):  # until B waits on the lock (bounded: never hangs)
                    if _waiting_for_a_lock():
                        break
                    threading.Event().wait(0.01)
            results["a"] = "saved"
        except ValidationError:
            results["a"] = "refused"
        finally:
            a_saved.set()
            connections.close_all()

    def clerk_b() -> None:
        a_saved.wait()
        try:
            record_disbursement(new_disbursement(funding, "60.00"))
            results["b"] = "saved"
        except ValidationError:
            results["b"] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk_a), threading.Thread(target=clerk_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"a": "saved", "b": "refused"}
    assert disbursed_total(funding_id=funding.pk) == Decimal("60.00")
    assert Disbursement.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks and concurrent connections (PostgreSQL); SQLite serialises writers",
)
def test_lowering_a_plan_while_another_clerk_pays_from_the_line_cannot_overdraw_it():
    """Clerk A lowers a 100 line (40 paid) to 50 and holds the save open until clerk B, paying
    30 from it, is seen waiting for the line's lock; A commits, and B, now reading the plan of
    50, is refused. Without A's lock B would pay against the old plan of 100 and A would then
    save a plan of 50 under 70 paid."""
    from django.forms import modelform_factory

    from projects.admin import FundingForm

    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("40.00"))
    a_checked = threading.Event()
    results: dict[str, str] = {}
    Form = modelform_factory(
        Funding, form=FundingForm, fields=["project", "source", "year", "amount"]
    )

    def clerk_a() -> None:
        try:
            with transaction.atomic():
                data = {"project": funding.project_id, "source": funding.source, "year": 2024}
                form = Form(data | {"amount": "50.00"}, instance=Funding.objects.get(pk=funding.pk))
                valid = form.is_valid()
                a_checked.set()
                for _ in range(300):  # until B waits on the lock (bounded: never hangs)
                    if _waiting_for_a_lock():
                        break
                    threading.Event().wait(0.01)
                if valid:
                    form.save()
            results["a"] = "saved" if valid else "refused"
        finally:
            a_checked.set()
            connections.close_all()

    def clerk_b() -> None:
        a_checked.wait()
        try:
            record_disbursement(new_disbursement(funding, "30.00"))
            results["b"] = "saved"
        except ValidationError:
            results["b"] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk_a), threading.Thread(target=clerk_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    funding.refresh_from_db()
    assert disbursed_total(funding_id=funding.pk) <= funding.amount
    assert results == {"a": "saved", "b": "refused"}
