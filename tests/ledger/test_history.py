"""Change history: every save and delete of a ledger record is recorded with who and what,
shown on the record's page, in the admin and on /changes/; gaps (bulk writes) are closed."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.text import capfirst

from aidledger.models import Member, MemberRole, RoleKind
from ledger.history import history_model, record_changes, tracked_models
from pairings.models import Exchange, ExchangePairing, Pairing, PairingStatus, UnitKind
from pairings.services import record_exchange
from projects.models import Disbursement, Funding
from projects.services import record_disbursements
from tests.aidledger.test_admin import member_form
from tests.factories import (
    BodyFactory,
    DisbursementFactory,
    ExchangeFactory,
    FundingFactory,
    MemberFactory,
    MemberRoleFactory,
    PairingFactory,
    ProjectFactory,
    UserFactory,
)
from tests.utils import loaded_version

pytestmark = pytest.mark.django_db
ADMIN = "/admin"


@pytest.fixture
def clerk(client):
    user = UserFactory(is_staff=True, is_superuser=True, first_name="李明")
    client.force_login(user)
    client.user = user
    return client


def label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def fields_of(change) -> dict[str, tuple[str, str]]:
    return {str(item.label): (item.old, item.new) for item in change.fields}


# Recording ----------------------------------------------------------------------------------------


def test_every_ledger_model_is_tracked():
    names = {model.__name__ for model in tracked_models()}
    assert names == {
        "Programme",
        "Batch",
        "Body",
        "Member",
        "MemberRole",
        "Unit",
        "Pairing",
        "Exchange",
        "ExchangePairing",
        "Mentorship",
        "Project",
        "Funding",
        "Disbursement",
        "Indicator",
        "Segment",
        "InvestmentLead",
        "Outlet",
        "Sale",
        "Evidence",
        "Training",  # tests/example_ledger: found like any other
    }


def test_admin_add_change_and_delete_are_recorded_with_the_user_and_the_fields(clerk):
    body = BodyFactory()
    data = member_form(body.batch, roles=[(body, RoleKind.HEAD)], phone="13800000000")
    assert clerk.post(f"{ADMIN}/aidledger/member/add/", data).status_code == 302
    member = Member.objects.get(name="新队员")
    changed = member_form(body.batch, phone="13900000000", **loaded_version(member))
    response = clerk.post(f"{ADMIN}/aidledger/member/{member.pk}/change/", changed)
    assert response.status_code == 302
    member.roles.all().delete()
    response = clerk.post(f"{ADMIN}/aidledger/member/{member.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Member.objects.exists()

    rows = Member.history.filter(id=member.pk).order_by("history_date")
    assert [row.history_type for row in rows] == ["+", "~", "-"]
    assert {row.history_user for row in rows} == {clerk.user}
    changes = record_changes(member)  # newest first, the record's roles included
    deleted, role_deleted, changed, role_added, added = changes
    assert [c.action for c in (deleted, changed, added)] == ["-", "~", "+"]
    assert fields_of(changed) == {label(Member, "phone"): ("13800000000", "13900000000")}
    assert fields_of(added)[label(Member, "phone")] == ("", "13800000000")
    assert role_added.action == "+"
    assert role_deleted.action == "-"
    assert str(body.name) in role_added.subject


def test_a_child_records_heading_is_punctuated_in_the_readers_language():
    """The heading "职务: 综合协调组 · 组长" had an ASCII colon in the Chinese page."""
    role = MemberRoleFactory()
    with translation.override("zh-hans"):
        (chinese,) = [c.subject for c in record_changes(role.member) if c.subject]
    with translation.override("en"):
        (english,) = [c.subject for c in record_changes(role.member) if c.subject]
    assert chinese.startswith("职务：")
    assert english.startswith("Role: ")


def test_a_save_that_changes_nothing_leaves_no_history_row():
    member = MemberFactory()
    member.save()
    member.phone = member.phone  # same value
    member.save()
    assert member.history.count() == 1


def test_money_in_history_is_whole_fen_and_reads_as_yuan():
    funding = FundingFactory(amount=Decimal("1234.50"))
    funding.amount = Decimal("2000000.00")
    funding.save()
    table = history_model(Funding)._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT amount FROM {table} ORDER BY history_id")  # noqa: S608
        assert [row[0] for row in cursor.fetchall()] == [123450, 200000000]
    assert funding.history.first().amount == Decimal("2000000.00")
    change = record_changes(funding)[0]
    assert fields_of(change) == {label(Funding, "amount"): ("1,234.50", "2,000,000.00")}


def test_choices_and_foreign_keys_read_as_labels_and_names():
    pairing = PairingFactory()
    other = BodyFactory(batch=pairing.responsible_body.batch, name="社会事业组")
    before = str(pairing.responsible_body)
    pairing.responsible_body = other
    pairing.status = PairingStatus.ENDED
    pairing.ended_on = datetime.date(2024, 10, 9)
    pairing.save()
    fields = fields_of(record_changes(pairing)[0])
    assert fields[label(Pairing, "responsible_body")] == (before, str(other))
    assert fields[label(Pairing, "status")] == (
        str(PairingStatus.ACTIVE.label),
        str(PairingStatus.ENDED.label),
    )
    assert fields[label(Pairing, "ended_on")] == ("—", "2024-10-09")


def test_a_deleted_record_named_by_a_change_keeps_its_name():
    member = MemberRoleFactory().member
    old_body = member.roles.get().body
    role = member.roles.get()
    role.body = BodyFactory(batch=member.batch)
    role.save()
    name = str(old_body)
    old_body.delete()
    change = record_changes(member)[0]
    old, _new = fields_of(change)[label(MemberRole, "body")]
    assert name in old


# Gaps closed: writes that would bypass save() ----------------------------------------------------


def test_a_units_new_kind_is_recorded_in_its_pairings_history():
    pairing = PairingFactory(helper__kind=UnitKind.SCHOOL)
    unit = pairing.helper
    unit.kind = UnitKind.HOSPITAL
    unit.save()
    latest = pairing.history.first()
    assert (latest.history_type, latest.category) == ("~", UnitKind.HOSPITAL)


def test_record_exchange_records_each_pairing_linked_and_unlinked():
    exchange = ExchangeFactory()
    first = exchange.pairings.get()
    second = PairingFactory(helper__programme=first.programme)
    fields = {"date": exchange.date, "title": exchange.title, "kind": exchange.kind}
    record_exchange(exchange=exchange, pairings=[second], lead_body=exchange.lead_body, **fields)
    history = ExchangePairing.history.filter(exchange_id=exchange.pk)
    assert {(row.pairing_id, row.history_type) for row in history} == {
        (second.pk, "+"),
        (first.pk, "-"),
    }
    assert list(exchange.pairings.all()) == [second]
    subjects = [change.subject for change in record_changes(exchange) if change.subject]
    assert any(str(second) in subject for subject in subjects)


def test_deleting_disbursements_through_the_service_is_recorded():
    paid = DisbursementFactory()
    pk = paid.pk
    record_disbursements(saving=[], deleting=[paid])
    assert not Disbursement.objects.exists()
    assert Disbursement.history.filter(id=pk, history_type="-").exists()


def test_deleting_an_exchange_records_its_links_too():
    exchange = ExchangeFactory()
    link = exchange.links.get()
    exchange.delete()
    assert ExchangePairing.history.filter(id=link.pk, history_type="-").exists()


def test_demo_loader_leaves_history_and_a_second_run_adds_none():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = {m: history_model(m).objects.count() for m in tracked_models()}
    # Every model the demo ledger fills (it attaches no evidence files, and the tests' example
    # ledger is not the report's).
    filled = [
        m
        for m in tracked_models()
        if m.__name__ != "Evidence" and m._meta.app_label != "example_ledger"
    ]
    assert all(counts[m] >= m.objects.count() > 0 for m in filled), counts
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert {m: history_model(m).objects.count() for m in tracked_models()} == counts


# Modules that may write tracked tables in bulk, and why their rows need no history.
BULK_WRITES_ALLOWED = {
    # generate_ledger's synthetic ledger (issue 8): nobody changed those rows, and history rows
    # would double a load of millions; its first real change is recorded like any other.
    "sampledata/synthetic.py": "synthetic rows, never changed by anyone",
    # rebuild_rollups (issue 19) writes the roll-ups, which are sums of tracked records and
    # carry no history of their own; it never writes a tracked record.
    "ledger/rollups.py": "roll-ups only, recounted from the records",
}


def test_no_bulk_writes_on_tracked_models_in_the_code():
    """update(), bulk_create(), bulk_update() and a manager's set()/add() leave no history;
    the ledger's code saves row by row (tests may use them to build data)."""
    import pathlib
    import re

    # Raw bulk writes (COPY … FROM STDIN, executemany) skip history as surely as bulk_create();
    # COPY … TO STDOUT (an export) reads.
    pattern = re.compile(
        r"\.(update|bulk_create|bulk_update|executemany)\(|\.pairings\.(set|add|remove)\("
        r"|\.copy\(.*FROM STDIN"
    )
    found = []
    # Every package of ours, the machinery and the sample data included.
    packages = ("ledger", "aidledger", "evidence", "pairings", "projects", "summary", "sampledata")
    for app in packages:
        for path in pathlib.Path(app).rglob("*.py"):
            if "migrations" in path.parts or str(path) in BULK_WRITES_ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                prose = line.lstrip().startswith("#") or "`" in line
                if pattern.search(line) and not prose and "update_or_create" not in line:
                    found.append(f"{path}:{number}: {line.strip()}")
    # dict.update() and set.update() are not database writes (nor are the import registries,
    # module-level dicts in capitals).
    found = [
        f
        for f in found
        if not re.search(
            r"(values|names|kwargs|data|context|fields_cache|\]|\b[A-Z_]{3,})\.update\(", f
        )
    ]
    assert found == []


