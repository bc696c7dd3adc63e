"""Evidence in the admin: an inline of files on every ledger record's page.

`evidence_inlines` is registered with ledger.admin.extra_inlines (evidence/apps.py): every
LedgerAdmin of a model that carries evidence gets the inline. Who may see, add or delete files
is asked of ledger.permissions about the record, not of model permissions on Evidence.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from evidence.forms import EvidenceForm
from evidence.models import Evidence, carries_evidence
from ledger import permissions


class EvidenceInline(GenericTabularInline):
    model = Evidence
    form = EvidenceForm
    extra = 1
    fields = [
        "title",
        "date",
        "file",
        "download",
        "size_display",
        "kind",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = ["download", "size_display", "kind", "uploaded_by", "uploaded_at"]
    verbose_name = _("evidence file")
    verbose_name_plural = _("evidence files")

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            # Read-only rows would link the file to its storage URL, which it has none of:
            # the "file name" column links the download instead.
            fields.remove("file")
        return fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("uploaded_by")

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        uploader = request.user

        class UploaderFormSet(formset):
            def get_form_kwargs(self, index):
                return {**super().get_form_kwargs(index), "uploader": uploader}

        return UploaderFormSet

    # The record decides, through the one permissions module (obj is the record).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return permissions.can_read(request.user)
        return permissions.can_view(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return permissions.can_add(request.user, self.parent_model)
        return permissions.can_change(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is not None and permissions.can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is not None and permissions.can_change(request.user, obj)

    @admin.display(description=_("file name"))
    def download(self, evidence: Evidence) -> str:
        if not evidence.pk:
            return "—"
        return format_html(
            '<a href="{}" download>{}</a>',
            reverse("evidence-download", args=[evidence.pk]),
            evidence.original_name,
        )

    @admin.display(description=_("size"))
    def size_display(self, evidence: Evidence) -> str:
        return filesizeformat(evidence.size) if evidence.pk else "—"


def evidence_inlines(model: type) -> list[type[admin.options.InlineModelAdmin]]:
    """For ledger.admin.extra_inlines: the evidence inline on the pages of records that carry
    files (evidence/apps.py registers it).

    (A record's files stop its deletion through its EvidenceRelation: the admin's delete
    page lists them as protected objects.)"""
    return [EvidenceInline] if carries_evidence(model) else []
