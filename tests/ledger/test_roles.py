"""Roles as a person meets them: an editor of 产业扶持组 (group A) tries every route to change a
社会事业组 (group B) project and fails, changes their own; a viewer finds no way to change
anything; a ledger admin manages accounts but cannot make superusers; no role, no ledger."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ledger import permissions
from ledger.admin import NOT_YOUR_BODY, READ_ONLY_HERE
from ledger.sites import NO_ADMIN_ROLE
from projects.models import Funding, FundingSource, Project
from tests.factories import (
    TEST_PASSWORD,
    ExchangeFactory,
    FundingFactory,
    MemberRoleFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
    user_with_role,
)
from tests.projects.test_admin import project_form
from tests.utils import NO_EVIDENCE_FILES, as_shown, msgid_as_shown

pytestmark = pytest.mark.django_db
ADMIN = "/admin/projects/project"


@pytest.fixture
def own_project(group_a):
    return ProjectFactory(responsible_body=group_a, name="优质肉牛全产业链")


@pytest.fixture
def other_project(group_b):
    return ProjectFactory(responsible_body=group_b, name="教学设备捐赠")


@pytest.fixture
def as_editor_a(client, editor_a):
    client.force_login(editor_a)
    return client


def _unchanged(project: Project) -> bool:
    stored = Project.objects.get(pk=project.pk)
    return (stored.name, stored.responsible_body_id) == (project.name, project.responsible_body_id)


# Editor of group A against group B's project: every route --------------------------------------


def test_editor_sees_another_groups_project_read_only_in_the_admin(as_editor_a, other_project):
    FundingFactory(project=other_project, amount="2500000.00")
    response = as_editor_a.get(f"{ADMIN}/{other_project.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert other_project.name in page
    assert 'name="name"' not in page  # no inputs: the read-only view
    assert 'name="_save"' not in page
    assert "2,500,000.00" in page or "2500000.00" in page  # the inline's row, shown
    assert 'name="fundings-0-amount"' not in page  # but not as an input


def test_editor_is_told_why_another_groups_record_is_read_only(
    as_editor_a, other_project, own_project
):
    told = READ_ONLY_HERE % {"bodies": str(own_project.responsible_body)}
    other = as_editor_a.get(f"{ADMIN}/{other_project.pk}/change/")
    assert as_shown(other, told) in other.content.decode()
    own = as_editor_a.get(f"{ADMIN}/{own_project.pk}/change/")
    assert as_shown(own, told) not in own.content.decode()
    assert as_shown(own, told) in other.content.decode()  # the same words, for comparison


def test_editor_cannot_save_another_groups_project(as_editor_a, other_project):
    data = project_form(other_project) | {"name": "改了别组的项目"}
    response = as_editor_a.post(f"{ADMIN}/{other_project.pk}/change/", data)
    assert response.status_code == 403
    assert _unchanged(other_project)


def test_editor_cannot_add_rows_through_the_inline_of_another_groups_project(
    as_editor_a, other_project
):
    data = project_form(other_project) | {
        "fundings-TOTAL_FORMS": "1",
        "fundings-0-id": "",
        "fundings-0-project": other_project.pk,
        "fundings-0-source": FundingSource.MUNICIPAL,
        "fundings-0-year": "2024",
        "fundings-0-amount": "100.00",
    }
    response = as_editor_a.post(f"{ADMIN}/{other_project.pk}/change/", data)
    assert response.status_code == 403
    assert not Funding.objects.filter(project=other_project).exists()


def test_editor_cannot_change_another_groups_funding_line_directly(as_editor_a, group_b):
    funding = FundingFactory(project__responsible_body=group_b)
    response = as_editor_a.post(
        f"/admin/projects/funding/{funding.pk}/change/",
        {"project": funding.project_id, "source": funding.source, "year": 2024, "amount": "1.00"},
    )
    assert response.status_code == 403
    funding.refresh_from_db()
    assert funding.amount != 1


def test_editor_cannot_delete_another_groups_project(as_editor_a, other_project):
    assert as_editor_a.get(f"{ADMIN}/{other_project.pk}/delete/").status_code == 403
    response = as_editor_a.post(f"{ADMIN}/{other_project.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Project.objects.filter(pk=other_project.pk).exists()


def test_bulk_delete_with_another_groups_project_deletes_nothing(
    as_editor_a, own_project, other_project
):
    response = as_editor_a.post(
        f"{ADMIN}/",
        {
            "action": "delete_selected",
            "_selected_action": [own_project.pk, other_project.pk],
            "post": "yes",
        },
        follow=True,
    )
    assert Project.objects.filter(pk__in=[own_project.pk, other_project.pk]).count() == 2
    messages = [str(message) for message in response.context["messages"]]
    assert any(other_project.name in message for message in messages)
    assert any("未删除任何记录" in message for message in messages), messages  # in Chinese


def test_bulk_delete_of_own_projects_deletes_them(as_editor_a, own_project):
    response = as_editor_a.post(
        f"{ADMIN}/",
        {"action": "delete_selected", "_selected_action": [own_project.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Project.objects.filter(pk=own_project.pk).exists()


def test_editor_cannot_move_own_project_to_another_group(as_editor_a, own_project, group_b):
    data = project_form(own_project) | {"responsible_body": group_b.pk}
    response = as_editor_a.post(f"{ADMIN}/{own_project.pk}/change/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["responsible_body"]
    assert errors == [NOT_YOUR_BODY % {"bodies": "第二批 · 产业扶持组"}]
    assert as_shown(response, errors[0]) in response.content.decode()
    assert _unchanged(own_project)


def test_editor_cannot_add_a_project_for_another_group(as_editor_a, group_b):
    data = project_form(ProjectFactory.build(responsible_body=group_b, code="XM-NEW"))
    response = as_editor_a.post(f"{ADMIN}/add/", data)
    assert response.status_code == 200
    assert not Project.objects.filter(code="XM-NEW").exists()


def test_editor_may_add_a_funding_line_only_to_own_projects_through_its_admin(
    as_editor_a, own_project, other_project
):
    form = {"source": "municipal", "year": "2024", "amount": "100.00", **NO_EVIDENCE_FILES}
    refused = as_editor_a.post("/admin/projects/funding/add/", form | {"project": other_project.pk})
    assert refused.status_code == 200
    # The project field decides the line's group: the refusal names the editor's own groups.
    assert refused.context["adminform"].form.errors["project"] == [
        NOT_YOUR_BODY % {"bodies": str(own_project.responsible_body)}
    ]
    assert not Funding.objects.filter(project=other_project).exists()
    accepted = as_editor_a.post("/admin/projects/funding/add/", form | {"project": own_project.pk})
    assert accepted.status_code == 302
    assert Funding.objects.filter(project=own_project).count() == 1


def test_body_autocomplete_offers_an_editor_only_own_groups(as_editor_a, group_a, group_b):
    response = as_editor_a.get(
        "/admin/autocomplete/",
        {"app_label": "projects", "model_name": "project", "field_name": "responsible_body"},
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(group_a.pk)]


def test_body_autocomplete_offers_a_ledger_admin_every_group(
    client, ledger_admin, group_a, group_b
):
    client.force_login(ledger_admin)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "projects", "model_name": "project", "field_name": "responsible_body"},
    )
    assert {item["id"] for item in response.json()["results"]} == {str(group_a.pk), str(group_b.pk)}


def test_project_autocomplete_offers_editors_only_projects_they_may_save_under(
    as_editor_a, own_project, other_project
):
    # Issue 18: a funding line's project picks who keeps the line; another group's project
    # would be refused at save, so it is not offered (reading stays everyone's, on the lists).
    response = as_editor_a.get(
        "/admin/autocomplete/",
        {"app_label": "projects", "model_name": "funding", "field_name": "project"},
    )
    assert [item["id"] for item in response.json()["results"]] == [str(own_project.pk)]


def test_body_choices_offer_an_editor_only_own_groups(as_editor_a, group_a, group_b):
    exchange = ExchangeFactory(lead_body=group_a)
    response = as_editor_a.get(f"/admin/pairings/exchange/{exchange.pk}/change/")
    choices = response.context["adminform"].form.fields["lead_body"].queryset
    assert list(choices) == [group_a]


# Editor of group A on their own records ---------------------------------------------------------


def test_editor_edits_own_project(as_editor_a, own_project):
    data = project_form(own_project) | {"name": "优质肉牛全产业链（二期）"}
    response = as_editor_a.post(f"{ADMIN}/{own_project.pk}/change/", data)
    assert response.status_code == 302
    own_project.refresh_from_db()
    assert own_project.name == "优质肉牛全产业链（二期）"


def test_editor_adds_a_project_for_own_group(as_editor_a, group_a):
    data = project_form(ProjectFactory.build(responsible_body=group_a, code="XM-OWN"))
    response = as_editor_a.post(f"{ADMIN}/add/", data)
    assert response.status_code == 302
    assert Project.objects.get(code="XM-OWN").responsible_body == group_a


def test_editor_adds_a_unit_but_cannot_change_units(as_editor_a, group_a):
    response = as_editor_a.post(
        "/admin/pairings/unit/add/",
        {
            "programme": group_a.batch.programme_id,
            "side": "helped",
            "kind": "township",
            "name": "平昌县新设镇",
        },
    )
    assert response.status_code == 302
    unit = UnitFactory(name="已有单位")
    assert as_editor_a.post(f"/admin/pairings/unit/{unit.pk}/change/", {}).status_code == 403


def test_editor_enters_the_admin_without_staff_status(client, editor_a):
    assert not editor_a.is_staff
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": editor_a.username, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_editor_membership_in_a_second_group_counts_from_the_next_request(
    as_editor_a, editor_a, other_project, group_b
):
    MemberRoleFactory(member=editor_a.members.get(), body=group_b)
    data = project_form(other_project) | {"name": "现在可以改了"}
    assert as_editor_a.post(f"{ADMIN}/{other_project.pk}/change/", data).status_code == 302


# Viewers ------------------------------------------------------------------------------------------


def test_viewer_is_kept_out_of_the_admin_with_a_message(client, viewer):
    response = client.post(
        "/admin/login/", {"username": viewer.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert as_shown(response, NO_ADMIN_ROLE) in response.content.decode()
    client.force_login(viewer)
    assert client.get("/admin/").url.startswith("/admin/login/")


def test_viewer_sees_no_edit_links_and_no_admin_link(client, viewer, own_project):
    client.force_login(viewer)
    for path in ("/", f"/projects/{own_project.pk}/", "/projects/"):
        page = client.get(path).content.decode()
        assert "/admin/" not in page, path


def test_editor_sees_edit_link_on_own_project_only(as_editor_a, own_project, other_project):
    own = as_editor_a.get(f"/projects/{own_project.pk}/").content.decode()
    other = as_editor_a.get(f"/projects/{other_project.pk}/").content.decode()
    assert f"/admin/projects/project/{own_project.pk}/change/" in own
    assert "/admin/projects/" not in other
    assert 'href="/admin/"' in other  # the header's admin link


def test_edit_link_on_pairing_and_member_pages_follows_the_rules(client, group_a, editor_a):
    from tests.factories import PairingFactory

    pairing = PairingFactory(responsible_body=group_a)
    member = editor_a.members.get()
    client.force_login(editor_a)
    assert "/change/" in client.get(f"/pairings/{pairing.pk}/").content.decode()
    # Members are reference data: only ledger admins edit them.
    assert "/change/" not in client.get(f"/members/{member.pk}/").content.decode()
    client.force_login(user_with_role(permissions.LEDGER_ADMIN))
    assert "/change/" in client.get(f"/members/{member.pk}/").content.decode()


# No role ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/projects/", "/projects/export.csv", "/members/"])
def test_account_without_a_role_is_told_to_ask_for_one(client, no_role_user, path):
    client.force_login(no_role_user)
    response = client.get(path)
    assert response.status_code == 403
    assert msgid_as_shown(response, "Your account has no role in the ledger yet") in (
        response.content.decode()
    )
    assert "site-nav" not in response.content.decode()  # no links that lead to more 403s


def test_no_role_page_follows_the_chosen_language(client, no_role_user):
    client.force_login(no_role_user)
    client.cookies["django_language"] = "en"
    response = client.get("/")
    assert response.status_code == 403
    assert "Your account has no role in the ledger yet" in response.content.decode()


def test_account_without_a_role_can_log_out(client, no_role_user):
    client.force_login(no_role_user)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_giving_a_role_opens_the_ledger(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get("/").status_code == 403
    no_role_user.groups.add(Group.objects.get(name=permissions.VIEWER))
    assert client.get("/").status_code == 200


# Ledger admins and accounts -----------------------------------------------------------------------


@pytest.fixture
def as_ledger_admin(client, ledger_admin):
    client.force_login(ledger_admin)
    return client


def _user_form(account, **fields) -> dict:
    return {
        "username": account.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        **fields,
    }


def test_ledger_admin_gives_an_account_the_editor_role(as_ledger_admin, no_role_user):
    editor_group = Group.objects.get(name=permissions.EDITOR)
    response = as_ledger_admin.post(
        f"/admin/auth/user/{no_role_user.pk}/change/",
        _user_form(no_role_user, groups=[editor_group.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(no_role_user.groups.all()) == [editor_group]


def test_ledger_admin_cannot_make_a_superuser_or_grant_raw_permissions(
    as_ledger_admin, no_role_user
):
    page = as_ledger_admin.get(f"/admin/auth/user/{no_role_user.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    as_ledger_admin.post(
        f"/admin/auth/user/{no_role_user.pk}/change/",
        _user_form(no_role_user, is_superuser="on", is_staff="on", user_permissions=[1, 2]),
    )
    no_role_user.refresh_from_db()
    assert not no_role_user.is_superuser
    assert not no_role_user.user_permissions.exists()


def test_ledger_admin_is_offered_only_the_roles_as_groups(as_ledger_admin, no_role_user):
    Group.objects.create(name="特殊权限")
    response = as_ledger_admin.get(f"/admin/auth/user/{no_role_user.pk}/change/")
    offered = set(
        response.context["adminform"].form.fields["groups"].queryset.values_list("name", flat=True)
    )
    assert offered == set(permissions.ROLES)


def test_ledger_admin_keeps_groups_it_cannot_see(as_ledger_admin, no_role_user):
    special = Group.objects.create(name="特殊权限")
    no_role_user.groups.add(special)
    as_ledger_admin.post(
        f"/admin/auth/user/{no_role_user.pk}/change/", _user_form(no_role_user, groups=[])
    )
    assert list(no_role_user.groups.all()) == [special]


def test_ledger_admin_cannot_change_a_superusers_account(as_ledger_admin):
    chief = UserFactory(username="chief", is_superuser=True, is_staff=True)
    assert as_ledger_admin.get(f"/admin/auth/user/{chief.pk}/password/").status_code == 403
    response = as_ledger_admin.post(
        f"/admin/auth/user/{chief.pk}/change/", _user_form(chief, is_active="")
    )
    assert response.status_code == 403
    assert (
        as_ledger_admin.post(f"/admin/auth/user/{chief.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    chief.refresh_from_db()
    assert chief.is_active


def test_ledger_admin_cannot_change_the_roles_themselves(as_ledger_admin):
    viewer_group = Group.objects.get(name=permissions.VIEWER)
    response = as_ledger_admin.post(
        f"/admin/auth/group/{viewer_group.pk}/change/", {"name": "改名", "permissions": []}
    )
    assert response.status_code == 403
    assert Group.objects.filter(name=permissions.VIEWER).exists()


def test_superuser_still_has_the_full_user_admin(admin_client, no_role_user):
    page = admin_client.get(f"/admin/auth/user/{no_role_user.pk}/change/").content.decode()
    assert 'name="is_superuser"' in page


def test_user_list_shows_each_accounts_roles(as_ledger_admin, editor_a):
    response = as_ledger_admin.get("/admin/auth/user/")
    assert as_shown(response, permissions.EDITOR) in response.content.decode()


def test_editor_cannot_open_the_accounts(as_editor_a):
    assert as_editor_a.get("/admin/auth/user/").status_code == 403


def test_inactive_editor_is_refused(client, editor_a):
    editor_a.is_active = False
    editor_a.save()
    User = get_user_model()
    assert not permissions.can_enter_admin(User.objects.get(pk=editor_a.pk))


def test_empty_ledger_offers_adding_the_programme_only_to_who_may(client, viewer, ledger_admin):
    client.force_login(viewer)
    assert "/admin/aidledger/programme/add/" not in client.get("/").content.decode()
    client.force_login(ledger_admin)
    assert "/admin/aidledger/programme/add/" in client.get("/").content.decode()