# Deletes that would lose money or history are refused -------------------------------------------

# Foreign keys that do not protect their target, and why.
NOT_PROTECT = {
    ("aidledger.Member", "user"): "an account may go (unlinked through save(), recorded)",
    ("aidledger.MemberRole", "member"): "a role is part of its member; its history stays",
    ("pairings.ExchangePairing", "exchange"): "a link is part of its exchange; history stays",
}


def test_every_foreign_key_of_the_ledger_protects_its_target():
    loose = {}
    for model in tracked_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey):
                action = field.remote_field.on_delete
                if action is not models.PROTECT:
                    loose[(model._meta.label, field.name)] = action.__name__
    assert set(loose) == set(NOT_PROTECT)


def test_deleting_a_members_login_account_is_recorded_in_the_members_history():
    account = UserFactory()
    member = MemberFactory(user=account)
    account.delete()
    member.refresh_from_db()
    assert member.user is None
    latest = member.history.first()
    assert (latest.history_type, latest.user_id) == ("~", None)


def test_admin_refuses_deleting_a_project_with_money_and_says_why(clerk):
    funding = FundingFactory()
    url = f"{ADMIN}/projects/project/{funding.project_id}/delete/"
    page = clerk.get(url)
    assert page.status_code == 200
    assert page.context["protected"]
    assert "受保护" in page.content.decode()
    clerk.post(url, {"post": "yes"})
    assert Funding.objects.filter(pk=funding.pk).exists()


