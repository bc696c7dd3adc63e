"""Reminders: each working group's open items (data-quality findings of the periods that are
due) and the due periods, e-mailed to the group's members once a day (`ledger_reminders`)
and shown on the dashboard's banner to the people concerned."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aidledger.models import Body, BodyKind, Member, Programme
from periods import selectors, services
from periods.models import Period, ReminderLog


@dataclass
class OpenItems:
    due: list[Period | str] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.due or self.findings)

    @property
    def count(self) -> int:
        return len(self.due) + sum(finding.count for finding in self.findings)


def open_items(
    programme: Programme, *, today: datetime.date, body_ids: list[int] | None
) -> OpenItems:
    """The due periods of the programme, and the findings of their span for the bodies
    (None: every body)."""
    due = selectors.due(programme, today=today)
    if not due:
        return OpenItems()
    spans = [selectors.span(item) for item in due]
    start, end = min(s for s, _e in spans), max(e for _s, e in spans)
    return OpenItems(due=due, findings=selectors.findings(start=start, end=end, body_ids=body_ids))


def working_groups(programme: Programme, today: datetime.date):
    """The working groups of the programme's batches in post on `today`."""
    return (
        Body.objects.filter(kind=BodyKind.WORKING_GROUP, batch__programme=programme)
        .filter(Q(batch__end_date__isnull=True) | Q(batch__end_date__gte=today))
        .filter(batch__start_date__lte=today)
        .select_related("batch")
        .order_by("batch__number", "position", "pk")
    )


def recipients(body: Body, today: datetime.date) -> list[str]:
    """The e-mail addresses of the body's members in post with an active account."""
    members = (
        Member.objects.filter(roles__body=body, user__is_active=True)
        .exclude(user__email="")
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=today))
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted(set(members))


def message(body: Body, items: OpenItems) -> tuple[str, str]:
    site = settings.LEDGER_SITE_URL.rstrip("/")
    subject = _("[Ledger reminder] %(body)s: %(count)s open items") % {
        "body": body,
        "count": items.count,
    }
    lines = [_("Open items of %(body)s in the ledger:") % {"body": body}, ""]
    if items.due:
        lines.append(_("Reporting periods due:"))
        for item in items.due:
            code = item.code if isinstance(item, Period) else item
            status = item.get_status_display() if isinstance(item, Period) else _("not submitted")
            lines.append(f"  - {code} · {status} · {site}{reverse('period-detail', args=[code])}")
        lines.append("")
    if items.findings:
        lines.append(_("Records to complete before submitting:"))
        lines += [f"  - {f.label}: {f.count} · {site}{f.url}" for f in items.findings]
    return subject, "\n".join(lines)


def send_reminders(*, today: datetime.date) -> tuple[list[str], list[str]]:
    """E-mail every working group with open items, once per day: a group already reminded
    today (ReminderLog) is skipped. Returns (sent, skipped) lines for the command's output."""
    sent: list[str] = []
    skipped: list[str] = []
    for programme in Programme.objects.order_by("pk"):
        # Last month is due from today: its period is opened if nobody has named it yet.
        services.period_for(
            selectors.month_code(selectors.previous_month(today)), programme=programme
        )
        for body in working_groups(programme, today):
            if ReminderLog.objects.filter(body=body, day=today).exists():
                skipped.append(_("%(body)s: already reminded today") % {"body": body})
                continue
            items = open_items(programme, today=today, body_ids=[body.pk])
            to = recipients(body, today)
            if not items or not to:
                reason = _("nothing open") if not items else _("no member with an e-mail address")
                skipped.append(f"{body}: {reason}")
                continue
            with translation.override(settings.LANGUAGE_CODE):
                subject, text = message(body, items)
            try:
                with transaction.atomic():
                    # The log row first: a second run the same day (or one running at the
                    # same time) finds it and sends nothing.
                    ReminderLog.objects.create(
                        body=body,
                        day=today,
                        recipients=", ".join(to),
                        items=items.count,
                        sent_at=timezone.now(),
                    )
                    send_mail(subject, text, None, to)
            except IntegrityError:
                skipped.append(_("%(body)s: already reminded today") % {"body": body})
                continue
            sent.append(f"{body}: {len(to)} · {items.count}")
    return sent, skipped
