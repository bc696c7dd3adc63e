"""ledger.permissions: who may read, add and change which record."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.exceptions import PermissionDenied

from aidledger.models import Body, Member, Programme
from ledger import permissions
from pairings.models import Exchange, Mentorship, Pairing, Unit
from projects.models import Disbursement, Outlet, Project, Sale, Segment
from tests.factories import (
    DisbursementFactory,
    ExchangeFactory,
    ExchangePairingFactory,
    FundingFactory,
    IndicatorFactory,
    InvestmentLeadFactory,
    MemberFactory,
    MemberRoleFactory,
    MentorshipFactory,
    OutletFactory,
    PairingFactory,
    ProjectFactory,
    SaleFactory,
    UnitFactory,
    UserFactory,
    user_with_role,
)


def test_migration_creates_the_three_roles_in_chinese(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {"查看者", "录入员", "管理员"} <= names


def test_viewer_group_may_view_but_not_change_ledger_models(viewer):
    assert viewer.has_perm("projects.view_project")
    assert viewer.has_perm("pairings.view_exchange")
    assert not viewer.has_perm("projects.change_project")
    assert not viewer.has_perm("auth.view_user")


def test_editor_group_changes_ledger_records_but_only_adds_units(editor_a):
    assert editor_a.has_perm("projects.change_project")
    assert editor_a.has_perm("projects.delete_disbursement")
    assert editor_a.has_perm("pairings.add_unit")
    assert not editor_a.has_perm("pairings.change_unit")
    assert not editor_a.has_perm("aidledger.change_member")


def test_ledger_admin_group_manages_accounts_but_not_raw_permissions(ledger_admin):
    assert ledger_admin.has_perm("aidledger.change_body")
    assert ledger_admin.has_perm("auth.change_user")
    assert ledger_admin.has_perm("auth.view_group")
    assert not ledger_admin.has_perm("auth.change_group")
    assert not ledger_admin.has_perm("auth.change_permission")
    assert not Permission.objects.filter(
        group__name=permissions.LEDGER_ADMIN, codename__in=["add_group", "change_group"]
    ).exists()


def test_who_may_read(db, no_role_user, viewer, editor_a, ledger_admin):
    assert not permissions.can_read(AnonymousUser())
    assert not permissions.can_read(no_role_user)
    assert permissions.can_read(viewer)
    assert permissions.can_read(editor_a)
    assert permissions.can_read(ledger_admin)
    assert permissions.can_read(UserFactory(is_superuser=True))


def test_inactive_account_reads_nothing(viewer):
    viewer.is_active = False
    assert not permissions.can_read(viewer)


def test_staff_flag_alone_gives_no_role(db):
    staff = UserFactory(is_staff=True)
    assert not permissions.can_read(staff)
    assert not permissions.can_enter_admin(staff)


def test_who_may_enter_the_admin(no_role_user, viewer, editor_a, ledger_admin):
    assert not permissions.can_enter_admin(no_role_user)
    assert not permissions.can_enter_admin(viewer)
    assert permissions.can_enter_admin(editor_a)
    assert permissions.can_enter_admin(ledger_admin)


def test_ledger_admin_and_superuser_are_ledger_admins(db, editor_a, ledger_admin):
    assert permissions.is_ledger_admin(ledger_admin)
    assert permissions.is_ledger_admin(UserFactory(is_superuser=True))
    assert not permissions.is_ledger_admin(editor_a)


def test_editable_bodies_are_the_editors_own(editor_a, group_a, group_b):
    assert permissions.editable_body_ids(editor_a) == {group_a.pk}


def test_editable_bodies_cover_every_batch_the_editor_served(editor_a, group_a):
    later = MemberRoleFactory(member=MemberFactory(user=editor_a)).body
    permissions.forget(editor_a)
    assert permissions.editable_body_ids(editor_a) == {group_a.pk, later.pk}


def test_member_of_a_body_without_editor_role_may_change_nothing(group_a):
    viewer_in_group = user_with_role(permissions.VIEWER, group_a)
    assert permissions.editable_body_ids(viewer_in_group) == frozenset()
    assert not permissions.can_change(viewer_in_group, ProjectFactory(responsible_body=group_a))


def test_ledger_admin_may_edit_every_body(ledger_admin, group_a, group_b):
    assert permissions.editable_body_ids(ledger_admin) == set(
        Body.objects.values_list("pk", flat=True)
    )


def test_editable_bodies_are_read_once_per_user_object(editor_a, django_assert_num_queries):
    permissions.forget(editor_a)
    with django_assert_num_queries(2):  # the roles, then the bodies
        permissions.editable_body_ids(editor_a)
        permissions.editable_body_ids(editor_a)
        permissions.can_read(editor_a)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: PairingFactory(responsible_body=a),
        lambda a: ExchangeFactory(lead_body=a),
        lambda a: MentorshipFactory(mentor=MemberRoleFactory(body=a).member),
        lambda a: ProjectFactory(responsible_body=a),
        lambda a: FundingFactory(project__responsible_body=a),
        lambda a: DisbursementFactory(funding__project__responsible_body=a),
        lambda a: IndicatorFactory(project__responsible_body=a),
        lambda a: InvestmentLeadFactory(follower_body=a),
        lambda a: InvestmentLeadFactory(follower=MemberRoleFactory(body=a).member),
        lambda a: SaleFactory(outlet__responsible_body=a),
        lambda a: OutletFactory(responsible_body=a),
    ],
    ids=[
        "pairing",
        "exchange",
        "mentorship",
        "project",
        "funding",
        "disbursement",
        "indicator",
        "lead-by-body",
        "lead-by-follower",
        "sale",
        "outlet",
    ],
)
def test_each_ledger_record_answers_to_its_groups_editors_only(
    make, group_a, editor_a, editor_b, viewer, ledger_admin
):
    record = make(group_a)
    assert group_a.pk in permissions.responsible_body_ids(record)
    assert permissions.can_change(editor_a, record)
    assert not permissions.can_change(editor_b, record)
    assert not permissions.can_change(viewer, record)
    assert permissions.can_change(ledger_admin, record)
    assert permissions.can_view(viewer, record)
    assert not permissions.can_view(AnonymousUser(), record)


def test_exchange_link_answers_to_either_sides_editors(
    group_a, group_b, editor_a, editor_b, viewer
):
    link = ExchangePairingFactory(exchange__lead_body=group_a, pairing__responsible_body=group_b)
    assert permissions.responsible_body_ids(link) == {group_a.pk, group_b.pk}
    assert permissions.can_change(editor_a, link)
    assert permissions.can_change(editor_b, link)
    assert not permissions.can_change(viewer, link)


def test_related_rows_already_loaded_cost_no_query(group_a, django_assert_num_queries):
    DisbursementFactory(funding__project__responsible_body=group_a)
    disbursement = Disbursement.objects.select_related("project").get()
    with django_assert_num_queries(0):
        assert permissions.responsible_body_ids(disbursement) == {group_a.pk}


def test_unsaved_disbursement_answers_through_its_funding_line(group_a, editor_a, editor_b):
    funding = FundingFactory(project__responsible_body=group_a)
    disbursement = Disbursement(funding=funding)
    assert permissions.can_change(editor_a, disbursement)
    assert not permissions.can_change(editor_b, disbursement)


def test_sale_at_an_outlet_without_a_group_only_ledger_admins_change(db, editor_a, ledger_admin):
    sale = SaleFactory(outlet__responsible_body=None)
    assert permissions.responsible_body_ids(sale) == frozenset()
    assert not permissions.can_change(editor_a, sale)
    assert permissions.can_change(ledger_admin, sale)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a.batch.programme,
        lambda a: a.batch,
        lambda a: a,
        lambda a: MemberRoleFactory(body=a).member,
        lambda a: UnitFactory(),
    ],
    ids=["programme", "batch", "body", "member", "unit"],
)
def test_reference_data_only_ledger_admins_change(make, group_a, editor_a, ledger_admin):
    record = make(group_a)
    assert permissions.responsible_body_ids(record) == frozenset()
    assert not permissions.can_change(editor_a, record)
    assert permissions.can_change(ledger_admin, record)


@pytest.mark.parametrize(
    ("model", "editor_may"),
    [
        (Pairing, True),
        (Exchange, True),
        (Mentorship, True),
        (Project, True),
        (Disbursement, True),
        (Sale, True),
        (Unit, True),
        (Outlet, True),
        (Programme, False),
        (Body, False),
        (Member, False),
        (Segment, False),
    ],
)
def test_who_may_add(model, editor_may, editor_a, viewer, ledger_admin):
    assert permissions.can_add(editor_a, model) is editor_may
    assert not permissions.can_add(viewer, model)
    assert permissions.can_add(ledger_admin, model)


def test_require_change_raises_permission_denied(group_a, editor_a, editor_b):
    project = ProjectFactory(responsible_body=group_a)
    permissions.require_change(editor_a, project)
    with pytest.raises(PermissionDenied):
        permissions.require_change(editor_b, project)


def test_anonymous_may_change_nothing(group_a):
    project = ProjectFactory(responsible_body=group_a)
    assert not permissions.can_change(AnonymousUser(), project)
    assert not permissions.can_add(AnonymousUser(), Project)
    assert permissions.editable_body_ids(AnonymousUser()) == frozenset()
