"""While a period is approved, no record dated in it can be added, changed or deleted: by the
model layer, the admin (forms, inlines, delete page, "delete selected"), the importer, and
the database itself (QuerySet.update(), bulk_create()). Each refusal names the period and
who approved it; a reopened period unlocks."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from ledger.imports.run import run_import
from ledger.imports.specs import specs
from ledger.locks import RecordLocked
from pairings.models import Exchange
from periods import services
from projects.models import Disbursement, InvestmentLead, Sale
from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    IndicatorFactory,
    InvestmentLeadFactory,
    MemberRoleFactory,
    MentorshipFactory,
    SaleFactory,
)
from tests.ledger.imports.conftest import csv_bytes
from tests.utils import NO_EVIDENCE_FILES, loaded_version

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def funding(group_a):
    return FundingFactory(project__responsible_body=group_a, amount=Decimal("1000000.00"))


@pytest.fixture
def paid(funding):
    """A disbursement of 2024-09-10, entered before September was approved."""
    return DisbursementFactory(funding=funding, paid_on=D(2024, 9, 10), amount=Decimal("100.00"))


def assert_names_the_period(message: str) -> None:
    assert "2024-09" in message
    assert "ledger-admin" in message  # who approved it


# The model layer ---------------------------------------------------------------------------


def test_adding_a_disbursement_dated_in_an_approved_period_is_refused(funding, september):
    with pytest.raises(RecordLocked) as refused, transaction.atomic():
        DisbursementFactory(funding=funding, paid_on=D(2024, 9, 15))
    assert_names_the_period(refused.value.messages[0])
    assert not Disbursement.objects.filter(paid_on=D(2024, 9, 15)).exists()


def test_changing_or_deleting_a_locked_record_is_refused(paid, september):
    paid.payee = "另一单位"
    with pytest.raises(RecordLocked), transaction.atomic():
        paid.save()
    paid.refresh_from_db()
    with pytest.raises(RecordLocked), transaction.atomic():
        paid.delete()
    assert Disbursement.objects.filter(pk=paid.pk, payee=paid.payee).exists()


def test_moving_a_record_out_of_a_locked_period_is_refused(paid, september):
    paid.paid_on = D(2024, 10, 2)
    with pytest.raises(RecordLocked), transaction.atomic():
        paid.save()


def test_moving_a_record_into_a_locked_period_is_refused(funding, september):
    october = DisbursementFactory(funding=funding, paid_on=D(2024, 10, 2))
    october.paid_on = D(2024, 9, 30)
    with pytest.raises(RecordLocked), transaction.atomic():
        october.save()


def test_a_save_that_changes_nothing_passes(paid, september):
    paid.save()  # load_demo run again does this to every record
    assert Disbursement.objects.filter(pk=paid.pk).exists()


def test_records_outside_the_period_are_free(funding, september):
    DisbursementFactory(funding=funding, paid_on=D(2024, 10, 1))
    DisbursementFactory(funding=funding, paid_on=D(2024, 8, 31))
    assert Disbursement.objects.count() == 2


def test_another_programmes_records_are_not_locked(september, group_a):
    other = FundingFactory(amount=Decimal("1000.00"))  # a body of another programme
    assert other.project.responsible_body.batch.programme_id != group_a.batch.programme_id
    DisbursementFactory(funding=other, paid_on=D(2024, 9, 15))


def test_reopening_unlocks_and_approving_again_locks(paid, september, ledger_admin):
    services.transition(september, "reopen", user=ledger_admin, reason="补录一笔拨付")
    paid.payee = "更正后的收款单位"
    paid.save()
    period = services.transition(september, "submit", user=ledger_admin)
    services.transition(period, "approve", user=ledger_admin)
    paid.payee = "再改"
    with pytest.raises(RecordLocked), transaction.atomic():
        paid.save()


@pytest.mark.parametrize(
    "make",
    [
        lambda g: ExchangeFactory(lead_body=g, date=D(2024, 9, 3)),
        lambda g: SaleFactory(outlet__responsible_body=g, period=D(2024, 9, 1)),
        lambda g: IndicatorFactory(
            project__responsible_body=g, actual=Decimal("5"), as_of=D(2024, 9, 30)
        ),
        lambda g: MentorshipFactory(
            mentor=MemberRoleFactory(body=g, member__batch=g.batch).member,
            start_date=D(2024, 9, 1),
        ),
        lambda g: FundingFactory(project__responsible_body=g, approved_on=D(2024, 9, 9)),
    ],
    ids=["exchange", "sale", "indicator", "mentorship", "funding"],
)
def test_every_judged_record_type_is_locked(group_a, september, make):
    with pytest.raises(RecordLocked), transaction.atomic():
        make(group_a)


def test_a_lead_moves_on_but_its_locked_stage_stays(group_a, september):
    services.transition(september, "reopen", user=None, reason="录入招商线索")
    lead = InvestmentLeadFactory(follower_body=group_a, visited_on=D(2024, 9, 5))
    period = services.transition(september, "submit", user=None)
    services.transition(period, "approve", user=None)
    lead.refresh_from_db()
    lead.invited_on = D(2024, 10, 20)  # the next stage, after the approved month
    lead.save()
    lead.visited_on = D(2024, 9, 6)
    with pytest.raises(RecordLocked), transaction.atomic():
        lead.save()
    assert InvestmentLead.objects.get(pk=lead.pk).visited_on == D(2024, 9, 5)


# The database ------------------------------------------------------------------------------


def test_queryset_update_is_refused_by_the_database(paid, september):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=paid.pk).update(payee="绕过")
    assert Disbursement.objects.get(pk=paid.pk).payee == paid.payee


def test_bulk_create_is_refused_by_the_database(paid, funding, september):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.bulk_create(
            [
                Disbursement(
                    project=funding.project,
                    funding=funding,
                    paid_on=D(2024, 9, 20),
                    amount=Decimal("1.00"),
                    payee="批量",
                )
            ]
        )
    assert Disbursement.objects.count() == 1


def test_queryset_delete_is_refused_row_by_row(paid, september):
    with pytest.raises(RecordLocked), transaction.atomic():
        Disbursement.objects.filter(pk=paid.pk).delete()
    assert Disbursement.objects.filter(pk=paid.pk).exists()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the delete trigger is PostgreSQL's (SQLite's flush deletes row by row)",
)
def test_a_raw_delete_is_refused_by_the_database(paid, september):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=paid.pk)._raw_delete(Disbursement.objects.db)
    assert Disbursement.objects.filter(pk=paid.pk).exists()


def test_the_database_refuses_exchanges_and_sales_too(group_a, september):
    services.transition(september, "reopen", user=None, reason="测试")
    exchange = ExchangeFactory(lead_body=group_a, date=D(2024, 9, 3))
    sale = SaleFactory(outlet__responsible_body=group_a, period=D(2024, 9, 1))
    services.transition(services.transition(september, "submit", user=None), "approve", user=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exchange.objects.filter(pk=exchange.pk).update(title="绕过")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sale.objects.filter(pk=sale.pk).update(amount=Decimal("1.00"))


def test_the_database_lets_an_unchanged_update_through(paid, september):
    Disbursement.objects.filter(pk=paid.pk).update(payee=paid.payee)


# The admin ---------------------------------------------------------------------------------


@pytest.fixture
def editor(client, editor_a):
    client.force_login(editor_a)
    return client


def disbursement_form(funding, **fields) -> dict:
    return {
        "project": funding.project_id,
        "funding": funding.pk,
        "paid_on": "2024-09-15",
        "amount": "100.00",
        "payee": "平昌县肉牛养殖专业合作社联合社",
        "voucher_number": "",
        "notes": "",
        **NO_EVIDENCE_FILES,
        **fields,
    }


def test_admin_add_in_a_locked_period_is_refused_with_the_period_named(editor, funding, september):
    response = editor.post("/admin/projects/disbursement/add/", disbursement_form(funding))
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert_names_the_period(errors[0])
    assert not Disbursement.objects.exists()


def test_admin_change_of_a_locked_record_is_refused(editor, paid, september):
    form = disbursement_form(
        paid.funding, paid_on="2024-09-10", payee="改名", **loaded_version(paid)
    )
    response = editor.post(f"/admin/projects/disbursement/{paid.pk}/change/", form)
    assert response.status_code == 200
    assert_names_the_period(response.context["adminform"].form.non_field_errors()[0])
    assert Disbursement.objects.get(pk=paid.pk).payee != "改名"


def test_admin_change_moving_a_record_into_a_locked_period_is_refused(editor, funding, september):
    october = DisbursementFactory(funding=funding, paid_on=D(2024, 10, 3))
    form = disbursement_form(funding, paid_on="2024-09-30", **loaded_version(october))
    response = editor.post(f"/admin/projects/disbursement/{october.pk}/change/", form)
    assert response.status_code == 200
    assert Disbursement.objects.get(pk=october.pk).paid_on == D(2024, 10, 3)


def test_admin_delete_page_refuses_a_locked_record(editor, paid, september):
    response = editor.post(f"/admin/projects/disbursement/{paid.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Disbursement.objects.filter(pk=paid.pk).exists()
    page = editor.get(response["Location"])
    assert "2024-09" in page.content.decode()


def test_admin_bulk_delete_refuses_when_one_record_is_locked(editor, paid, funding, september):
    free = DisbursementFactory(funding=funding, paid_on=D(2024, 10, 3))
    response = editor.post(
        "/admin/projects/disbursement/",
        {"action": "delete_selected", "_selected_action": [paid.pk, free.pk], "post": "yes"},
        follow=True,
    )
    assert "2024-09" in response.content.decode()
    assert Disbursement.objects.count() == 2


def test_admin_inline_row_in_a_locked_period_is_refused(client, ledger_admin, paid, september):
    """The project's page: its disbursements inline; changing the locked row is refused."""
    client.force_login(ledger_admin)
    page = client.get(f"/admin/projects/project/{paid.project_id}/change/")
    data = {}
    for form in [page.context["adminform"].form] + [
        f for formset in page.context["inline_admin_formsets"] for f in formset.formset.forms
    ]:
        for name, _field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            data[form.add_prefix(name)] = (
                value if not hasattr(value, "isoformat") else value.isoformat()
            )
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    prefix = next(
        f.formset.prefix
        for f in page.context["inline_admin_formsets"]
        if f.formset.model is Disbursement
    )
    data[f"{prefix}-0-payee"] = "改过的收款单位"
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(f"/admin/projects/project/{paid.project_id}/change/", data)
    assert response.status_code == 200
    assert "2024-09" in response.content.decode()
    assert Disbursement.objects.get(pk=paid.pk).payee == paid.payee


# The importer ------------------------------------------------------------------------------

HEADER = ["帮扶项目", "funding_source", "funding_year", "拨付日期", "金额（元）", "收款单位"]


def test_an_import_with_one_row_in_a_locked_period_is_refused_whole(group_a, september):
    funding = FundingFactory(
        project__code="NY-2023-01", project__responsible_body=group_a, amount=Decimal("1000.00")
    )
    rows = [
        ["NY-2023-01", funding.get_source_display(), str(funding.year), "2024-10-8", "1.00", "甲"],
        ["NY-2023-01", funding.get_source_display(), str(funding.year), "2024-9-15", "1.00", "乙"],
        ["NY-2023-01", funding.get_source_display(), str(funding.year), "2024-10-9", "1.00", "丙"],
    ]
    result = run_import(specs()["disbursements"], csv_bytes(HEADER, rows))
    assert [(error.row, error.column) for error in result.errors] == [(3, "拨付日期")]
    assert_names_the_period(result.errors[0].message)
    assert not Disbursement.objects.exists()


def test_validation_error_is_what_a_lock_raises(paid, september):
    paid.payee = "x"
    with pytest.raises(ValidationError), transaction.atomic():
        paid.save()
