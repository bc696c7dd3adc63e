"""The admin enters money through the same locked check, refuses with the figures, saves
nothing half-way, and shows planned against disbursed where a clerk needs it."""

import datetime
import re
from decimal import Decimal

import pytest

from projects.models import Disbursement, Funding
from projects.selectors import disbursed_total
from tests.factories import (
    DisbursementFactory,
    FundingFactory,
    InvestmentLeadFactory,
    ProjectFactory,
    SaleFactory,
    UnitFactory,
)
from tests.utils import NO_EVIDENCE_FILES, loaded_version

pytestmark = pytest.mark.django_db
D = datetime.date
ADMIN = "/admin/projects"


@pytest.fixture
def clerk(client, ledger_admin):
    """A ledger admin (管理员): may enter and correct every project's money."""
    client.force_login(ledger_admin)
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
        **NO_EVIDENCE_FILES,
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
    [
        ("0", "amount"),
        ("-1.00", "amount"),
        ("1.005", "amount"),
        ("abc", "amount"),
        ("NaN", "amount"),
        ("Infinity", "amount"),
        ("1e-3", "amount"),
        ("1e3", "amount"),
    ],
)
def test_admin_refuses_bad_amounts(clerk, amount, field):
    funding = FundingFactory()
    response = clerk.post(f"{ADMIN}/disbursement/add/", disbursement_form(funding, amount))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Disbursement.objects.count() == 0


def test_disbursement_takes_the_project_of_its_funding_line(clerk):
    # The clerk picks a line, not a project and a line that could disagree.
    funding = FundingFactory()
    response = clerk.post(
        f"{ADMIN}/disbursement/add/",
        disbursement_form(funding, "1.00", project=ProjectFactory().pk),
    )
    assert response.status_code == 302
    assert Disbursement.objects.get().project == funding.project
    form = clerk.get(f"{ADMIN}/disbursement/add/").context["adminform"].form
    assert "project" not in form.fields


def test_correcting_a_payment_to_another_projects_line_moves_it_to_that_project(clerk, line):
    paid = line.disbursements.get()
    elsewhere = FundingFactory()
    response = clerk.post(
        f"{ADMIN}/disbursement/{paid.pk}/change/",
        disbursement_form(elsewhere, "40.00") | loaded_version(paid),
    )
    assert response.status_code == 302
    paid.refresh_from_db()
    assert (paid.funding, paid.project) == (elsewhere, elsewhere.project)


def test_admin_edit_counts_the_other_disbursements_not_itself(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("40.00"))
    own = DisbursementFactory(funding=funding, amount=Decimal("50.00"))
    url = f"{ADMIN}/disbursement/{own.pk}/change/"
    assert (
        clerk.post(url, disbursement_form(funding, "60.00") | loaded_version(own)).status_code
        == 302
    )
    response = clerk.post(url, disbursement_form(funding, "60.01") | loaded_version(own))
    assert "amount" in response.context["adminform"].form.errors
    own.refresh_from_db()
    assert own.amount == Decimal("60.00")


