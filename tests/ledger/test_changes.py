"""/changes/: recent changes to every ledger record, filtered by user, record type, action
and date, each linking to its record; the CSV export holds the same rows."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ledger.history import history_model, tracked_models
from tests.factories import (
    FundingFactory,
    MemberFactory,
    MemberRoleFactory,
    PairingFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T10:00:00"))


def save_as(record, user, day: str | None = None, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record._history_user = user
    if day:
        record._history_date = at(day)
    record.save()
    return record


def rows(response) -> list[dict]:
    return [obj for obj, _cells in response.context["table"]]


def records(response) -> list[tuple[str, str]]:
    return [(row["record_type"], row["record"]) for row in rows(response)]


@pytest.fixture
def ledger():
    """Three changes by two people; the records they need were set up without history."""
    wang = UserFactory(username="wang", first_name="王芳")
    zhang = UserFactory(username="zhang", first_name="张伟")
    batch, programme = MemberFactory().batch, UnitFactory().programme
    for model in tracked_models():
        history_model(model).objects.all().delete()
    member = save_as(MemberFactory.build(batch=batch, name="李雷"), wang, "2024-03-01")
    unit = UnitFactory.build(programme=programme, name="平昌县人民医院", side="helped")
    save_as(unit, zhang, "2024-04-01")
    save_as(member, zhang, "2024-05-01", phone="13911111111")
    return {"wang": wang, "zhang": zhang, "member": member, "unit": unit}


def test_recent_changes_lists_every_kind_of_record_newest_first(client_logged_in, ledger):
    response = client_logged_in.get("/changes/")
    assert response.status_code == 200
    shown = rows(response)
    dates = [row["history_date"] for row in shown]
    assert dates == sorted(dates, reverse=True)
    newest = shown[0]
    assert newest["record"] == "李雷"
    assert newest["user_name"] == "张伟"
    assert newest["action_label"] == "修改"
    assert any("13911111111" in item for item in newest["changes"])
    html = response.content.decode()
    assert "最近修改" in html
    assert f'href="/members/{ledger["member"].pk}/"' in html


def test_filters_by_user_type_action_and_dates(client, ledger_admin, ledger):
    # "changed by" is for those who may see the accounts (ledger.permissions.can_see_accounts).
    client.force_login(ledger_admin)
    get = client.get
    by_wang = records(get("/changes/", {"user": ledger["wang"].pk}))
    assert by_wang == [("队员", "李雷")]
    units = records(get("/changes/", {"model": "pairings.unit"}))
    assert [name for _type, name in units] == ["平昌县人民医院"]
    changed = rows(get("/changes/", {"action": "~"}))
    assert [(row["record"], row["history_type"]) for row in changed] == [("李雷", "~")]
    april = records(get("/changes/", {"since": "2024-04-01", "until": "2024-04-30"}))
    assert april == [("单位", "平昌县人民医院")]
    last_day = records(get("/changes/", {"since": "2024-05-01", "until": "2024-05-01"}))
    assert last_day == [("队员", "李雷")]


def test_a_filter_that_cannot_be_read_shows_no_rows(client_logged_in, ledger):
    response = client_logged_in.get("/changes/", {"since": "not-a-date"})
    assert response.status_code == 200
    assert rows(response) == []
    assert response.context["filterset"].errors


def test_sorting_by_record_type(client_logged_in, ledger):
    types = [t for t, _ in records(client_logged_in.get("/changes/", {"sort": "type"}))]
    assert types == sorted(
        types, key=lambda t: {"队员": "aidledger.member", "单位": "pairings.unit"}[t]
    )


def test_deleted_records_and_child_records_link_where_they_can_be_read(client, ledger_admin):
    funding = FundingFactory(amount=Decimal("10.00"))
    pk = funding.pk
    funding.delete()
    role = MemberRoleFactory()
    pairing = PairingFactory()
    client.force_login(ledger_admin)
    shown = {row["model"]: row for row in rows(client.get("/changes/"))}
    assert shown["projects.funding"]["get_absolute_url"] == f"/admin/projects/funding/{pk}/history/"
    assert shown["aidledger.memberrole"]["get_absolute_url"] == f"/members/{role.member_id}/"
    assert shown["pairings.pairing"]["get_absolute_url"] == f"/pairings/{pairing.pk}/"


def test_a_viewer_sees_no_links_into_the_admin_they_cannot_enter(client_logged_in):
    """A viewer following a deleted record's link landed on the admin's login form."""
    funding = FundingFactory(amount=Decimal("10.00"))
    funding.delete()
    pairing = PairingFactory()
    response = client_logged_in.get("/changes/")
    shown = {row["model"]: row for row in rows(response)}
    assert shown["projects.funding"]["get_absolute_url"] == ""
    assert shown["pairings.pairing"]["get_absolute_url"] == f"/pairings/{pairing.pk}/"
    assert b'href="/admin/' not in response.content


def test_what_changed_is_punctuated_in_the_pages_language(client_logged_in, ledger):
    """The field and its values were joined with an ASCII colon in the Chinese page too."""
    chinese = [c for row in rows(client_logged_in.get("/changes/")) for c in row["changes"]]
    assert "联系电话：— → 13911111111" in chinese
    client_logged_in.cookies["django_language"] = "en"
    english = [c for row in rows(client_logged_in.get("/changes/")) for c in row["changes"]]
    assert "Phone: — → 13911111111" in english


def test_export_holds_the_filtered_rows_with_their_changes(client, ledger_admin, ledger):
    client.force_login(ledger_admin)
    response = client.get("/changes/export.csv", {"user": ledger["zhang"].pk})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert len(table) == 3  # header, the unit added, the member changed
    assert any("13911111111" in cell for row in table for cell in row)
    assert all(row[1] == "张伟" for row in table[1:])


def test_page_queries_do_not_grow_with_rows(client_logged_in):
    def make(count: int) -> None:
        for _ in range(count):
            save_as(FundingFactory(), None, amount=Decimal("99.00"))
            role = MemberRoleFactory()
            save_as(role.member, None, phone="1")
            PairingFactory()

    make(2)
    with CaptureQueriesContext(connection) as few:
        assert client_logged_in.get("/changes/").status_code == 200
    make(12)
    with CaptureQueriesContext(connection) as many:
        response = client_logged_in.get("/changes/")
    assert len(rows(response)) == 50
    assert len(many.captured_queries) == len(few.captured_queries)
