"""Accounts for the browser suite. The suite runs with the product's settings, without the
test-only ledger that tests/factories imports, so it makes its few records here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from aidledger.models import Body, Member, MemberRole, RoleKind

PASSWORD = "e2e-correct-horse-battery"


def account(username: str, role: str, *bodies: Body):
    """A login holding the ledger role `role`, a member of each of `bodies` (one member record
    per batch), as tests.factories.user_with_role makes it."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    members: dict[int, Member] = {}
    for body in bodies:
        if body.batch_id not in members:
            members[body.batch_id] = Member.objects.create(
                batch_id=body.batch_id, name=f"{username}（测试）", user=user
            )
        MemberRole.objects.create(member=members[body.batch_id], body=body, role=RoleKind.MEMBER)
    return user
