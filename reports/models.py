"""A job of ours: one briefing or pack being built in the background for one user.

django-tasks keeps its own row per task (queue state, tracebacks); this row is what the user
sees under "我的导出": what was asked, how far it got, the file it made and until when."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.constraints import one_of


class JobKind(models.TextChoices):
    PACK = "pack", _("Assessment evidence pack (ZIP)")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being built")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class ExportJob(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    # What was asked, as the command line and the form read it (as_of or date_from/date_to,
    # batch and body ids): the task rebuilds its filters from these.
    parameters = models.JSONField(_("parameters"), default=dict)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    # The finished file, relative to REPORTS_ROOT; written under a temporary name and renamed
    # when complete, so a name here always points at a whole file.
    result_name = models.CharField(_("result file"), max_length=200, blank=True)
    result_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    download_name = models.CharField(_("download name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            one_of("kind", JobKind, name="reports_job_kind_valid"),
            one_of("status", JobStatus, name="reports_job_status_valid"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reports_job_progress_at_most_100"
            ),
            # One pack at a time per user: a second request while one waits or runs is
            # refused (services.create_pack_job), and the database holds the rule under a race.
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(kind="pack", status__in=["queued", "running"]),
                name="reports_one_active_pack_per_owner",
            ),
        ]
        indexes = [
            # "我的导出": a user's jobs, newest first.
            models.Index(fields=["owner", "-created_at"], name="reports_job_owner_idx"),
            # The clean-up: finished jobs past their expiry, running jobs past the timeout.
            models.Index(fields=["status", "expires_at"], name="reports_job_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def downloadable(self) -> bool:
        return (
            self.status == JobStatus.DONE
            and bool(self.result_name)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )
