"""Reporting periods (报告期): a month, quarter or year of one programme, reported upward.

未报送 open → 已报送 submitted → 已审核 approved (locked) or 退回 returned; an approved period
is 重新开放 reopened by a ledger admin with a reason and locks again when approved again.
Every transition is a `Transition` row; every approval keeps the summary as it was reported
(`Snapshot`). `periods.services` is the only writer; `periods.locks` enforces the lock.
"""

from __future__ import annotations

import calendar
import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aidledger.models import Body, Programme
from ledger.history import user_name


class Kind(models.TextChoices):
    MONTH = "month", _("monthly report")
    QUARTER = "quarter", _("quarterly report")
    YEAR = "year", _("annual report")


class Status(models.TextChoices):
    OPEN = "open", _("not submitted")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")
    REOPENED = "reopened", _("reopened")


CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|[Qq](?P<quarter>[1-4]))?$")


def parse_code(code: str) -> tuple[str, datetime.date, datetime.date] | None:
    """`2024-09`, `2024Q3` or `2024` → (kind, first day, last day); None if unreadable."""
    match = CODE.match(code.strip()) if len(code) <= 10 else None
    if match is None:
        return None
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        return None
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            return None
        last = calendar.monthrange(year, month)[1]
        return Kind.MONTH, datetime.date(year, month, 1), datetime.date(year, month, last)
    if match["quarter"]:
        quarter = int(match["quarter"])
        first = datetime.date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        last = calendar.monthrange(year, last_month)[1]
        return Kind.QUARTER, first, datetime.date(year, last_month, last)
    return Kind.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class Period(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="periods", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # The last approval (who locked it), kept for the refusal messages of the lock.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-first_day", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "first_day"], name="period_unique_per_programme"
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="period_days_in_order"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="period_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="period_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.APPROVED) | Q(approved_at__isnull=False),
                name="period_approved_has_time",
            ),
        ]
        indexes = [
            # The locks' question: the approved periods around a date (periods.locks).
            models.Index(fields=["status", "first_day", "last_day"], name="period_lock_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("period-detail", args=[self.code])

    @property
    def code(self) -> str:
        if self.kind == Kind.MONTH:
            return f"{self.first_day:%Y-%m}"
        if self.kind == Kind.QUARTER:
            return f"{self.first_day.year}Q{(self.first_day.month - 1) // 3 + 1}"
        return f"{self.first_day.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == Status.APPROVED

    def lock_text(self) -> str:
        """Who locked it and when, for refusals: "2024-09 月报（张三 于 2024-10-05 审核）"."""
        when = timezone.localtime(self.approved_at).date().isoformat() if self.approved_at else "—"
        if not self.approved_by_id:
            return gettext("%(period)s (approved on %(date)s)") % {"period": self, "date": when}
        who = user_name(self.approved_by)
        return gettext("%(period)s (approved by %(user)s on %(date)s)") % {
            "period": self,
            "user": who,
            "date": when,
        }


class Transition(models.Model):
    """One step of a period's status, with who, when and why (the period's history)."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("submit")
        APPROVE = "approve", _("approve")
        RETURN = "return", _("return")
        REOPEN = "reopen", _("reopen")

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("period")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("period transition")
        verbose_name_plural = _("period transitions")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action__in=["return", "reopen"]) | ~Q(reason=""),
                name="period_transition_reason_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class Snapshot(models.Model):
    """The summary as the period was approved ("as reported"): `ledger_summary`'s JSON as of
    its last day, with the approver and the time. One per approval: a reopened period keeps
    what was reported before."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("period")
    )
    summary = models.JSONField(_("summary as reported"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("as-reported summary")
        verbose_name_plural = _("as-reported summaries")
        ordering = ["period_id", "approved_at", "pk"]

    def __str__(self) -> str:
        return f"{self.period} · {self.approved_at:%Y-%m-%d %H:%M}"

    @property
    def approver_name(self) -> str:
        """Who approved, as pages name people; "—" when no one was recorded (the demo's, or
        an operator's `ledger_period approve` without --user)."""
        if self.approved_by is None:
            return "—"
        return user_name(self.approved_by)


class ReminderLog(models.Model):
    """A day's reminder to one working group, so `ledger_reminders` sends it once a day."""

    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("working group")
    )
    day = models.DateField(_("day"))
    recipients = models.TextField(_("recipients"))
    items = models.PositiveIntegerField(_("open items"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["body", "day"], name="reminder_once_per_body_day")
        ]

    def __str__(self) -> str:
        return f"{self.body} · {self.day}"
