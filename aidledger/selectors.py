"""Queries that the team's pages and exports share."""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from aidledger.models import Batch, Body, BodyKind, Member, MemberRole, Programme, RoleKind


def _roles_with_bodies() -> Prefetch:
    return Prefetch("roles", queryset=MemberRole.objects.select_related("body"))


def member_list() -> QuerySet[Member]:
    """Members with their batch: what a list or export row reads, with attach_roles()."""
    return Member.objects.select_related("batch")


def attach_roles(members: list[Member]) -> None:
    """Set `member.role_list` (roles with their bodies, in body order) in one query."""
    by_member: dict[int, list[MemberRole]] = {member.pk: [] for member in members}
    roles = (
        MemberRole.objects.filter(member_id__in=by_member)
        .select_related("body")
        .order_by("body__position", "body_id")
    )
    for role in roles:
        by_member[role.member_id].append(role)
    for member in members:
        member.role_list = by_member[member.pk]


def member_detail() -> QuerySet[Member]:
    """A member with programme, roles and the cadres they mentor: a constant few queries."""
    # pairings' Mentorship, through the relation it declares on Member (the team app sits
    # below the pairings app and does not import it).
    mentorship = Member._meta.get_field("mentorships").related_model
    return Member.objects.select_related("batch__programme", "user").prefetch_related(
        _roles_with_bodies(),
        Prefetch(
            "mentorships",
            queryset=mentorship.objects.select_related("mentee_unit").order_by("start_date", "pk"),
        ),
    )


def team_overview() -> QuerySet[Programme]:
    """Programmes, their batches (newest first) with member counts, and each batch's bodies
    with member counts and heads: the team's structure in four queries however large it is."""
    heads = MemberRole.objects.filter(
        role__in=[
            RoleKind.LEADER,
            RoleKind.HEAD,
            RoleKind.SECRETARY,
        ]
    ).select_related("member")
    bodies = Body.objects.annotate(member_count=Count("roles", distinct=True)).prefetch_related(
        Prefetch("roles", queryset=heads, to_attr="heads")
    )
    batches = (
        Batch.objects.select_related("leader")
        .annotate(
            member_count=Count("members", distinct=True),
            working_group_count=Count(
                "bodies", filter=Q(bodies__kind=BodyKind.WORKING_GROUP), distinct=True
            ),
        )
        .order_by("-number")
        .prefetch_related(Prefetch("bodies", queryset=bodies))
    )
    return Programme.objects.prefetch_related(Prefetch("batches", queryset=batches))


def in_post_from(date: datetime.date) -> Q:
    """Members still in post on or after `date` (not gone before it)."""
    return Q(active_until__isnull=True) | Q(active_until__gte=date)


def in_post_until(date: datetime.date) -> Q:
    """Members in post on or before `date` (arrived by then)."""
    return Q(active_from__isnull=True) | Q(active_from__lte=date)


def without_role(members: QuerySet[Member]) -> QuerySet[Member]:
    """Members who hold no role in any body (the data-quality rule, summary.quality)."""
    return members.filter(~Exists(MemberRole.objects.filter(member=OuterRef("pk"))))
