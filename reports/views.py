"""The report pages: the briefing download, the pack request, "我的导出" with its progress
bars, and each job's status (JSON for static/js/jobs.js) and download."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from ledger import permissions
from reports import services, tasks
from reports.briefing import build_docx, default_title
from reports.forms import ReportForm
from reports.models import ExportJob
from reports.pack import safe_name
from reports.services import JobRefused

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def briefing(request: HttpRequest) -> HttpResponseBase:
    """The Word briefing for the query's day or period, made at once (a second or two): any
    reader may download it. Unreadable filters show the form with the errors (400)."""
    form = ReportForm(request.GET)
    if not form.is_valid():
        return render(request, "reports/request.html", {"form": form}, status=400)
    scope = form.scope()
    output = io.BytesIO()
    build_docx(scope.figures(), title=scope.title_context(default_title()), output=output)
    output.seek(0)
    response = FileResponse(
        output,
        as_attachment=True,
        filename=safe_name(f"{services.briefing_title(scope)}.docx", limit=120),
        content_type=DOCX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def pack(request: HttpRequest) -> HttpResponse:
    """The pack's form (GET, filled from the dashboard's filters); POST queues it."""
    if request.method == "GET":
        form = ReportForm(request.GET or None)
        return render(request, "reports/request.html", {"form": form, "pack": True})
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/request.html", {"form": form, "pack": True}, status=400)
    try:
        job = tasks.request_pack(
            request.user, form.scope(), period_text=form.cleaned_data["period"]
        )
    except JobRefused as refusal:
        messages.error(request, str(refusal))
        return render(request, "reports/request.html", {"form": form, "pack": True}, status=409)
    messages.success(request, gettext("The pack is being built; it will wait here when ready."))
    return redirect("report-job", pk=job.pk)


def jobs(request: HttpRequest) -> HttpResponse:
    """我的导出: the user's jobs, newest first (a ledger admin sees everyone's)."""
    rows = permissions.visible_exports(request.user, ExportJob.objects.select_related("owner"))
    return render(
        request,
        "reports/jobs.html",
        {
            "jobs": rows[:100],
            "show_owner": permissions.is_ledger_admin(request.user),
            "expiry_hours": settings.REPORTS_EXPIRY_HOURS,
        },
    )


def _job(request: HttpRequest, pk: int) -> ExportJob:
    """The job, if the user may see it; otherwise 404, as if it did not exist."""
    job = get_object_or_404(ExportJob.objects.select_related("owner"), pk=pk)
    if not permissions.can_see_export(request.user, job.owner_id):
        raise Http404
    return job


def job(request: HttpRequest, pk: int) -> HttpResponse:
    """One job: its progress bar (kept current by static/js/jobs.js, or the refresh link)."""
    return render(request, "reports/job.html", {"job": _job(request, pk)})


def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    found = _job(request, pk)
    response = JsonResponse(
        {
            "status": found.status,
            "status_label": found.get_status_display(),
            "progress": found.progress,
            "message": found.message,
            "active": found.active,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _job(request, pk)
    if not found.downloadable:
        raise Http404
    try:
        handle = services.file_of(found).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=found.download_name)
    response["Cache-Control"] = "no-store"
    return response
