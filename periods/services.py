"""The writes of the reporting cycle: find or create a period, and move it through its
statuses. Each transition locks the period's row, checks the move, records who, when and why,
and (approving) keeps the summary as reported, all in one transaction: two people approving
at the same moment get one approval and one refusal, never two.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aidledger.models import Programme
from ledger import permissions
from periods.models import Kind, Period, Snapshot, Status, Transition, parse_code

Action = Transition.Action

# action → (statuses it starts from, status it leads to)
MOVES = {
    Action.SUBMIT: ({Status.OPEN, Status.RETURNED, Status.REOPENED}, Status.SUBMITTED),
    Action.APPROVE: ({Status.SUBMITTED}, Status.APPROVED),
    Action.RETURN: ({Status.SUBMITTED}, Status.RETURNED),
    Action.REOPEN: ({Status.APPROVED}, Status.REOPENED),
}
NEEDS_REASON = {Action.RETURN, Action.REOPEN}
# The periods a quarter or year is made of: approved first, so a quarter's figures are its
# months' figures as reported.
PARTS = {Kind.QUARTER: Kind.MONTH, Kind.YEAR: Kind.QUARTER}
PART_LABELS = {
    Kind.QUARTER: gettext_lazy("monthly reports"),
    Kind.YEAR: gettext_lazy("quarterly reports"),
}


class TransitionRefused(ValidationError):
    pass


def the_programme(programme: Programme | None = None) -> Programme:
    """The given programme, or the only one (a deployment with several must say which)."""
    if programme is not None:
        return programme
    programmes = list(Programme.objects.order_by("pk")[:2])
    if len(programmes) != 1:
        raise TransitionRefused(
            _("Say which programme: there is none.")
            if not programmes
            else _("Say which programme: there are several.")
        )
    return programmes[0]


def period_for(code: str, *, programme: Programme | None = None, create: bool = True) -> Period:
    """The period written `2024-09`, `2024Q3` or `2024`, created (open) when first named."""
    parsed = parse_code(code)
    if parsed is None:
        raise TransitionRefused(
            _("%(code)s is not a period: write 2024-09 (a month), 2024Q3 (a quarter) or 2024.")
            % {"code": repr(code[:20])}
        )
    kind, first, last = parsed
    programme = the_programme(programme)
    if not create:
        period = Period.objects.filter(programme=programme, kind=kind, first_day=first).first()
        if period is None:
            raise TransitionRefused(_("There is no period %(code)s yet.") % {"code": code})
        return period
    period, _created = Period.objects.get_or_create(
        programme=programme, kind=kind, first_day=first, defaults={"last_day": last}
    )
    return period


def may(user, action: str) -> bool:
    if action == Action.REOPEN:
        return permissions.can_reopen_periods(user)
    return permissions.can_review_periods(user)


def transition(period: Period, action: str, *, user, reason: str = "") -> Period:
    """Move `period` by `action` (submit, approve, return, reopen) as `user`; refused with a
    message (TransitionRefused) when the move is out of order, lacks its reason or clashes
    with the enclosing or enclosed periods; PermissionDenied when the user may not."""
    if user is not None and not may(user, action):
        raise PermissionDenied
    reason = (reason or "").strip()
    if action in NEEDS_REASON and not reason:
        raise TransitionRefused(_("Give the reason in writing."))
    if len(reason) > 2000:
        raise TransitionRefused(_("The reason is too long (at most 2,000 characters)."))
    starts, to_status = MOVES[action]
    with transaction.atomic():
        # The row lock (and, on SQLite, the write transaction) orders two clerks acting at
        # once: the second reads the first one's status and is refused.
        locked = Period.objects.select_for_update().get(pk=period.pk)
        if locked.status not in starts:
            raise TransitionRefused(
                _("%(period)s is %(status)s: it cannot be %(action)s now.")
                % {
                    "period": locked,
                    "status": locked.get_status_display(),
                    "action": Action(action).label,
                }
            )
        _check_neighbours(locked, action)
        now = timezone.now()
        from_status = locked.status
        locked.status = to_status
        fields = ["status"]
        if action == Action.APPROVE:
            locked.approved_by = user
            locked.approved_at = now
            fields += ["approved_by", "approved_at"]
            Snapshot.objects.create(
                period=locked,
                summary=import_string(settings.LEDGER_PERIOD_SNAPSHOT)(locked.last_day),
                approved_by=user,
                approved_at=now,
            )
        locked.save(update_fields=fields)
        Transition.objects.create(
            period=locked,
            action=action,
            from_status=from_status,
            to_status=to_status,
            user=user,
            at=now,
            reason=reason,
        )
    return locked


def _check_neighbours(period: Period, action: str) -> None:
    """A quarter (year) is submitted and approved after all its months (quarters) are; a
    month (quarter) inside an approved quarter or year is reopened after it."""
    if action in (Action.SUBMIT, Action.APPROVE) and period.kind in PARTS:
        part_kind = PARTS[period.kind]
        approved = Period.objects.filter(
            programme_id=period.programme_id,
            kind=part_kind,
            first_day__gte=period.first_day,
            last_day__lte=period.last_day,
            status=Status.APPROVED,
        ).count()
        needed = 3 if period.kind == Kind.QUARTER else 4
        if approved < needed:
            raise TransitionRefused(
                _(
                    "%(period)s comes after its %(count)s %(parts)s; %(approved)s of them are "
                    "approved. Approve them first."
                )
                % {
                    "period": period,
                    "count": needed,
                    "parts": PART_LABELS[period.kind],
                    "approved": approved,
                }
            )
    if action == Action.REOPEN:
        enclosing = (
            Period.objects.filter(
                programme_id=period.programme_id,
                status=Status.APPROVED,
                first_day__lte=period.first_day,
                last_day__gte=period.last_day,
            )
            .exclude(pk=period.pk)
            .order_by("-last_day")
            .first()
        )
        if enclosing is not None:
            raise TransitionRefused(
                _("%(period)s lies in %(enclosing)s, which is approved: reopen that first.")
                % {"period": period, "enclosing": enclosing}
            )
