"""`ledger_period` (list and transitions, non-zero exit when refused), `ledger_summary
--as-reported` and `ledger_reminders` (locmem e-mail, once a day per working group)."""

import datetime
import io
import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from periods.models import Period, ReminderLog, Status
from summary.quality import Finding
from tests.factories import MemberRoleFactory, UserFactory, approved_period

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_ledger_period_moves_a_period_through_its_cycle(programme, ledger_admin):
    run("ledger_period", "submit", "2024-09", "--user", "ledger-admin")
    run("ledger_period", "approve", "2024-09", "--user", "ledger-admin")
    assert Period.objects.get().status == Status.APPROVED
    run("ledger_period", "reopen", "2024-09", "--reason", "补录", "--user", "ledger-admin")
    listing = run("ledger_period", "list")
    assert "2024-09" in listing
    assert Period.objects.get().status == Status.REOPENED


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["approve", "2024-09"], "2024-09"),  # not submitted
        (["reopen", "2024-09"], ""),  # no reason
        (["submit", "2024-13"], "2024-13"),
        (["submit"], ""),
        (["submit", "2024-09", "--user", "nobody"], "nobody"),
        (["submit", "2024-09", "--user", "editor-a"], "editor-a"),
    ],
)
def test_ledger_period_refuses_with_a_message_and_a_non_zero_exit(programme, editor_a, args, says):
    with pytest.raises(CommandError) as refused:
        call_command("ledger_period", *args, "--programme", programme.name, stdout=io.StringIO())
    assert says in str(refused.value)
    assert not Period.objects.exists()  # nothing half-written, not even the period's row


def test_ledger_summary_prints_the_summary_as_reported(programme, ledger_admin):
    approved_period("2024-09", programme=programme, user=ledger_admin)
    printed = json.loads(run("ledger_summary", "--as-reported", "2024-09"))
    assert printed["as_of"] == "2024-09-30"
    with pytest.raises(CommandError):
        call_command("ledger_summary", "--as-reported", "2024-10", stdout=io.StringIO())


@pytest.fixture
def members(group_a, group_b):
    """Two members of group A with e-mail addresses, one of group B."""
    for email in ("a1@example.org", "a2@example.org"):
        MemberRoleFactory(
            body=group_a, member__batch=group_a.batch, member__user=UserFactory(email=email)
        )
    MemberRoleFactory(
        body=group_b, member__batch=group_b.batch, member__user=UserFactory(email="b@example.org")
    )


def test_reminders_mail_each_group_its_own_items_once_a_day(
    settings, programme, group_a, members, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def findings(*, start, end, body_ids=None):
        if body_ids == [group_a.pk]:
            return [Finding("x", "无佐证材料的资金拨付", 2, "/projects/disbursements/?evidence=0")]
        return []

    monkeypatch.setattr("summary.quality.findings", findings)
    today = datetime.date(2024, 10, 9)
    run("ledger_reminders", "--date", today.isoformat())
    by_recipients = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipients) == {("a1@example.org", "a2@example.org"), ("b@example.org",)}
    group_a_mail = by_recipients[("a1@example.org", "a2@example.org")].body
    assert "无佐证材料的资金拨付" in group_a_mail
    assert "2024-09" in group_a_mail  # last month, due and not submitted
    run("ledger_reminders", "--date", today.isoformat())
    assert len(mail.outbox) == 2  # the same day: nothing again
    assert ReminderLog.objects.count() == 2
    run("ledger_reminders", "--date", "2024-10-10")
    assert len(mail.outbox) == 4


def test_reminders_skip_a_group_with_nothing_open(settings, programme, members, ledger_admin):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    approved_period("2024-09", programme=programme, user=ledger_admin)
    run("ledger_reminders", "--date", "2024-10-09")
    assert mail.outbox == []
