"""Import in the admin (upload → preview → confirm), and the XLSX files in the import format
that each list page offers: a blank template and the ledger's records for re-import.

Between the preview and the confirmation, the uploaded file waits in a private directory
(settings.IMPORT_PENDING_DIR) under a random token that only the uploader's session holds;
the confirmation names the token, never a path, and the file is deleted once confirmed,
cancelled or expired (settings.IMPORT_PENDING_SECONDS). The confirmation runs the whole
check again: the ledger may have changed since the preview.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, resolve, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import permissions
from ledger.exports import xlsx_response
from ledger.imports.run import run_import
from ledger.imports.specs import ImportSpec, spec_for_model, specs
from ledger.imports.workbook import export_rows, workbook_file

SESSION_KEY = "pending_imports"
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
PREVIEW_ROWS = 10


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"), help_text=gettext_lazy("CSV (UTF-8 or GBK) or XLSX.")
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=31,
        help_text=gettext_lazy("XLSX only; leave empty for the first sheet."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
                % {
                    "size": f"{upload.size / 1_000_000:.1f}",
                    "max": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}",
                }
            )
        return upload


# The pending file ------------------------------------------------------------------------------


def pending_dir() -> Path:
    directory = Path(settings.IMPORT_PENDING_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def purge_expired() -> None:
    """Delete pending files older than IMPORT_PENDING_SECONDS (abandoned previews)."""
    limit = time.time() - settings.IMPORT_PENDING_SECONDS
    for pending in pending_dir().glob("*.upload"):
        try:
            if pending.stat().st_mtime < limit:
                pending.unlink()
        except FileNotFoundError:
            pass


def keep(request: HttpRequest, spec: ImportSpec, data: bytes, *, filename: str, sheet: str) -> str:
    purge_expired()
    token = secrets.token_urlsafe(32)
    target = pending_dir() / f"{token}.upload"
    target.write_bytes(data)
    target.chmod(0o600)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {
        "ledger": spec.name,
        "filename": filename,
        "sheet": sheet,
        "time": time.time(),
    }
    request.session[SESSION_KEY] = pending
    return token


def take(request: HttpRequest, spec: ImportSpec, token: str) -> tuple[bytes, dict] | None:
    """The file this session uploaded under `token` (and forget it), or None."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None) if TOKEN.fullmatch(token or "") else None
    request.session[SESSION_KEY] = pending
    if entry is None or entry["ledger"] != spec.name:
        return None
    target = pending_dir() / f"{token}.upload"
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        return None
    finally:
        target.unlink(missing_ok=True)
    if time.time() - entry["time"] > settings.IMPORT_PENDING_SECONDS:
        return None
    return data, entry


# The admin -------------------------------------------------------------------------------------