def project_form(project, *, fundings=(), disbursements=()) -> dict:
    """The project change form with its three inlines."""
    data = {
        **loaded_version(project),
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
        **NO_EVIDENCE_FILES,
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
    # 11: the page's own queries, the session and user, and the account's roles.
    with django_assert_max_num_queries(11):
        assert clerk.get(f"{ADMIN}/project/").status_code == 200
    with django_assert_max_num_queries(11):
        assert clerk.get(f"{ADMIN}/disbursement/").status_code == 200
    with django_assert_max_num_queries(11):
        assert clerk.get(f"{ADMIN}/funding/").status_code == 200


def test_staff_without_a_role_cannot_see_money(client, staff_user):
    client.force_login(staff_user)
    response = client.get(f"{ADMIN}/disbursement/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


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
    with django_assert_max_num_queries(17):
        response = clerk.get(f"{ADMIN}/project/{funding.project_id}/change/")
    assert response.status_code == 200
    assert response.content.decode().count("<option value") >= 40 * 41


# One project save, checked as a whole ---------------------------------------------------------


def project_save(project, *, plans: dict, rows: list[dict]) -> dict:
    """The project change form: its funding lines with the plans typed (`{line: amount}`), and
    its disbursement rows (`{"line": …, "amount": …}`, with `"existing"` for a stored row
    and `"delete": True` to tick its delete box)."""
    data = project_form(project)
    existing = [row for row in rows if "existing" in row]
    data |= {
        "fundings-TOTAL_FORMS": str(len(plans)),
        "fundings-INITIAL_FORMS": str(len(plans)),
        "disbursements-TOTAL_FORMS": str(len(rows)),
        "disbursements-INITIAL_FORMS": str(len(existing)),
    }
    for index, (funding, amount) in enumerate(plans.items()):
        data |= {
            f"fundings-{index}-id": funding.pk,
            f"fundings-{index}-project": project.pk,
            f"fundings-{index}-source": funding.source,
            f"fundings-{index}-year": funding.year,
            f"fundings-{index}-amount": amount,
        }
    for index, row in enumerate(existing + [row for row in rows if "existing" not in row]):
        stored = row.get("existing")
        data |= {
            f"disbursements-{index}-id": stored.pk if stored else "",
            f"disbursements-{index}-project": project.pk,
            f"disbursements-{index}-funding": row["line"].pk,
            f"disbursements-{index}-paid_on": stored.paid_on if stored else "2024-05-01",
            f"disbursements-{index}-amount": row["amount"],
            f"disbursements-{index}-payee": stored.payee if stored else "收款单位",
        }
        if row.get("delete"):
            data[f"disbursements-{index}-DELETE"] = "on"
    return data


def disbursement_errors(response) -> str:
    assert response.status_code == 200
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is Disbursement
    )
    return str([form.errors for form in formset])


@pytest.fixture
def line(db):
    """A 100.00 line with 40.00 paid from it."""
    funding = FundingFactory(amount=Decimal("100.00"))
    DisbursementFactory(funding=funding, amount=Decimal("40.00"))
    return funding


def change(clerk, project, data):
    return clerk.post(f"{ADMIN}/project/{project.pk}/change/", data)


def test_lowering_a_plan_and_paying_from_it_in_one_save_is_refused_not_a_crash(clerk, line):
    paid = line.disbursements.get()
    data = project_save(
        line.project,
        plans={line: "50.00"},
        rows=[
            {"existing": paid, "line": line, "amount": "40.00"},
            {"line": line, "amount": "30.00"},
        ],
    )
    response = change(clerk, line.project, data)
    # This payment, the total it makes, the new plan, what the new plan leaves.
    assert (
        "本笔拨付 30.00 元将使该资金安排累计拨付 70.00 元，超过计划 50.00 元（尚余 10.00 元）"
        in (disbursement_errors(response))
    )
    line.refresh_from_db()
    assert (line.amount, line.disbursements.count()) == (Decimal("100.00"), 1)


def test_raising_a_plan_and_paying_from_it_in_one_save_counts_the_new_plan(clerk, line):
    paid = line.disbursements.get()
    data = project_save(
        line.project,
        plans={line: "150.00"},
        rows=[
            {"existing": paid, "line": line, "amount": "40.00"},
            {"line": line, "amount": "110.00"},
        ],
    )
    assert change(clerk, line.project, data).status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("150.00")
    assert disbursed_total(funding_id=line.pk) == Decimal("150.00")


def test_deleting_a_wrong_entry_and_typing_the_right_one_in_one_save(clerk, line):
    wrong = line.disbursements.get()
    data = project_save(
        line.project,
        plans={line: "100.00"},
        rows=[
            {"existing": wrong, "line": line, "amount": "40.00", "delete": True},
            {"line": line, "amount": "100.00"},
        ],
    )
    assert change(clerk, line.project, data).status_code == 302
    assert [d.amount for d in Disbursement.objects.all()] == [Decimal("100.00")]


def test_swapping_two_payments_between_full_lines_in_one_save(clerk):
    first = FundingFactory(amount=Decimal("60.00"))
    second = FundingFactory(project=first.project, amount=Decimal("40.00"), source="district")
    a = DisbursementFactory(funding=first, amount=Decimal("60.00"))
    b = DisbursementFactory(funding=second, amount=Decimal("40.00"))
    data = project_save(
        first.project,
        plans={first: "60.00", second: "40.00"},
        rows=[
            {"existing": a, "line": second, "amount": "40.00"},
            {"existing": b, "line": first, "amount": "60.00"},
        ],
    )
    assert change(clerk, first.project, data).status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.funding, a.amount, b.funding, b.amount) == (
        second,
        Decimal("40.00"),
        first,
        Decimal("60.00"),
    )


def test_moving_a_payment_onto_a_full_line_is_refused(clerk, line):
    full = FundingFactory(project=line.project, amount=Decimal("10.00"), source="district")
    paid = line.disbursements.get()
    data = project_save(
        line.project,
        plans={line: "100.00", full: "10.00"},
        rows=[{"existing": paid, "line": full, "amount": "40.00"}],
    )
    assert "10.00" in disbursement_errors(change(clerk, line.project, data))
    paid.refresh_from_db()
    assert paid.funding == line


def test_disbursement_admin_moving_a_payment_to_another_line_checks_that_line(clerk, line):
    full = FundingFactory(project=line.project, amount=Decimal("10.00"), source="district")
    paid = line.disbursements.get()
    url = f"{ADMIN}/disbursement/{paid.pk}/change/"
    response = clerk.post(url, disbursement_form(full, "40.00") | loaded_version(paid))
    assert "amount" in response.context["adminform"].form.errors
    assert (
        clerk.post(url, disbursement_form(full, "10.00") | loaded_version(paid)).status_code == 302
    )
    paid.refresh_from_db()
    assert (paid.funding, paid.amount) == (full, Decimal("10.00"))


