"""Export jobs (reports/): a finished one with its file on disk, as the worker leaves it."""

import uuid
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from reports.models import ExportJob, JobKind, JobStatus

__all__ = ["finished_job"]


def finished_job(owner, root: Path, *, content: bytes = b"PK\x05\x06" + b"\0" * 18, **fields):
    """A pack job of `owner`, done, whose (empty) ZIP lies in `root` (the REPORTS_ROOT)."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.zip"
    (root / name).write_bytes(content)
    now = timezone.now()
    values = {
        "owner": owner,
        "kind": JobKind.PACK,
        "parameters": {"period": "2024", "date_from": "2024-01-01", "date_to": "2024-12-31"},
        "title": "考核佐证材料包（2024年度）",
        "status": JobStatus.DONE,
        "progress": 100,
        "result_name": name,
        "result_size": len(content),
        "download_name": "考核佐证材料包（2024年度）.zip",
        "started_at": now,
        "finished_at": now,
        "expires_at": now + timedelta(hours=72),
        **fields,
    }
    return ExportJob.objects.create(**values)
