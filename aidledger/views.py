"""The team's pages: the overview, the members list and export, a member's page."""

from operator import itemgetter

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from aidledger import dashboard, history, permissions, selectors
from aidledger.dashboard import SummaryForm
from aidledger.exports import csv_chunks, csv_response, xlsx_file, xlsx_response
from aidledger.filters import ChangeFilter, MemberFilter
from aidledger.listing import Column, LedgerListView
from aidledger.models import Member, RoleKind
from aidledger.summary import Summary, ledger_summary


def _summary_for(request: HttpRequest) -> tuple[SummaryForm, Summary | None]:
    form = SummaryForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    cleaned = form.cleaned_data if form.is_bound else {}
    return form, ledger_summary(
        as_of=cleaned.get("as_of") or timezone.localdate(),
        batch=cleaned.get("batch"),
        body=cleaned.get("body"),
    )


def home(request: HttpRequest) -> HttpResponse:
    """The summary as of a date (截至目前) with its charts, and the team's structure."""
    form, summary = _summary_for(request)
    context = {"form": form, "summary": summary, "programmes": selectors.team_overview()}
    if summary is not None:
        context |= {"links": dashboard.links(summary), "charts": dashboard.chart_data(summary)}
    return render(request, "aidledger/home.html", context)


def summary_export(request: HttpRequest) -> HttpResponseBase:
    """The dashboard's figures as CSV, the as-of date and filters at the top."""
    _form, summary = _summary_for(request)
    if summary is None:
        # Never export figures for filters that could not be read: show the errors.
        return redirect(f"{reverse('home')}?{request.GET.urlencode()}")
    header = [gettext("Ledger summary as of"), summary.as_of]
    chunks = csv_chunks(header, dashboard.csv_rows(summary), chunk_rows=settings.EXPORT_CHUNK_ROWS)
    return csv_response(f"{gettext('Ledger summary')}-{summary.as_of:%Y%m%d}.csv", chunks)


def summary_export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The CSV's figures as a workbook: the date, filters and export time above the table,
    money as exact numbers (the list exports' writer, `aidledger.exports.xlsx_file`)."""
    _form, summary = _summary_for(request)
    if summary is None:
        return redirect(f"{reverse('home')}?{request.GET.urlencode()}")
    notes = [
        *(
            gettext("%(label)s: %(value)s") % {"label": label, "value": value}
            for label, value in dashboard.scope(summary)
        ),
        gettext("Exported at %(time)s") % {"time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    ]
    workbook = xlsx_file(
        title=gettext("Ledger summary as of %(date)s") % {"date": summary.as_of.isoformat()},
        notes=notes,
        header=dashboard.figure_header(),
        kinds=["text", "text", "number", "text"],
        rows=dashboard.xlsx_rows(summary),
    )
    return xlsx_response(f"{gettext('Ledger summary')}-{summary.as_of:%Y%m%d}.xlsx", workbook)


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


class ChangeListView(LedgerListView):
    """Recent changes to any ledger record: who changed which record when, and how."""

    title = _("Recent changes")
    filterset_class = ChangeFilter
    default_sort = "-when"
    columns = (
        Column("when", _("when"), itemgetter("history_date"), sort="history_date", kind="date"),
        Column("user", _("changed by"), itemgetter("user_name")),
        Column("action", _("action"), itemgetter("action_label")),
        Column("type", _("record type"), itemgetter("record_type"), sort="model"),
        Column("record", _("record"), itemgetter("record"), link=True),
        Column("changes", _("what changed"), itemgetter("changes"), kind="list"),
    )

    def get_queryset(self) -> QuerySet:
        return history.recent_changes()

    def ordering(self, sort: str) -> list[str]:
        # A union sorts by its own columns; the model and the history id break ties.
        column = self.sortable()[sort.removeprefix("-")].sort
        keys = [column, *(key for key in ("history_date", "model", "history_id") if key != column)]
        return [f"-{key}" for key in keys] if sort.startswith("-") else keys

    def load_related(self, objects: list[dict]) -> None:
        history.attach_changes(objects)
        # Records without a page of their own (an outlet, a deleted record) link to their
        # history in the admin; a viewer cannot enter the admin, so they get the name only.
        if not permissions.can_enter_admin(self.request.user):
            admin_root = reverse("admin:index")
            for row in objects:
                if row["get_absolute_url"].startswith(admin_root):
                    row["get_absolute_url"] = ""


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(selectors.member_detail(), pk=pk)
    return render(request, "aidledger/member_detail.html", {"member": member})


# The language switch must work on the login page too, before anyone has logged in.
set_language = login_not_required(require_POST(django_set_language))
