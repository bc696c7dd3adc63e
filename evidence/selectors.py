"""Reading evidence: a record's files, the record a file belongs to."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from evidence.models import Evidence, carriers


def files_of(record: models.Model) -> QuerySet[Evidence]:
    """A record's files, newest first, with their uploaders (one query)."""
    return Evidence.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("uploaded_by")


def record_of(evidence: Evidence) -> models.Model:
    """The record a file belongs to; 404 if it is gone or not a ledger record."""
    content_type = ContentType.objects.get_for_id(evidence.content_type_id)
    if f"{content_type.app_label}.{content_type.model}" not in carriers():
        raise Http404
    record = content_type.model_class()._default_manager.filter(pk=evidence.object_id).first()
    if record is None:
        raise Http404
    return record


def carrier(record_type: str, pk: int) -> models.Model:
    """The ledger record named in an upload URL ("projects.project", 12); 404 otherwise."""
    if record_type not in carriers():
        raise Http404
    record = apps.get_model(record_type)._default_manager.filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def has_evidence(model: type[models.Model]) -> Exists:
    """Records of `model` (the outer query's rows) that carry at least one evidence file.

    Matches the content type by its natural key inside the subquery, so it costs no query of
    its own (ContentType.objects.get_for_model would, the first time in a process)."""
    meta = model._meta
    return Exists(
        Evidence.objects.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id=OuterRef("pk"),
        )
    )
