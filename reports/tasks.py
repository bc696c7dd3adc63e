"""The background task (django-tasks): the worker (`manage.py db_worker`) runs it."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django_tasks import task

from reports import services
from reports.models import ExportJob
from reports.pack import Scope


@task()
def build_report(job_id: int, language: str) -> None:
    """Build export job `job_id` in the language of the user who asked for it."""
    with translation.override(language):
        services.run_job(job_id)


def request_pack(user: Any, scope: Scope, *, period_text: str = "") -> ExportJob:
    """Create the job of a pack (or raise services.JobRefused) and queue it for a worker."""
    job = services.create_pack_job(user, scope, period_text=period_text)
    build_report.enqueue(job.pk, translation.get_language() or settings.LANGUAGE_CODE)
    return job