class ImportAdminMixin:
    """An "导入" button on the changelist of every model that has an import spec, leading to
    upload → preview → confirm. Only users who may add records of the model get it."""

    change_list_template = "admin/ledger/change_list.html"

    def import_spec(self) -> ImportSpec | None:
        return spec_for_model(self.model)

    def get_urls(self):
        urls = super().get_urls()
        if self.import_spec() is None:
            return urls
        info = self.model._meta.app_label, self.model._meta.model_name
        view = self.admin_site.admin_view(self.import_view)
        view.model_admin = self  # as on the admin's own views (ModelAdmin.get_urls)
        return [path("import/", view, name="{}_{}_import".format(*info)), *urls]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = extra_context or {}
        # The model permission the changelist has already loaded decides the button (no
        # extra query); the import page itself asks ledger.permissions.
        if self.import_spec() and self.has_add_permission(request):
            info = self.model._meta.app_label, self.model._meta.model_name
            extra_context["import_url"] = reverse("admin:{}_{}_import".format(*info))
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview (nothing written) → confirm (the whole check again, then write)."""
        spec = self.import_spec()
        if spec is None:
            raise Http404
        if not permissions.can_add(request.user, self.model):
            raise PermissionDenied
        context = self.import_context(request, spec)
        if request.method == "POST" and "token" in request.POST:
            return self.confirm_import(request, spec, context)
        return self.preview_import(request, spec, context)

    def import_context(self, request: HttpRequest, spec: ImportSpec) -> dict[str, Any]:
        """What the import page always shows: the columns, the template, the limits."""
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(records)s") % {"records": spec.title},
            "spec": spec,
            "columns": [(spec.label(col), col) for col in spec.columns],
            "template_url": reverse(f"{spec.name}-import-template"),
            "max_mb": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}",
            "max_rows": settings.IMPORT_MAX_ROWS,
        }

    def changelist_url(self) -> str:
        return reverse(
            f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
        )

    def confirm_import(
        self, request: HttpRequest, spec: ImportSpec, context: dict[str, Any]
    ) -> HttpResponse:
        """The previewed file, named by its token: cancelled, or checked again and written
        (back to the list), or shown with the errors it has now."""
        kept = take(request, spec, request.POST["token"])
        if kept is None:
            messages.error(
                request, _("That upload has expired or was already used; upload it again.")
            )
            return redirect(request.path)
        data, entry = kept
        if "cancel" in request.POST:
            messages.info(request, _("Import cancelled; nothing was written."))
            return redirect(self.changelist_url())
        result = run_import(
            spec, data, filename=entry["filename"], sheet=entry["sheet"], user=request.user
        )
        if result.ok:
            messages.success(
                request,
                _(
                    "Imported %(filename)s: %(new)s new, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % {"filename": entry["filename"], **result.counts},
            )
            return redirect(self.changelist_url())
        context |= {"form": UploadForm(), "result": result, "filename": entry["filename"]}
        return render(request, "admin/ledger/import.html", context)

    def preview_import(
        self, request: HttpRequest, spec: ImportSpec, context: dict[str, Any]
    ) -> HttpResponse:
        """The upload form; an uploaded file checked without writing, its first rows shown,
        and kept under a token for the confirmation when it has no error."""
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            sheet = form.cleaned_data["sheet"].strip()
            data = upload.read()
            result = run_import(
                spec,
                data,
                filename=upload.name,
                sheet=sheet or None,
                user=request.user,
                dry_run=True,
            )
            context |= {
                "result": result,
                "filename": upload.name,
                "preview": result.planned[:PREVIEW_ROWS],
            }
            if result.ok:
                context["token"] = keep(request, spec, data, filename=upload.name, sheet=sheet)
            form = UploadForm()
        context["form"] = form
        return render(request, "admin/ledger/import.html", context)


# The files on the list pages ---------------------------------------------------------------


def import_template(request: HttpRequest, ledger: str) -> HttpResponse:
    """A blank XLSX in the import format: headers, an example row, drop-down lists."""
    spec = specs()[ledger]
    filename = _("%(records)s-template.xlsx") % {"records": capfirst(spec.title)}
    return xlsx_response(filename, workbook_file(spec, None))


def import_records(request: HttpRequest, ledger: str) -> HttpResponse:
    """The list's rows (its filters applied, as the CSV export) in the import format: edit
    them in Excel and import them back."""
    spec = specs()[ledger]
    list_url = reverse(spec.list_url_name)
    view = resolve(list_url).func.view_class()
    view.setup(request)
    filterset = view.filter()  # the list's own filters, as its page and CSV apply them
    if not filterset.is_valid():
        # Never export "everything" when a filter could not be read: show the errors.
        return redirect(f"{list_url}?{request.GET.urlencode()}")
    # Streamed: the rows a chunk at a time into a workbook in constant memory, written to a
    # temporary file that the response sends and deletes (as the lists' XLSX exports).
    output = workbook_file(spec, export_rows(spec, within=filterset.qs))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(f"{capfirst(spec.title)}-{stamp}.xlsx", output)


def file_urls(route: str, *, ledger: str) -> list:
    """A list's import-format files beside it: `<route>template.xlsx`, `<route>records.xlsx`."""
    return [
        path(
            f"{route}template.xlsx",
            import_template,
            {"ledger": ledger},
            name=f"{ledger}-import-template",
        ),
        path(f"{route}records.xlsx", import_records, {"ledger": ledger}, name=f"{ledger}-records"),
    ]


def import_links(request: HttpRequest, url_name: str) -> dict[str, str] | None:
    """The import links of a list page (by its URL name), for the list template."""
    spec = next((s for s in specs().values() if s.list_url_name == url_name), None)
    # The import format is for those who import: a reader who may not add gets no links.
    if spec is None or not permissions.can_add(request.user, spec.model):
        return None
    links = {
        "template": reverse(f"{spec.name}-import-template"),
        "records": reverse(f"{spec.name}-records"),
    }
    if admin.site.has_permission(request):
        meta = spec.model._meta
        links["import"] = reverse(f"admin:{meta.app_label}_{meta.model_name}_import")
    return links
