"""The reporting periods' pages: the list, one page per period (status, history, checklist,
the "as reported" summaries) and the confirmation of each transition (a POST form)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aidledger.models import Programme
from ledger import permissions
from periods import selectors, services
from periods.models import Kind, Period, parse_code

Action = services.Action


def _programme(request: HttpRequest, *, required: bool = True) -> Programme | None:
    """?programme=<id>, or the first programme (one in most deployments)."""
    value = request.GET.get("programme", "")
    if value:
        if not value.isdigit() or len(value) > 12:
            raise Http404
        return get_object_or_404(Programme, pk=int(value))
    programme = Programme.objects.order_by("pk").first()
    if programme is None and required:
        raise Http404
    return programme


def _period(request: HttpRequest, code: str) -> tuple[Programme, Period]:
    """The period of the code (an unsaved open one if nobody has named it yet)."""
    parsed = parse_code(code)
    if parsed is None:
        raise Http404
    kind, first, last = parsed
    programme = _programme(request)
    period = Period.objects.filter(programme=programme, kind=kind, first_day=first).first()
    return programme, period or Period(
        programme=programme, kind=kind, first_day=first, last_day=last
    )


def period_list(request: HttpRequest) -> HttpResponse:
    programme = _programme(request, required=False)
    if programme is None:  # a new deployment: the programme is set up in the admin first
        return render(request, "periods/period_list.html", {"programme": None})
    today = timezone.localdate()
    stored = list(selectors.periods(programme)[:200])
    named = {(period.kind, period.first_day) for period in stored}
    # The last three months are offered even before anyone has named them.
    upcoming = []
    month = selectors.previous_month(today)
    for _step in range(3):
        if (Kind.MONTH, month) not in named:
            upcoming.append(selectors.month_code(month))
        month = selectors.previous_month(month)
    return render(
        request,
        "periods/period_list.html",
        {
            "programme": programme,
            "programmes": Programme.objects.order_by("pk"),
            "periods": stored,
            "upcoming": upcoming,
            "may_review": permissions.can_review_periods(request.user),
        },
    )


def period_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme, period = _period(request, code)
    user = request.user
    actions = [
        (action, Action(action).label)
        for action, (starts, _to) in services.MOVES.items()
        if period.status in starts and services.may(user, action)
    ]
    return render(
        request,
        "periods/period_detail.html",
        {
            "programme": programme,
            "period": period,
            "transitions": period.transitions.select_related("user") if period.pk else [],
            "snapshots": selectors.snapshots(period) if period.pk else [],
            "findings": selectors.findings(start=period.first_day, end=period.last_day),
            "actions": actions,
        },
    )


class TransitionForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def period_transition(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """GET: the confirmation (with the reason's box); POST: the transition."""
    if action not in services.MOVES:
        raise Http404
    programme, period = _period(request, code)
    if not services.may(request.user, action):
        raise PermissionDenied
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A period first named by a refused transition is not kept either.
            with transaction.atomic():
                if period.pk is None:
                    period = services.period_for(code, programme=programme)
                period = services.transition(
                    period, action, user=request.user, reason=form.cleaned_data["reason"]
                )
        except services.TransitionRefused as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                gettext("%(period)s is now %(status)s.")
                % {"period": period, "status": period.get_status_display()},
            )
            return redirect(_url(period, programme))
    return render(
        request,
        "periods/period_transition.html",
        {
            "programme": programme,
            "period": period,
            "action": action,
            "action_label": Action(action).label,
            "needs_reason": action in services.NEEDS_REASON,
            "form": form,
            "back": _url(period, programme),
        },
    )


def _url(period: Period, programme: Programme) -> str:
    url = period.get_absolute_url()
    first = Programme.objects.order_by("pk").values_list("pk", flat=True).first()
    return url if programme.pk == first else f"{url}?programme={programme.pk}"
