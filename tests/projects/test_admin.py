"""The admin enters money through the same locked check, refuses with the figures, saves
nothing half-way, and shows planned against disbursed where a clerk needs it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from projects.models import Disbursement, Funding
from tests.factories import (
    DisbursementFactory,
    FundingFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
ADMIN = "/admin/projects"


@pytest.fixture
def clerk(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="projects"))
    client.force_login(user)
    return client


def disbursement_form(funding, amount: str, **fields) -> dict:
    return {
        "project": funding.project_id,
        "funding": funding.pk,
        "paid_on": "2024-05-01",
        "amount": amount,
        "payee": "平昌县肉牛养殖专业合作社联合社",
        "voucher_number": "",
        "notes": "",
        **fields,
    }


def test_admin_refuses_over_disbursement_with_the_figures(clerk):
    funding = FundingFactory(amount=Decimal("10000000.00"))
    DisbursementFactory(funding=funding, amount=Decimal("9000000.00"))
    response = clerk.post(f"{ADMIN}/disbursement/add/", disbursement_form(funding, "1000000.01"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["amount"]
    assert "10,000,000.01" in errors[0]
    assert "1,000,000.00" in errors[0]  # what remains
    assert Disbursement.objects.count() == 1


def test_admin_saves_a_disbursement_within_plan(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    response = clerk.post(f"{ADMIN}/disbursement/add/", disbursement_form(funding, "100.00"))
    assert response.status_code == 302
    assert Disbursement.objects.get().amount == Decimal("100.00")


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-1.00", "amount"), ("1.005", "amount"), ("abc", "amount")],
)
def test_admin_refuses_bad_amounts(clerk, amount, field):
    funding = FundingFactory()
    response = clerk.post(f"{ADMIN}/disbursement/add/", disbursement_form(funding, amount))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Disbursement.objects.count() == 0


def test_admin_refuses_a_line_of_another_project(clerk):
    funding = FundingFactory()
    other = ProjectFactory()
    response = clerk.post(
        f"{ADMIN}/disbursement/add/", disbursement_form(funding, "1.00", project=other.pk)
    )
    assert "funding" in response.context["adminform"].form.errors
    assert Disbursement.objects.count() == 0


def test_admin_edit_counts_the_other_disbursements_not_itself(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("40.00"))
    own = DisbursementFactory(funding=funding, amount=Decimal("50.00"))
    url = f"{ADMIN}/disbursement/{own.pk}/change/"
    assert clerk.post(url, disbursement_form(funding, "60.00")).status_code == 302
    response = clerk.post(url, disbursement_form(funding, "60.01"))
    assert "amount" in response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.amount == Decimal("60.00")


def project_form(project, *, fundings=(), disbursements=()) -> dict:
    """The project change form with its three inlines."""
    data = {
        "code": project.code,
        "name": project.name,
        "sector": project.sector,
        "status": project.status,
        "responsible_body": project.responsible_body_id,
        "township": "",
        "implementing_unit": "",
        "start_date": "",
        "end_date": "",
        "description": "",
        "beneficiaries": "",
        "notes": "",
    }
    for prefix, existing in (("fundings", fundings), ("disbursements", ()), ("indicators", ())):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(existing)),
            f"{prefix}-INITIAL_FORMS": str(len(existing)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for index, funding in enumerate(fundings):
        data |= {
            f"fundings-{index}-id": funding.pk,
            f"fundings-{index}-project": project.pk,
            f"fundings-{index}-source": funding.source,
            f"fundings-{index}-year": funding.year,
            f"fundings-{index}-amount": str(funding.amount),
            f"fundings-{index}-document_number": "",
            f"fundings-{index}-approved_on": "",
            f"fundings-{index}-notes": "",
        }
    data["disbursements-TOTAL_FORMS"] = str(len(disbursements))
    for index, (funding, amount) in enumerate(disbursements):
        data |= {
            f"disbursements-{index}-id": "",
            f"disbursements-{index}-project": project.pk,
            f"disbursements-{index}-funding": funding.pk,
            f"disbursements-{index}-paid_on": "2024-05-01",
            f"disbursements-{index}-amount": amount,
            f"disbursements-{index}-payee": "收款单位",
            f"disbursements-{index}-voucher_number": "",
            f"disbursements-{index}-notes": "",
        }
    return data


def test_project_inline_counts_new_disbursements_of_one_line_together(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    project = funding.project
    url = f"{ADMIN}/project/{project.pk}/change/"
    data = project_form(project, fundings=[funding], disbursements=[(funding, "60.00")] * 2)
    response = clerk.post(url, data)
    assert response.status_code == 200
    errors = [form.errors for form in response.context["inline_admin_formsets"][1].formset]
    assert "120.00" in str(errors)
    assert Disbursement.objects.count() == 0
    data = project_form(project, fundings=[funding], disbursements=[(funding, "50.00")] * 2)
    assert clerk.post(url, data).status_code == 302
    assert sorted(d.amount for d in Disbursement.objects.all()) == [Decimal("50.00")] * 2


def test_project_inline_refuses_lowering_a_plan_below_what_was_paid(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("80.00"))
    funding.amount = Decimal("79.99")
    response = clerk.post(
        f"{ADMIN}/project/{funding.project_id}/change/",
        project_form(funding.project, fundings=[funding]),
    )
    assert response.status_code == 200
    assert Funding.objects.get().amount == Decimal("100.00")


def test_project_change_page_shows_planned_disbursed_and_remaining(clerk):
    funding = FundingFactory(amount=Decimal("10000000.00"))
    DisbursementFactory(funding=funding, amount=Decimal("7500000.00"))
    html = clerk.get(f"{ADMIN}/project/{funding.project_id}/change/").content.decode()
    for figure in ("10,000,000.00", "7,500,000.00", "2,500,000.00", "75.0"):
        assert figure in html


def test_admin_funding_list_shows_disbursed_and_remaining(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("33.33"))
    html = clerk.get(f"{ADMIN}/funding/").content.decode()
    assert "33.33" in html
    assert "66.67" in html


@pytest.mark.parametrize(
    "model",
    [
        "project",
        "funding",
        "disbursement",
        "indicator",
        "investmentlead",
        "segment",
        "outlet",
        "sale",
    ],
)
def test_admin_lists_and_add_pages_open(clerk, model):
    DisbursementFactory()
    assert clerk.get(f"{ADMIN}/{model}/").status_code == 200
    assert clerk.get(f"{ADMIN}/{model}/add/").status_code == 200


def test_admin_project_list_has_constant_queries(clerk, django_assert_max_num_queries):
    for _ in range(120):
        DisbursementFactory()
    with django_assert_max_num_queries(10):
        assert clerk.get(f"{ADMIN}/project/").status_code == 200
    with django_assert_max_num_queries(10):
        assert clerk.get(f"{ADMIN}/disbursement/").status_code == 200
    with django_assert_max_num_queries(10):
        assert clerk.get(f"{ADMIN}/funding/").status_code == 200


def test_staff_without_permissions_cannot_see_money(client, staff_user):
    client.force_login(staff_user)
    assert client.get(f"{ADMIN}/disbursement/").status_code == 403


def test_township_autocomplete_offers_only_helped_side_townships(admin_client):
    township = UnitFactory(side="helped", kind="township", name="板庙镇")
    UnitFactory(side="helped", kind="school", name="平昌中学")
    UnitFactory(side="helper", kind="township", name="自贡某镇")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "projects", "model_name": "project", "field_name": "township", "term": ""},
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == [township.name]


def test_project_change_page_has_constant_queries(clerk, django_assert_max_num_queries):
    # Each disbursement row has a <select> of the project's funding lines: read once, not per row.
    funding = FundingFactory(amount=Decimal("100000.00"))
    for index in range(40):
        FundingFactory(project=funding.project, year=2000 + index)
        DisbursementFactory(funding=funding, amount=Decimal("1.00"))
    with django_assert_max_num_queries(16):
        response = clerk.get(f"{ADMIN}/project/{funding.project_id}/change/")
    assert response.status_code == 200
    assert response.content.decode().count("<option value") >= 40 * 41
