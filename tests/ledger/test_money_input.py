"""One reading of a typed amount of money: the admin's (every form's) money field, the model
field and the import accept the same texts and refuse the same, with the same messages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ledger.fields import MoneyField
from ledger.imports.errors import CellError
from ledger.imports.parsers import Money
from projects.models import Disbursement
from tests.factories import FundingFactory
from tests.projects.test_admin import ADMIN, disbursement_form

ACCEPTED = [
    ("10,000,000.00", "10000000.00"),
    ("10000000.5", "10000000.50"),
    ("10000000", "10000000.00"),
    ("１０００", "1000.00"),  # a Chinese input method's full-width digits
    (" 1,234.5 ", "1234.50"),
]
REFUSED = [
    "1e3",
    "1E3",
    "1e-3",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1.005",
    "0.001",
    "--5",
    "+-5",
    "1,0000",
    "¥100",
    "1_000",
    "0x10",
    "1000万",
    ".5",
    "5.",
    "",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def form_error(text: str) -> str | None:
    field = MoneyField().formfield(required=True)
    try:
        field.clean(text)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def import_error(text: str) -> str | None:
    try:
        Money().parse(text, None)
    except CellError as error:
        return str(error)
    return None


@pytest.mark.parametrize(("text", "amount"), ACCEPTED)
def test_the_form_field_and_the_import_accept_the_same_amounts(text, amount):
    assert MoneyField().formfield().clean(text) == Decimal(amount)
    assert Money().parse(text, None) == Decimal(amount)


@pytest.mark.parametrize("text", REFUSED)
def test_the_form_field_and_the_import_refuse_the_same_amounts_with_the_same_message(text):
    from_form, from_import = form_error(text), import_error(text)
    assert from_form, f"the form accepted {text!r}"
    assert from_import, f"the import accepted {text!r}"
    if text:  # an empty cell is "required" in both, in each one's words
        assert from_form == from_import


@pytest.mark.parametrize("text", [*REFUSED[:2], "NaN", "Infinity", "1.005"])
def test_the_model_field_refuses_them_too(text):
    with pytest.raises(ValidationError):
        MoneyField().to_python(text)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["1e3", "NaN", "Infinity", "1.005"])
def test_the_admin_refuses_them(client, ledger_admin, text):
    client.force_login(ledger_admin)
    funding = FundingFactory(amount=Decimal("10000.00"))
    response = client.post(f"{ADMIN}/disbursement/add/", disbursement_form(funding, text))
    assert response.status_code == 200
    assert "amount" in response.context["adminform"].form.errors
    assert Disbursement.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "stored"), [("10,000,000.00", "10000000.00"), ("10000000.5", "10000000.50")]
)
def test_the_admin_accepts_what_the_import_accepts(client, ledger_admin, text, stored):
    client.force_login(ledger_admin)
    funding = FundingFactory(amount=Decimal("20000000.00"))
    response = client.post(f"{ADMIN}/disbursement/add/", disbursement_form(funding, text))
    assert response.status_code == 302
    assert str(Disbursement.objects.get().amount) == stored