def test_admin_bulk_delete_refuses_protected_records(clerk):
    funding = FundingFactory()
    empty = ProjectFactory()
    response = clerk.post(
        f"{ADMIN}/projects/project/",
        {
            "action": "delete_selected",
            "_selected_action": [funding.project_id, empty.pk],
            "post": "yes",
        },
    )
    assert response.status_code == 200
    assert response.context["protected"]
    assert Funding.objects.filter(pk=funding.pk).exists()


def test_an_account_that_changed_the_ledger_cannot_be_deleted(clerk):
    other = UserFactory(is_staff=True, is_superuser=True)
    clerk.force_login(other)
    data = member_form(BodyFactory().batch)
    assert clerk.post(f"{ADMIN}/aidledger/member/add/", data).status_code == 302
    clerk.force_login(clerk.user)
    response = clerk.get(f"{ADMIN}/auth/user/{other.pk}/delete/")
    assert response.context["protected"]
    clerk.post(f"{ADMIN}/auth/user/{other.pk}/delete/", {"post": "yes"})
    assert Member.history.get().history_user == other


# Shown to people ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["member", "pairing", "project"])
def test_detail_page_shows_the_change_history_with_the_users_name(clerk, kind):
    if kind == "member":
        record = MemberFactory()
        url, field, value = f"/members/{record.pk}/", "phone", "13912345678"
    elif kind == "pairing":
        record = PairingFactory()
        url, field, value = f"/pairings/{record.pk}/", "agreement", "乡村治理工作结对帮带协议"
    else:
        record = ProjectFactory()
        url, field, value = f"/projects/{record.pk}/", "implementing_unit", "平昌县农业农村局"
    # A change made through a request records its user (HistoryRequestMiddleware).
    record._history_user = clerk.user
    setattr(record, field, value)
    record.save()
    html = clerk.get(url).content.decode()
    assert "修改记录" in html
    assert "李明" in html
    assert value in html
    assert "修改" in html


