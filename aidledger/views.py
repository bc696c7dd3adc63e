"""The team's pages: the members list and export, a member's page."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from aidledger import selectors
from aidledger.filters import MemberFilter
from aidledger.models import Member, RoleKind
from ledger.listing import Column, LedgerListView


def _roles(member: Member) -> list[str]:
    # RoleKind(...).label, not get_role_display(): the latter rebuilds a dict of the lazy
    # choices on every call, which dominated the export's time.
    return [f"{role.body.name} · {RoleKind(role.role).label}" for role in member.role_list]


class MemberListView(LedgerListView):
    title = _("Members")
    filterset_class = MemberFilter
    default_sort = "batch"
    columns = (
        Column("name", sort=True, link=True),
        Column("batch.name", sort="batch__number"),
        Column(_roles, _("roles"), key="roles", kind="list"),
        Column("home_unit", sort=True),
        Column("home_post"),
        Column("posting_unit", sort=True),
        Column("posting_post"),
        Column("phone"),
        Column("active_from", sort=True),
        Column("active_until"),
        Column("notes"),
    )

    def get_queryset(self) -> QuerySet[Member]:
        return selectors.member_list()

    def load_related(self, objects: list[Member]) -> None:
        selectors.attach_roles(objects)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(selectors.member_detail(), pk=pk)
    return render(request, "aidledger/member_detail.html", {"member": member})
