"""Money end to end: Decimal yuan in Python, whole fen in the database, never a float."""

import csv
import io
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from ledger.exports import csv_cell
from ledger.fields import MoneyField, money_sum
from ledger.listing import display
from ledger.numbers import percent
from ledger.templatetags.ledger import wan
from projects import selectors
from projects.models import Disbursement, Funding
from tests.factories import DisbursementFactory, FundingFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_ten_thousand_ten_fen_rows_sum_to_exactly_one_thousand_yuan():
    funding = FundingFactory(amount=Decimal("1000.00"))
    Disbursement.objects.bulk_create(
        Disbursement(
            project=funding.project,
            funding=funding,
            paid_on="2024-01-01",
            amount=Decimal("0.10"),
            payee="收款单位",
        )
        for _ in range(10_000)
    )
    total = Disbursement.objects.aggregate(total=Sum("amount"))["total"]
    assert total == Decimal("1000.00")
    assert isinstance(total, Decimal)
    assert str(total) == "1000.00"
    assert str(selectors.disbursed_total(funding_id=funding.pk)) == "1000.00"
    project = selectors.project_list().get(pk=funding.project_id)
    assert (str(project.planned), str(project.disbursed), str(project.remaining)) == (
        "1000.00",
        "1000.00",
        "0.00",
    )


def test_column_holds_whole_fen():
    FundingFactory(amount=Decimal("12345.67"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT amount FROM {Funding._meta.db_table}")  # noqa: S608
        (stored,) = cursor.fetchone()
    assert stored == 1234567
    assert isinstance(stored, int)


def test_values_come_back_as_two_place_decimals():
    funding = FundingFactory(amount=Decimal("5"))
    funding.refresh_from_db()
    assert funding.amount == Decimal("5.00")
    assert str(funding.amount) == "5.00"
    assert list(Funding.objects.values_list("amount", flat=True)) == [Decimal("5.00")]


def test_lookups_convert_yuan_to_fen():
    FundingFactory(amount=Decimal("1.50"))
    FundingFactory(amount=Decimal("1.49"))
    assert Funding.objects.filter(amount__gte=Decimal("1.50")).count() == 1
    assert Funding.objects.filter(amount=Decimal("1.49")).count() == 1
    assert Funding.objects.filter(amount__in=[Decimal("1.49"), Decimal("1.50")]).count() == 2
    assert Funding.objects.filter(amount__range=("1.00", "1.49")).count() == 1


def test_sum_of_no_rows_is_zero_with_money_sum_and_none_with_sum():
    assert Funding.objects.aggregate(total=money_sum("amount"))["total"] == Decimal("0.00")
    assert Funding.objects.aggregate(total=Sum("amount"))["total"] is None


def test_float_is_refused_everywhere():
    field = MoneyField()
    with pytest.raises(ValidationError):
        field.to_python(0.1)
    with pytest.raises(TypeError):
        field.get_prep_value(0.1)
    with pytest.raises(TypeError):
        Funding.objects.filter(amount=0.1).count()


@pytest.mark.parametrize("value", ["1.005", Decimal("0.001"), "abc", "1e400", True])
def test_model_field_refuses_what_is_not_yuan_and_fen(value):
    with pytest.raises(ValidationError):
        MoneyField().clean(value, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", Decimal("12.00")), (" 0.1 ", Decimal("0.10")), (7, Decimal("7.00"))],
)
def test_model_field_reads_plain_amounts(value, expected):
    assert MoneyField().to_python(value) == expected


def test_form_field_is_a_two_place_decimal_field_refusing_more_decimals():
    formfield = MoneyField("amount").formfield()
    assert isinstance(formfield, forms.DecimalField)
    assert (formfield.max_digits, formfield.decimal_places) == (14, 2)
    assert formfield.clean("12.34") == Decimal("12.34")
    with pytest.raises(ValidationError) as error:
        formfield.clean("12.345")
    # Refused by read_amount, in the words the import uses (tests/ledger/test_money_input.py).
    assert [e.code for e in error.value.error_list] == ["fen"]
    with pytest.raises(ValidationError) as error:
        formfield.clean("1000000000000.00")  # 13 digits before the point, 15 in all
    assert {e.code for e in error.value.error_list} <= {"max_digits", "max_whole_digits"}


def test_export_and_page_show_two_decimals_never_a_float():
    assert csv_cell(Decimal("0.10")) == "0.10"
    assert display(Decimal("1234567.80"), "money") == "1,234,567.80"
    assert wan(Decimal("10000000.00")) == "1,000.00"
    assert wan(Decimal("1800000.00")) == "180.00"


def test_export_of_a_tenth_of_a_yuan_reads_0_10(client_logged_in):
    DisbursementFactory(amount=Decimal("0.10"))
    response = client_logged_in.get("/projects/disbursements/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    amount_index = rows[0].index(next(h for h in rows[0] if "元" in h or "yuan" in h))
    assert rows[1][amount_index] == "0.10"


def test_planned_minus_disbursed_per_project_does_not_multiply_rows():
    # Two lines and three disbursements: a join would count each line three times.
    project = ProjectFactory()
    first = FundingFactory(project=project, amount=Decimal("100.00"))
    second = FundingFactory(project=project, amount=Decimal("50.00"), source="district")
    for amount in ("10.00", "20.00"):
        DisbursementFactory(funding=first, amount=Decimal(amount))
    DisbursementFactory(funding=second, amount=Decimal("5.55"))
    row = selectors.project_list().get(pk=project.pk)
    assert (row.planned, row.disbursed, row.remaining) == (
        Decimal("150.00"),
        Decimal("35.55"),
        Decimal("114.45"),
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("109800.00"), "109,800"), (Decimal("12.50"), "12.5"), (Decimal("0.25"), "0.25")],
)
def test_quantities_read_as_written_with_separators(value, shown):
    assert display(value, "number") == shown


def test_members_list_has_no_totals_line(client_logged_in):
    response = client_logged_in.get("/members/")
    assert response.context["totals"] == []
    assert 'class="totals"' not in response.content.decode()


def test_rates_round_half_up_as_a_report_does():
    assert percent(Decimal("1"), Decimal("16")) == Decimal("6.3")  # 6.25 → 6.3, not 6.2
    assert percent(Decimal("750"), Decimal("1000")) == Decimal("75.0")
    assert percent(Decimal("5"), Decimal("0")) is None
    assert percent(None, Decimal("10")) is None
