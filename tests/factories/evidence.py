"""Evidence files stored as the upload form would store them (generated name, checked kind)."""

import datetime

from django.core.files.base import ContentFile

from evidence.models import Evidence, FileKind
from tests.evidence import samples

__all__ = ["make_evidence"]


def make_evidence(
    record,
    *,
    uploaded_by,
    name: str = "签约仪式现场照片.jpg",
    content: bytes | None = None,
    kind: FileKind = FileKind.JPEG,
    title: str = "签约仪式现场照片",
    date: datetime.date | None = datetime.date(2024, 5, 22),
) -> Evidence:
    content = samples.image("JPEG") if content is None else content
    evidence = Evidence(
        record=record,
        title=title,
        date=date,
        file=ContentFile(content, name=name),
        original_name=name,
        size=len(content),
        kind=kind,
        uploaded_by=uploaded_by,
    )
    evidence.save()
    return evidence