def test_a_line_paid_from_cannot_move_to_another_project(clerk, line):
    other = ProjectFactory()
    response = clerk.post(
        f"{ADMIN}/funding/{line.pk}/change/",
        {"project": other.pk, "source": line.source, "year": line.year, "amount": "100.00"}
        | loaded_version(line),
    )
    assert "project" in response.context["adminform"].form.errors
    line.refresh_from_db()
    assert line.project_id != other.pk
    unpaid = FundingFactory()
    response = clerk.post(
        f"{ADMIN}/funding/{unpaid.pk}/change/",
        {
            "project": other.pk,
            "source": unpaid.source,
            "year": unpaid.year,
            "amount": "1.00",
            **NO_EVIDENCE_FILES,
        }
        | loaded_version(unpaid),
    )
    assert response.status_code == 302


def test_admin_lists_show_money_with_thousands_separators(clerk):
    # The bare field read 6000000.00 beside a disbursed column reading 5,500,000.00.
    funding = FundingFactory(amount=Decimal("6000000.00"))
    DisbursementFactory(funding=funding, amount=Decimal("5500000.00"))
    SaleFactory(amount=Decimal("12345.60"))
    InvestmentLeadFactory(registered_capital=Decimal("50000000.00"))
    for model, figure in [
        ("funding", "6,000,000.00"),
        ("disbursement", "5,500,000.00"),
        ("sale", "12,345.60"),
        ("investmentlead", "50,000,000.00"),
    ]:
        assert figure in clerk.get(f"{ADMIN}/{model}/").content.decode()
    assert clerk.get(f"{ADMIN}/funding/", {"o": "4"}).status_code == 200  # sorts by amount


def test_paying_from_a_line_deleted_in_the_same_save_is_refused_not_a_crash(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    data = project_save(
        funding.project, plans={funding: "100.00"}, rows=[{"line": funding, "amount": "1.00"}]
    )
    data["fundings-0-DELETE"] = "on"
    response = change(clerk, funding.project, data)
    assert "funding" in disbursement_errors(response)
    assert Funding.objects.filter(pk=funding.pk).exists()
    assert Disbursement.objects.count() == 0


@pytest.mark.parametrize(("typed", "stored"), [("１００", "100.00"), ("１，０００．５", "1000.50")])
def test_admin_reads_full_width_digits_as_exact_yuan(clerk, typed, stored):
    # A Chinese input method types full-width digits, read exactly, never via a float. (An
    # exponent, 1e3, is refused as the import refuses it: tests/ledger/test_money_input.py.)
    funding = FundingFactory(amount=Decimal("10000.00"))
    response = clerk.post(f"{ADMIN}/disbursement/add/", disbursement_form(funding, typed))
    assert response.status_code == 302
    assert str(Disbursement.objects.get().amount) == stored


def test_project_page_rows_keep_notes_boxes_small(admin_client):
    funding = FundingFactory()
    DisbursementFactory(funding=funding, amount=Decimal("1.00"))
    html = admin_client.get(f"{ADMIN}/project/{funding.project_id}/change/").content.decode()
    # The project's own notes are a full box; each inline row's notes a two-line one.
    assert 'name="disbursements-0-notes" cols="28" rows="2"' in html
    assert 'name="fundings-0-notes" cols="28" rows="2"' in html


def test_save_and_add_another_keeps_the_funding_line_date_and_payee(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    data = disbursement_form(funding, "10.00") | {"_addanother": "1"}
    response = clerk.post(f"{ADMIN}/disbursement/add/", data)
    assert response.status_code == 302
    form = clerk.get(response["Location"]).context["adminform"].form
    assert str(form["funding"].value()) == str(funding.pk)
    assert form["paid_on"].value() == "2024-05-01"
    assert form["payee"].value() == "平昌县肉牛养殖专业合作社联合社"
    assert form["amount"].value() in (None, "")  # the amount is typed afresh


def test_saving_returns_to_the_page_the_clerk_came_from(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    project = funding.project
    url = f"{ADMIN}/project/{project.pk}/change/"
    data = project_form(project, fundings=[funding])

    response = clerk.post(f"{url}?next=/projects/{project.pk}/", data)

    assert response.status_code == 302
    assert response["Location"] == f"/projects/{project.pk}/"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\\\evil.example/", "javascript:alert(1)"],
)
def test_saving_never_returns_to_another_site(clerk, target):
    funding = FundingFactory(amount=Decimal("100.00"))
    project = funding.project
    url = f"{ADMIN}/project/{project.pk}/change/"

    response = clerk.post(
        url, project_form(project, fundings=[funding]), QUERY_STRING="next=" + target
    )

    assert response.status_code == 302
    assert response["Location"] == f"{ADMIN}/project/"


def test_save_and_continue_stays_in_the_admin(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    project = funding.project
    url = f"{ADMIN}/project/{project.pk}/change/"
    data = project_form(project, fundings=[funding]) | {"_continue": "1"}

    response = clerk.post(f"{url}?next=/projects/{project.pk}/", data)

    assert response["Location"].startswith(url)


def test_project_rows_name_each_box_for_screen_readers(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    response = clerk.get(f"{ADMIN}/project/{funding.project.pk}/change/")
    box = re.search(r'<input [^>]*name="fundings-0-amount"[^>]*>', response.content.decode())
    assert 'aria-label="计划金额（元）"' in box.group(0)
    assert "data-money" in box.group(0)
