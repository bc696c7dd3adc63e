from typing import Any

from django import template
from django.db import models
from django.urls import reverse

from evidence import selectors
from evidence.forms import EvidenceForm
from evidence.models import carries_evidence
from evidence.views import FORM_PREFIX
from ledger import permissions

register = template.Library()


@register.inclusion_tag("evidence/_section.html", takes_context=True)
def evidence_section(context: template.Context, record: models.Model) -> dict[str, Any]:
    """A record's evidence files (thumbnails for images) and, for those who may change the
    record, the upload form. Two queries: the files with their uploaders, the permission."""
    request = context["request"]
    if not carries_evidence(record):
        return {"carries": False}
    can_change = permissions.can_change(request.user, record)
    return {
        "carries": True,
        "record": record,
        "files": list(selectors.files_of(record)),
        "can_change": can_change,
        "form": EvidenceForm(prefix=FORM_PREFIX) if can_change else None,
        "upload_url": reverse("evidence-upload", args=[record._meta.label_lower, record.pk]),
        "csrf_token": context.get("csrf_token"),
    }
