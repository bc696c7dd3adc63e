"""Evidence files: download, thumbnail, upload and delete, each asking ledger.permissions.

Files are served only from here: the storage has no URL and whitenoise never sees the folder.
A download is an attachment under the uploader's original name (RFC 6266 filename*, so
Chinese names survive); only images checked by Pillow may show inline, and every response
carries nosniff and a sandboxing CSP, so no uploaded content can run as a page.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from PIL import UnidentifiedImageError

from evidence import selectors, services
from evidence.forms import EvidenceForm
from evidence.models import Evidence
from evidence.storage import evidence_storage
from ledger import permissions

logger = logging.getLogger(__name__)

FORM_PREFIX = "evidence"  # evidence.uploads watches fields named "evidence-…"


def _viewable(request: HttpRequest, pk: int) -> Evidence:
    evidence = get_object_or_404(Evidence, pk=pk)
    record = selectors.record_of(evidence)
    if not permissions.can_view(request.user, record):
        raise PermissionDenied
    return evidence


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    # Whatever the bytes are, a browser may not run them as a page.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, as an attachment; an image with ?inline=1 opens in the browser."""
    evidence = _viewable(request, pk)
    inline = evidence.is_image and request.GET.get("inline") == "1"
    try:
        handle = evidence_storage.open(evidence.file.name, "rb")
    except FileNotFoundError:
        logger.error("Evidence %s: file %s is missing", evidence.pk, evidence.file.name)
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=evidence.content_type_header,
    )
    return _private(response)


@require_safe
def thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    """A small JPEG of an image, or the first page of a PDF, made once and kept beside the
    files: a PDF is previewed as a picture, never opened in the ledger's pages."""
    evidence = _viewable(request, pk)
    if not evidence.has_preview:
        raise Http404
    try:
        path = services.thumbnail_path(evidence)
    except services.NoThumbnail as reason:
        # Stored before EVIDENCE_MAX_PIXELS: too big to decode safely; the page shows its
        # title in place of the picture, and the file still downloads.
        logger.warning("Evidence %s: no thumbnail: %s", evidence.pk, reason)
        raise Http404 from None
    except (FileNotFoundError, UnidentifiedImageError, OSError):
        logger.exception("Evidence %s: no thumbnail", evidence.pk)
        raise Http404 from None
    return _private(FileResponse(path.open("rb"), content_type="image/jpeg"))


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, record_type: str, pk: int) -> HttpResponse:
    """Attach a file to a record (its page holds the form; this page shows refusals)."""
    record = selectors.carrier(record_type, pk)
    permissions.require_change(request.user, record)
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        instance=Evidence(record=record),
        uploader=request.user,
        prefix=FORM_PREFIX,
    )
    if request.method == "POST" and form.is_valid():
        evidence = form.save()
        messages.success(
            request,
            _("“%(title)s” (%(name)s) is attached.")
            % {"title": evidence.title, "name": evidence.original_name},
        )
        return redirect(f"{record.get_absolute_url()}#evidence")
    return render(request, "evidence/upload.html", {"form": form, "record": record})


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete a file (row now, file on disk once that commits)."""
    evidence = get_object_or_404(Evidence.objects.select_related("uploaded_by"), pk=pk)
    record = selectors.record_of(evidence)
    permissions.require_change(request.user, record)
    if request.method == "POST":
        evidence.delete()
        messages.success(request, _("“%(title)s” is deleted.") % {"title": evidence.title})
        return redirect(f"{record.get_absolute_url()}#evidence")
    return render(
        request,
        "evidence/delete.html",
        {
            "evidence": evidence,
            "record": record,
            "download_url": reverse("evidence-download", args=[pk]),
        },
    )
