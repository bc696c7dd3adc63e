"""The team's rules hold in the database itself and are reported politely by full_clean()."""

import datetime
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole, Programme, RoleKind
from ledger.constraints import END_NOT_BEFORE_START
from tests.factories import (
    BatchFactory,
    BodyFactory,
    MemberFactory,
    MemberRoleFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def constraint_message(model: type, name: str) -> str:
    """The violation message a model declares for one constraint, in the active language."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.get_violation_error_message())


@contextmanager
def refused_by_database():
    """Expect an IntegrityError, raised inside a savepoint so the test's transaction stays
    usable (PostgreSQL aborts the whole transaction otherwise)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# Database level ------------------------------------------------------------------------------


def test_database_refuses_second_command_post_in_a_batch():
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.COMMAND_POST)
    with refused_by_database():
        BodyFactory(batch=batch, kind=BodyKind.COMMAND_POST)
    assert Body.objects.filter(batch=batch).count() == 1


def test_database_allows_one_command_post_per_batch_in_different_batches():
    BodyFactory(kind=BodyKind.COMMAND_POST)
    BodyFactory(kind=BodyKind.COMMAND_POST)
    assert Body.objects.filter(kind=BodyKind.COMMAND_POST).count() == 2


def test_database_refuses_second_party_branch_in_a_batch():
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.PARTY_BRANCH)
    with refused_by_database():
        BodyFactory(batch=batch, kind=BodyKind.PARTY_BRANCH)
    assert Body.objects.filter(batch=batch).count() == 1


def test_database_allows_several_working_groups_in_a_batch():
    batch = BatchFactory()
    BodyFactory.create_batch(3, batch=batch, kind=BodyKind.WORKING_GROUP)
    assert Body.objects.filter(batch=batch).count() == 3


def test_database_refuses_two_bodies_with_one_name_in_a_batch():
    body = BodyFactory()
    with refused_by_database():
        BodyFactory(batch=body.batch, name=body.name)


def test_database_refuses_second_role_of_a_member_in_one_body():
    role = MemberRoleFactory(role=RoleKind.HEAD)
    with refused_by_database():
        MemberRoleFactory(member=role.member, body=role.body, role=RoleKind.MEMBER)
    assert MemberRole.objects.count() == 1


def test_database_refuses_member_active_until_before_active_from():
    with refused_by_database():
        MemberFactory(active_from=D(2024, 5, 1), active_until=D(2024, 4, 30))
    assert not Member.objects.exists()


def test_database_accepts_member_active_for_one_day_or_open_ended():
    MemberFactory(active_from=D(2024, 5, 1), active_until=D(2024, 5, 1))
    MemberFactory(active_from=D(2024, 5, 1), active_until=None)
    MemberFactory(active_from=None, active_until=D(2024, 5, 1))
    assert Member.objects.count() == 3


def test_database_refuses_batch_end_before_start():
    with refused_by_database():
        BatchFactory(start_date=D(2023, 7, 1), end_date=D(2023, 6, 30))
    assert not Batch.objects.exists()


def test_database_refuses_programme_plan_end_before_plan_start():
    with refused_by_database():
        ProgrammeFactory(plan_start=D(2021, 1, 1), plan_end=D(2020, 12, 31))
    assert not Programme.objects.exists()


def test_database_refuses_programme_helping_itself():
    with refused_by_database():
        ProgrammeFactory(helper_place="自贡市", helped_place="自贡市")


def test_database_refuses_batch_number_zero_and_duplicate_numbers():
    batch = BatchFactory()
    with refused_by_database():
        BatchFactory(programme=batch.programme, number=0)
    with refused_by_database():
        BatchFactory(programme=batch.programme, number=batch.number)


def test_database_refuses_unknown_body_kind_through_update():
    body = BodyFactory()
    with refused_by_database():
        Body.objects.filter(pk=body.pk).update(kind="committee")  # a role, not a body kind
    body.refresh_from_db()
    assert body.kind == BodyKind.WORKING_GROUP


def test_database_refuses_unknown_body_kind_through_save():
    body = BodyFactory.build(batch=BatchFactory(), kind="bogus")
    with refused_by_database():
        body.save()


def test_database_refuses_unknown_role_through_update_and_save():
    role = MemberRoleFactory()
    with refused_by_database():
        MemberRole.objects.filter(pk=role.pk).update(role="emperor")
    role.role = "emperor"
    with refused_by_database():
        role.save()
    role.refresh_from_db()
    assert role.role == RoleKind.MEMBER


def test_database_refuses_one_account_for_two_members_of_a_batch(user):
    member = MemberFactory(user=user)
    with refused_by_database():
        MemberFactory(batch=member.batch, user=user)
    MemberFactory(user=user)  # a member of another batch may share the account


# Form level: full_clean() reports the model's own message --------------------------------------


def test_full_clean_reports_second_command_post_with_model_message():
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.COMMAND_POST)
    second = Body(batch=batch, kind=BodyKind.COMMAND_POST, name="第二个指挥部")
    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    expected = constraint_message(Body, "one_command_post_per_batch")
    assert expected in excinfo.value.messages


