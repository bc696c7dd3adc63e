"""The team's pages: the members list and export, a member's page."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        Column("name", pgettext_lazy("of a person", "name"), "name", sort="name", link=True),
        Column("batch", _("batch"), "batch.name", sort="batch__number"),
        Column("roles", _("roles"), _roles, kind="list"),
        Column("home_unit", _("home unit"), "home_unit", sort="home_unit"),
        Column("home_post", _("home post"), "home_post"),
        Column("posting_unit", _("posting unit"), "posting_unit", sort="posting_unit"),
        Column("posting_post", _("posting post"), "posting_post"),
        Column("phone", _("phone"), "phone"),
        Column("active_from", _("active from"), "active_from", sort="active_from", kind="date"),
        Column("active_until", _("active until"), "active_until", kind="date"),
        Column("notes", _("notes"), "notes", kind="longtext"),
    )

    def get_queryset(self) -> QuerySet[Member]:
        return selectors.member_list()

    def load_related(self, objects: list[Member]) -> None:
        selectors.attach_roles(objects)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(selectors.member_detail(), pk=pk)
    return render(request, "aidledger/member_detail.html", {"member": member})
