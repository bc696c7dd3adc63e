"""Small factory_boy factories for the team's models; names are sequences so they stay unique."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole, Programme, RoleKind

__all__ = [
    "TEST_PASSWORD",
    "BatchFactory",
    "BodyFactory",
    "MemberFactory",
    "MemberRoleFactory",
    "ProgrammeFactory",
    "UserFactory",
    "create_team",
    "user_with_role",
]

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs) -> None:
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"帮扶关系{n}")
    helper_place = "自贡市"
    helped_place = "平昌县"
    plan_start = datetime.date(2021, 1, 1)
    plan_end = datetime.date(2025, 12, 31)


class BatchFactory(DjangoModelFactory):
    class Meta:
        model = Batch

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"第{n + 1}批")
    start_date = datetime.date(2023, 7, 1)


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body

    batch = factory.SubFactory(BatchFactory)
    kind = BodyKind.WORKING_GROUP
    name = factory.Sequence(lambda n: f"工作组{n}")


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    batch = factory.SubFactory(BatchFactory)
    name = factory.Sequence(lambda n: f"队员{n:04d}")


class MemberRoleFactory(DjangoModelFactory):
    class Meta:
        model = MemberRole

    member = factory.SubFactory(MemberFactory)
    body = factory.SubFactory(BodyFactory, batch=factory.SelfAttribute("..member.batch"))
    role = RoleKind.MEMBER


def create_team(*, members: int, bodies: int = 2, batch: Batch | None = None) -> Batch:
    """A batch with `bodies` working groups and `members` members, each with a role in every
    body and a login account: bulk-created, so hundreds of rows stay fast to make."""
    batch = batch or BatchFactory()
    groups = BodyFactory.create_batch(bodies, batch=batch)
    start = batch.members.count()
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"batch{batch.pk}-account{index}") for index in range(start, start + members)
    )
    people = Member.objects.bulk_create(
        Member(
            batch=batch,
            name=f"{batch.name}队员{index:04d}",
            home_unit=f"自贡市单位{index}",
            posting_unit=f"平昌县单位{index}",
            user=account,
        )
        for index, account in enumerate(users, start=start)
    )
    MemberRole.objects.bulk_create(
        MemberRole(member=person, body=group, role=RoleKind.MEMBER)
        for person in people
        for group in groups
    )
    return batch


def user_with_role(role: str | None, *bodies: Body, **kwargs):
    """An account holding the ledger role `role` (a group name from ledger.permissions, or
    None for no role), a member of each of `bodies` (one member record per batch)."""
    account = UserFactory(**kwargs)
    if role:
        account.groups.add(Group.objects.get(name=role))
    members: dict[int, Member] = {}
    for body in bodies:
        if body.batch_id not in members:
            members[body.batch_id] = MemberFactory(batch_id=body.batch_id, user=account)
        MemberRoleFactory(member=members[body.batch_id], body=body)
    return account
