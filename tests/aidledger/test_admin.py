"""The admin refuses what the database would refuse, with the model's message, and saves nothing;
its lists are for staff with permissions only, and stay cheap with many rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aidledger.models import Body, BodyKind, Member, MemberRole, RoleKind
from ledger.constraints import END_NOT_BEFORE_START
from tests.factories import (
    BatchFactory,
    BodyFactory,
    MemberFactory,
    MemberRoleFactory,
    create_team,
)
from tests.utils import as_shown, loaded_version, msgid_as_shown

pytestmark = pytest.mark.django_db

ADMIN = "/admin/aidledger"


def command_post_message(response) -> str:
    constraint = next(c for c in Body._meta.constraints if c.name == "one_command_post_per_batch")
    return as_shown(response, constraint.violation_error_message)


def body_form(batch, **fields) -> dict:
    return {
        "batch": batch.pk,
        "kind": BodyKind.WORKING_GROUP,
        "name": "新的组",
        "position": "0",
        "duties": "",
        **fields,
    }


def member_form(batch, *, roles=(), **fields) -> dict:
    """The member add form as the browser posts it, with the roles inline (prefix "roles")."""
    data = {
        "batch": batch.pk,
        "name": "新队员",
        "phone": "",
        "user": "",
        "home_unit": "",
        "home_post": "",
        "posting_unit": "",
        "posting_post": "",
        "active_from": "",
        "active_until": "",
        "notes": "",
        "roles-TOTAL_FORMS": str(len(roles)),
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, (body, role) in enumerate(roles):
        data |= {
            f"roles-{index}-id": "",
            f"roles-{index}-member": "",
            f"roles-{index}-body": body.pk,
            f"roles-{index}-role": role,
        }
    return data


def batch_form(batch, *, new_bodies=()) -> dict:
    """The batch change form with new bodies in the bodies inline (prefix "bodies")."""
    existing = list(batch.bodies.all())
    data = {
        "programme": batch.programme_id,
        "number": batch.number,
        "name": batch.name,
        "start_date": batch.start_date.isoformat(),
        "end_date": "",
        "leader": "",
        "bodies-TOTAL_FORMS": str(len(existing) + len(new_bodies)),
        "bodies-INITIAL_FORMS": str(len(existing)),
        "bodies-MIN_NUM_FORMS": "0",
        "bodies-MAX_NUM_FORMS": "1000",
        **loaded_version(batch),
    }
    rows = [(b.pk, b.kind, b.name) for b in existing] + [("", k, n) for k, n in new_bodies]
    for index, (pk, kind, name) in enumerate(rows):
        data |= {
            f"bodies-{index}-id": pk,
            f"bodies-{index}-batch": batch.pk,
            f"bodies-{index}-kind": kind,
            f"bodies-{index}-name": name,
            f"bodies-{index}-position": "0",
            f"bodies-{index}-duties": "",
        }
    return data


# Bodies ----------------------------------------------------------------------------------------


def test_admin_adds_the_first_command_post_of_a_batch(admin_client):
    batch = BatchFactory()
    response = admin_client.post(
        f"{ADMIN}/body/add/", body_form(batch, kind=BodyKind.COMMAND_POST, name="前线指挥部")
    )
    assert response.status_code == 302
    assert batch.bodies.get().kind == BodyKind.COMMAND_POST


def test_admin_refuses_second_command_post_and_shows_why(admin_client):
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.COMMAND_POST, name="前线指挥部")
    response = admin_client.post(
        f"{ADMIN}/body/add/", body_form(batch, kind=BodyKind.COMMAND_POST, name="第二指挥部")
    )
    assert response.status_code == 200
    assert command_post_message(response) in response.content.decode()
    assert batch.bodies.count() == 1


def test_admin_batch_inline_adds_working_groups(admin_client):
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.COMMAND_POST)
    data = batch_form(
        batch,
        new_bodies=[
            (BodyKind.WORKING_GROUP, "综合协调组"),
            (BodyKind.WORKING_GROUP, "产业扶持组"),
        ],
    )
    response = admin_client.post(f"{ADMIN}/batch/{batch.pk}/change/", data)
    assert response.status_code == 302
    assert batch.bodies.count() == 3


def test_admin_batch_inline_refuses_command_post_when_batch_has_one(admin_client):
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.COMMAND_POST, name="前线指挥部")
    data = batch_form(batch, new_bodies=[(BodyKind.COMMAND_POST, "第二指挥部")])
    response = admin_client.post(f"{ADMIN}/batch/{batch.pk}/change/", data)
    assert response.status_code == 200
    assert command_post_message(response) in response.content.decode()
    assert batch.bodies.count() == 1


def test_admin_batch_inline_refuses_two_new_command_posts(admin_client):
    batch = BatchFactory()
    data = batch_form(
        batch,
        new_bodies=[(BodyKind.COMMAND_POST, "指挥部甲"), (BodyKind.COMMAND_POST, "指挥部乙")],
    )
    response = admin_client.post(f"{ADMIN}/batch/{batch.pk}/change/", data)
    assert response.status_code == 200
    assert command_post_message(response) in response.content.decode()
    assert not batch.bodies.exists()


def test_admin_refuses_leader_from_another_batch(admin_client):
    batch = BatchFactory()
    outsider = MemberFactory()
    data = batch_form(batch) | {"leader": outsider.pk}
    response = admin_client.post(f"{ADMIN}/batch/{batch.pk}/change/", data)
    assert response.status_code == 200
    msg = msgid_as_shown(response, "The leader must be a member of this batch.")
    assert msg in response.content.decode()
    batch.refresh_from_db()
    assert batch.leader is None


def test_admin_sets_leader_from_the_batch(admin_client):
    batch = BatchFactory()
    leader = MemberFactory(batch=batch)
    data = batch_form(batch) | {"leader": leader.pk}
    response = admin_client.post(f"{ADMIN}/batch/{batch.pk}/change/", data)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.leader == leader


# Members ---------------------------------------------------------------------------------------


def test_admin_adds_member_with_role_in_own_batch(admin_client):
    body = BodyFactory()
    data = member_form(body.batch, roles=[(body, RoleKind.HEAD)], name="王海涛")
    response = admin_client.post(f"{ADMIN}/member/add/", data)
    assert response.status_code == 302
    member = Member.objects.get(name="王海涛")
    assert [(r.body, r.role) for r in member.roles.all()] == [(body, RoleKind.HEAD)]


def test_admin_refuses_member_ending_before_start_and_saves_nothing(admin_client):
    body = BodyFactory()
    data = member_form(
        body.batch,
        roles=[(body, RoleKind.MEMBER)],
        active_from="2024-05-01",
        active_until="2024-04-30",
    )
    response = admin_client.post(f"{ADMIN}/member/add/", data)
    assert response.status_code == 200
    assert as_shown(response, END_NOT_BEFORE_START) in response.content.decode()
    assert not Member.objects.exists()
    assert not MemberRole.objects.exists()


def test_admin_refuses_changing_member_dates_backwards(admin_client):
    member = MemberFactory(active_from=datetime.date(2024, 5, 1))
    data = member_form(member.batch, name=member.name, active_from="2024-05-01") | {
        "active_until": "2023-01-01"
    }
    response = admin_client.post(f"{ADMIN}/member/{member.pk}/change/", data)
    assert response.status_code == 200
    assert as_shown(response, END_NOT_BEFORE_START) in response.content.decode()
    member.refresh_from_db()
    assert member.active_until is None


def test_admin_refuses_new_member_with_role_in_another_batch(admin_client):
    own_batch = BatchFactory()
    foreign_body = BodyFactory()  # in another batch
    data = member_form(own_batch, roles=[(foreign_body, RoleKind.MEMBER)], name="张陈")
    response = admin_client.post(f"{ADMIN}/member/add/", data)
    assert response.status_code == 200
    msg = msgid_as_shown(response, "The body belongs to another batch than the member.")
    assert msg in response.content.decode()
    assert not Member.objects.exists()
    assert not MemberRole.objects.exists()


def test_admin_refuses_moving_member_away_from_their_bodies(admin_client):
    role = MemberRoleFactory()
    member = role.member
    other_batch = BatchFactory()
    data = member_form(other_batch, name=member.name) | {
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "1",
        "roles-0-id": role.pk,
        "roles-0-member": member.pk,
        "roles-0-body": role.body_id,
        "roles-0-role": role.role,
    }
    response = admin_client.post(f"{ADMIN}/member/{member.pk}/change/", data)
    assert response.status_code == 200
    msg = msgid_as_shown(response, "The body belongs to another batch than the member.")
    assert msg in response.content.decode()
    member.refresh_from_db()
    assert member.batch == role.body.batch


def test_admin_refuses_two_roles_of_a_member_in_one_body(admin_client):
    body = BodyFactory()
    data = member_form(body.batch, roles=[(body, RoleKind.HEAD), (body, RoleKind.MEMBER)])
    response = admin_client.post(f"{ADMIN}/member/add/", data)
    assert response.status_code == 200
    assert not Member.objects.exists()
    assert not MemberRole.objects.exists()


def test_admin_keeps_a_batch_leader_inside_the_batch(admin_client):
    batch = BatchFactory()
    leader = MemberFactory(batch=batch)
    batch.leader = leader
    batch.save()
    other = BatchFactory()
    admin_client.post(f"{ADMIN}/member/{leader.pk}/change/", member_form(other, name=leader.name))
    batch.refresh_from_db()
    assert batch.leader is None or batch.leader.batch_id == batch.pk


def test_admin_keeps_roles_inside_one_batch_when_a_body_moves(admin_client):
    role = MemberRoleFactory()
    body = role.body
    other = BatchFactory()
    admin_client.post(
        f"{ADMIN}/body/{body.pk}/change/", body_form(other, kind=body.kind, name=body.name)
    )
    role.refresh_from_db()
    assert role.body.batch_id == role.member.batch_id


# Who may see the admin lists ---------------------------------------------------------------

CHANGELISTS = ["programme", "batch", "body", "member"]


@pytest.fixture
def some_of_everything():
    MemberRoleFactory.create_batch(3)


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_changelist_shows_for_superuser(admin_client, some_of_everything, model):
    response = admin_client.get(f"{ADMIN}/{model}/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_changelist_sends_anonymous_to_login(client, model):
    response = client.get(f"{ADMIN}/{model}/")
    assert response.status_code == 302
    assert response.url.startswith(("/accounts/login/", "/admin/login/"))


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_changelist_denies_logged_in_non_staff(client_logged_in, model):
    response = client_logged_in.get(f"{ADMIN}/{model}/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("model", CHANGELISTS)
def test_admin_changelist_denies_staff_without_a_role(client, staff_user, model):
    client.force_login(staff_user)
    response = client.get(f"{ADMIN}/{model}/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_admin_add_view_denies_logged_in_non_staff(client_logged_in):
    batch = BatchFactory()
    response = client_logged_in.post(f"{ADMIN}/body/add/", body_form(batch))
    assert response.status_code in (302, 403)
    assert not Body.objects.exists()


# Query count ---------------------------------------------------------------------------------


def member_changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{ADMIN}/member/")
    assert response.status_code == 200
    return len(queries)


def test_admin_member_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_max_num_queries
):
    create_team(members=10)
    few = member_changelist_queries(admin_client)
    create_team(members=190)
    with django_assert_max_num_queries(10):
        many = member_changelist_queries(admin_client)
    assert many == few
