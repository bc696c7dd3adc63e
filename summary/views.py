"""The summary as of a date (截至目前): the dashboard and its CSV/XLSX exports."""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from aidledger import selectors as team_selectors
from ledger.exports import csv_chunks, csv_response, xlsx_file, xlsx_response
from periods.models import Snapshot
from summary import dashboard, reported
from summary.dashboard import SummaryForm
from summary.selectors import Summary, ledger_summary


def _summary_for(request: HttpRequest) -> tuple[SummaryForm, Summary | None]:
    # Unfiltered, the date box shows the day the heading names (today), not an empty box.
    form = SummaryForm(request.GET or None, initial={"as_of": timezone.localdate()})
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
    context = {
        "form": form,
        "summary": summary,
        "programmes": team_selectors.team_overview(),
        "banner": reported.banner(request.user),
        "snapshots": reported.recent_snapshots(),
    }
    value = request.GET.get("reported", "")
    if value:
        # A stored "as reported" summary beside the ledger as now (periods.Snapshot's id).
        if not value.isdigit() or len(value) > 12:
            return HttpResponseBadRequest(gettext("Unknown as-reported summary."))
        snapshot = get_object_or_404(Snapshot.objects.select_related("period"), pk=int(value))
        context["comparison"] = reported.compare(snapshot)
    if summary is not None:
        context |= {
            "links": dashboard.links(summary),
            "charts": dashboard.chart_data(summary),
            "scope_names": dashboard.scope_names(summary),
        }
    return render(request, "summary/home.html", context)


def summary_export(request: HttpRequest) -> HttpResponseBase:
    """The dashboard's figures as CSV, the as-of date and filters at the top."""
    _form, summary = _summary_for(request)
    if summary is None:
        # Never export figures for filters that could not be read: show the errors.
        return redirect(f"{reverse('home')}?{request.GET.urlencode()}")
    header = [gettext("Ledger summary as of"), summary.as_of]
    chunks = csv_chunks(header, dashboard.csv_rows(summary), chunk_rows=settings.EXPORT_CHUNK_ROWS)
    return csv_response(dashboard.export_filename(summary, "csv"), chunks)


def summary_export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The CSV's figures as a workbook: the date, filters and export time above the table,
    money as exact numbers (the list exports' writer, `ledger.exports.xlsx_file`)."""
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
        kinds=["text", "text", "number", "text", "money"],
        rows=dashboard.xlsx_rows(summary),
    )
    return xlsx_response(dashboard.export_filename(summary, "xlsx"), workbook)