def test_full_clean_reports_message_in_the_active_language():
    """The message is translated when shown, whichever language is active."""
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.COMMAND_POST)
    second = Body(batch=batch, kind=BodyKind.COMMAND_POST, name="第二个指挥部")
    for language in ("en", "zh-hans"):
        with translation.override(language), pytest.raises(ValidationError) as excinfo:
            second.full_clean()
        with translation.override(language):
            assert constraint_message(Body, "one_command_post_per_batch") in (
                excinfo.value.messages
            )
    with translation.override("en"):
        assert constraint_message(Body, "one_command_post_per_batch") == (
            "This batch already has a command post."
        )


def test_full_clean_reports_second_party_branch():
    batch = BatchFactory()
    BodyFactory(batch=batch, kind=BodyKind.PARTY_BRANCH)
    with pytest.raises(ValidationError) as excinfo:
        Body(batch=batch, kind=BodyKind.PARTY_BRANCH, name="另一个支部").full_clean()
    assert constraint_message(Body, "one_party_branch_per_batch") in excinfo.value.messages


def test_full_clean_accepts_an_edited_command_post():
    """Saving the command post again must not count itself as the second one."""
    post = BodyFactory(kind=BodyKind.COMMAND_POST)
    post.duties = "统筹"
    post.full_clean()


def test_full_clean_reports_duplicate_body_name_with_model_message():
    body = BodyFactory()
    with pytest.raises(ValidationError) as excinfo:
        Body(batch=body.batch, kind=BodyKind.WORKING_GROUP, name=body.name).full_clean()
    assert constraint_message(Body, "body_name_unique_per_batch") in excinfo.value.messages


def test_full_clean_reports_duplicate_member_role():
    role = MemberRoleFactory()
    with pytest.raises(ValidationError) as excinfo:
        MemberRole(member=role.member, body=role.body, role=RoleKind.HEAD).full_clean()
    assert constraint_message(MemberRole, "one_role_per_member_per_body") in (
        excinfo.value.messages
    )


def test_full_clean_reports_member_dates_with_shared_message():
    member = MemberFactory.build(
        batch=BatchFactory(), active_from=D(2024, 5, 1), active_until=D(2024, 4, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        member.full_clean()
    assert str(END_NOT_BEFORE_START) in excinfo.value.messages


def test_full_clean_reports_batch_and_programme_dates_with_shared_message():
    batch = BatchFactory.build(
        programme=ProgrammeFactory(), start_date=D(2023, 7, 1), end_date=D(2023, 1, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        batch.full_clean()
    assert str(END_NOT_BEFORE_START) in excinfo.value.messages

    programme = ProgrammeFactory.build(plan_start=D(2021, 1, 1), plan_end=D(2020, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        programme.full_clean()
    assert str(END_NOT_BEFORE_START) in excinfo.value.messages


def test_full_clean_reports_duplicate_member_name_with_model_message():
    member = MemberFactory()
    with pytest.raises(ValidationError) as excinfo:
        Member(batch=member.batch, name=member.name).full_clean()
    assert constraint_message(Member, "member_name_unique_per_batch") in excinfo.value.messages


def test_full_clean_refuses_unknown_choice():
    body = BodyFactory.build(batch=BatchFactory(), kind="bogus")
    with pytest.raises(ValidationError) as excinfo:
        body.full_clean()
    assert "kind" in excinfo.value.message_dict


# clean(): relations that must stay inside one batch --------------------------------------------


def test_member_role_refuses_body_of_another_batch():
    member = MemberFactory()
    other_body = BodyFactory()  # in a batch of its own
    role = MemberRole(member=member, body=other_body, role=RoleKind.MEMBER)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        role.full_clean()
    with translation.override("en"):
        assert excinfo.value.message_dict["body"] == [
            "The body belongs to another batch than the member."
        ]


def test_member_role_accepts_body_of_the_same_batch():
    member = MemberFactory()
    body = BodyFactory(batch=member.batch)
    MemberRole(member=member, body=body, role=RoleKind.HEAD).full_clean()


def test_batch_refuses_leader_from_another_batch():
    batch = BatchFactory()
    batch.leader = MemberFactory()  # in another batch
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        batch.full_clean()
    with translation.override("en"):
        assert excinfo.value.message_dict["leader"] == [
            "The leader must be a member of this batch."
        ]


def test_batch_accepts_leader_from_its_own_members():
    batch = BatchFactory()
    batch.leader = MemberFactory(batch=batch)
    batch.full_clean()
    batch.save()
    batch.refresh_from_db()
    assert batch.leader.batch == batch


def test_new_batch_cannot_choose_a_leader_before_it_has_members():
    batch = BatchFactory.build(programme=ProgrammeFactory(), leader=MemberFactory())
    with pytest.raises(ValidationError) as excinfo:
        batch.full_clean()
    assert "leader" in excinfo.value.message_dict
