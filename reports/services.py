"""Jobs: asking for a briefing or pack, building it in the background, expiring it.

A job's file is written under a temporary name (`….part`) and renamed when complete, so a
job marked done always names a whole file; a job that fails, or whose worker dies, leaves no
file anyone is offered. The worker (`tasks.build_report`) calls `run_job`; `reports_cleanup`
(cron, and the worker before each job) expires old files and fails jobs of dead workers.
"""

from __future__ import annotations

import datetime
import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from aidledger.models import Batch, Body
from reports import pack as packs
from reports.briefing import default_title
from reports.models import ACTIVE, ExportJob, JobKind, JobStatus
from reports.periods import DateRange, PeriodError, as_of, between, parse_period

logger = logging.getLogger(__name__)


class JobRefused(Exception):
    """A request that is not queued; the message says why, in the user's language."""


def reports_root() -> Path:
    root = Path(settings.REPORTS_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    return root


def file_of(job: ExportJob) -> Path:
    return reports_root() / job.result_name


# Parameters <-> scope ----------------------------------------------------------------------------


def parameters(
    period: DateRange, *, batch: Batch | None, body: Body | None, period_text: str = ""
) -> dict[str, Any]:
    return {
        **period.query(),
        "period": period_text,
        "batch": batch.pk if batch else None,
        "body": body.pk if body else None,
    }


def scope_of(values: dict[str, Any]) -> packs.Scope:
    """The scope a job's parameters name (as stored by `parameters`)."""
    if values.get("period"):
        period = parse_period(values["period"])
    elif values.get("date_from"):
        period = between(
            datetime.date.fromisoformat(values["date_from"]),
            datetime.date.fromisoformat(values["date_to"]),
        )
    else:
        period = as_of(datetime.date.fromisoformat(values["as_of"]))
    body = Body.objects.select_related("batch").filter(pk=values.get("body")).first()
    batch = Batch.objects.filter(pk=values.get("batch")).first() or (body.batch if body else None)
    return packs.Scope(period, batch, body)


def pack_title(scope: packs.Scope) -> str:
    return gettext("Assessment evidence pack, %(period)s") % {"period": scope.range.label}


def briefing_title(scope: packs.Scope) -> str:
    return f"{default_title()}（{scope.range.label}）"


# Asking ----------------------------------------------------------------------------------------


def create_pack_job(user: Any, scope: packs.Scope, *, period_text: str = "") -> ExportJob:
    """The job of a pack for `user` (`tasks.request_pack` then queues it), or refuse: one
    that would pass the size limit (with its size), or a second while the user's first waits
    or runs (refused, not queued behind it: the user sees at once why nothing new appears,
    and the first is not built twice)."""
    fail_stale_jobs()
    size = packs.estimated_size(scope, user)
    if packs.over_limit(size):
        raise JobRefused(
            gettext(
                "This pack would hold %(size)s MB of evidence files, more than the limit of "
                "%(limit)s MB. Choose a shorter period or one working group at a time."
            )
            % {"size": _mb(size), "limit": _mb(settings.REPORTS_PACK_MAX_BYTES)}
        )
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                owner=user,
                kind=JobKind.PACK,
                parameters=parameters(
                    scope.range, batch=scope.batch, body=scope.body, period_text=period_text
                ),
                title=pack_title(scope),
                message=gettext("Waiting for a worker"),
            )
    except IntegrityError:
        raise JobRefused(
            gettext(
                "A pack you asked for is still being built. Wait until it is ready (under "
                "My exports), then ask for the next one."
            )
        ) from None
    return job


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


# Building --------------------------------------------------------------------------------------


def _update(job: ExportJob, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def run_job(job_id: int) -> None:
    """Build a queued job's file (the worker's side). Any failure marks the job failed with a
    message and removes the partial file; a job no longer queued (failed as stale, expired)
    is left alone."""
    expire_jobs()
    claimed = ExportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    extension = "zip"
    final_name = f"{job.pk}-{uuid.uuid4().hex}.{extension}"
    partial = reports_root() / f"{final_name}.part"
    try:
        scope = scope_of(job.parameters)
        size = packs.estimated_size(scope, job.owner)
        if packs.over_limit(size):
            raise JobRefused(
                gettext("The pack would hold %(size)s MB, more than the limit of %(limit)s MB.")
                % {"size": _mb(size), "limit": _mb(settings.REPORTS_PACK_MAX_BYTES)}
            )

        def progress(percent: int, message: str) -> None:
            _update(job, progress=max(1, min(percent, 99)), message=message)

        with partial.open("wb") as output:
            counts = packs.build_pack(scope, user=job.owner, output=output, progress=progress)
        message = (
            gettext(
                "%(records)d records, %(files)d files; %(missing)d missing on disk, "
                "%(without)d records without evidence (see the index)."
            )
            % counts
        )
        os.replace(partial, reports_root() / final_name)
        now = timezone.now()
        _update(
            job,
            status=JobStatus.DONE,
            progress=100,
            message=message,
            result_name=final_name,
            result_size=(reports_root() / final_name).stat().st_size,
            download_name=packs.safe_name(f"{job.title}.{extension}", limit=120),
            finished_at=now,
            expires_at=now + timedelta(hours=settings.REPORTS_EXPIRY_HOURS),
        )
    except Exception as error:
        partial.unlink(missing_ok=True)
        logger.exception("Export job %s failed", job.pk)
        reason = str(error) if isinstance(error, JobRefused | PeriodError) else type(error).__name__
        _update(
            job,
            status=JobStatus.FAILED,
            message=gettext("Failed: %(reason)s. Ask again, or tell an admin if it fails again.")
            % {"reason": reason},
            finished_at=timezone.now(),
        )
        if not isinstance(error, JobRefused | PeriodError):
            raise


# Cleaning up -----------------------------------------------------------------------------------


def fail_stale_jobs() -> int:
    """Mark failed the jobs still running REPORTS_JOB_TIMEOUT_MINUTES after they started (a
    worker that died) or queued for a day (no worker running); remove their partial files."""
    now = timezone.now()
    timeout = now - timedelta(minutes=settings.REPORTS_JOB_TIMEOUT_MINUTES)
    stale = list(
        ExportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=timeout)
        | ExportJob.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - timedelta(days=1))
    )
    for job in stale:
        for partial in reports_root().glob(f"{job.pk}-*.part"):
            partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(
            status=JobStatus.FAILED,
            finished_at=now,
            message=gettext(
                "Failed: the worker building it stopped (no progress for %(minutes)d minutes). "
                "Ask again."
            )
            % {"minutes": settings.REPORTS_JOB_TIMEOUT_MINUTES},
        )
    return len(stale)


def expire_jobs() -> int:
    """Delete the files of finished jobs past their expiry; the jobs stay, marked expired."""
    expired = list(ExportJob.objects.filter(status=JobStatus.DONE, expires_at__lte=timezone.now()))
    for job in expired:
        if job.result_name:
            file_of(job).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.EXPIRED,
            result_name="",
            message=gettext("Expired: the file was deleted."),
        )
    return len(expired)