def test_detail_page_history_queries_do_not_grow_with_changes(clerk, django_assert_num_queries):
    member = MemberFactory()
    MemberRoleFactory(member=member)
    url = f"/members/{member.pk}/"
    clerk.get(url)
    with CaptureQueriesContext(connection) as few:
        clerk.get(url)
    for number in range(15):
        member.phone = f"1390000{number:04d}"
        member.save()
        role = member.roles.get()
        role.body = BodyFactory(batch=member.batch)
        role.save()
    with django_assert_num_queries(len(few.captured_queries)):
        clerk.get(url)


def test_admin_history_page_shows_the_changes_and_refuses_reverting(clerk):
    funding = FundingFactory(amount=Decimal("100.00"))
    funding.amount = Decimal("150.00")
    funding.save()
    url = f"{ADMIN}/projects/funding/{funding.pk}/history/"
    html = clerk.get(url).content.decode()
    assert "100.00" in html
    assert "150.00" in html
    assert "修改记录" in html
    version = funding.history.last().history_id
    version_url = f"{url}{version}/"
    assert clerk.get(version_url).status_code == 200
    response = clerk.post(version_url, {"project": funding.project_id, "amount": "100.00"})
    assert response.status_code == 403
    funding.refresh_from_db()
    assert funding.amount == Decimal("150.00")


def test_admin_history_page_of_a_deleted_record(clerk):
    funding = FundingFactory()
    pk = funding.pk
    funding.delete()
    response = clerk.get(f"{ADMIN}/projects/funding/{pk}/history/")
    assert response.status_code == 200
    assert "删除" in response.content.decode()


def test_anonymous_visitor_cannot_read_history_pages(client):
    funding = FundingFactory()
    for url in (f"{ADMIN}/projects/funding/{funding.pk}/history/", "/changes/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_exchange_record_history_shows_no_link_field_of_its_own_parent():
    exchange = ExchangeFactory()
    link = ExchangePairing(exchange=exchange, pairing=PairingFactory())
    link.save()
    change = next(c for c in record_changes(exchange) if c.subject)
    assert label(ExchangePairing, "exchange") not in fields_of(change)
    assert Exchange.history.filter(id=exchange.pk).count() == 1
