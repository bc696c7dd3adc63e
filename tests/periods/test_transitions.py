"""The status machine: open → submitted → approved (summary kept) or returned (reason);
approved → reopened (ledger admin, reason); every step recorded; out-of-order steps, missing
reasons and a second simultaneous approval refused with a message, nothing written."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction

from aidledger.models import BodyKind
from ledger import permissions
from periods import services
from periods.models import Period, Snapshot, Status, Transition
from tests.factories import BodyFactory, MemberRoleFactory, UserFactory, approved_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(programme, group_a):
    """A viewer who is a member of the batch's command post: may submit and approve."""
    post = BodyFactory(name="前线指挥部", kind=BodyKind.COMMAND_POST, batch=group_a.batch)
    account = UserFactory(username="command-post")
    account.groups.add(Group.objects.get(name=permissions.VIEWER))
    MemberRoleFactory(body=post, member__batch=group_a.batch, member__user=account)
    return account


def test_the_whole_cycle_is_recorded_with_who_and_why(programme, ledger_admin, reviewer):
    period = services.period_for("2024-09", programme=programme)
    assert period.status == Status.OPEN
    period = services.transition(period, "submit", user=reviewer)
    period = services.transition(period, "return", user=reviewer, reason="缺少佐证材料")
    period = services.transition(period, "submit", user=reviewer)
    period = services.transition(period, "approve", user=reviewer)
    period = services.transition(period, "reopen", user=ledger_admin, reason="补录9月拨付")
    steps = list(period.transitions.values_list("action", "to_status", "user__username", "reason"))
    assert steps == [
        ("submit", "submitted", "command-post", ""),
        ("return", "returned", "command-post", "缺少佐证材料"),
        ("submit", "submitted", "command-post", ""),
        ("approve", "approved", "command-post", ""),
        ("reopen", "reopened", "ledger-admin", "补录9月拨付"),
    ]


def test_approval_keeps_the_summary_as_of_the_last_day(programme, ledger_admin):
    period = approved_period("2024-09", programme=programme, user=ledger_admin)
    snapshot = Snapshot.objects.get(period=period)
    assert snapshot.summary["as_of"] == "2024-09-30"
    assert snapshot.approved_by == ledger_admin
    assert period.approved_by == ledger_admin
    assert period.approved_at == snapshot.approved_at


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ([], "approve"),  # not submitted
        ([], "return"),
        ([], "reopen"),  # not approved
        (["submit"], "submit"),
        (["submit", "approve"], "approve"),
        (["submit", "approve"], "submit"),
    ],
)
def test_a_transition_out_of_order_is_refused_and_writes_nothing(programme, steps, action):
    period = services.period_for("2024-09", programme=programme)
    for step in steps:
        period = services.transition(period, step, user=None)
    before = (Period.objects.get(pk=period.pk).status, Transition.objects.count())
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(period, action, user=None, reason="理由")
    assert "2024-09" in refused.value.messages[0]
    assert (Period.objects.get(pk=period.pk).status, Transition.objects.count()) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_and_return_need_a_written_reason(programme, reason):
    period = approved_period("2024-09", programme=programme)
    with pytest.raises(services.TransitionRefused):
        services.transition(period, "reopen", user=None, reason=reason)
    assert Period.objects.get(pk=period.pk).status == Status.APPROVED


def test_two_approvals_at_the_same_moment_one_wins(programme, ledger_admin, reviewer):
    """Both clerks loaded the submitted period; the second approval reads the row again under
    its lock and is refused: one approval, one snapshot."""
    period = services.transition(
        services.period_for("2024-09", programme=programme), "submit", user=reviewer
    )
    first_view, second_view = Period.objects.get(pk=period.pk), Period.objects.get(pk=period.pk)
    services.transition(first_view, "approve", user=reviewer)
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(second_view, "approve", user=ledger_admin)
    assert "已审核" in refused.value.messages[0] or "approved" in refused.value.messages[0]
    assert Snapshot.objects.count() == 1
    assert Period.objects.get(pk=period.pk).approved_by == reviewer


def test_an_editor_or_viewer_may_not_submit_approve_or_reopen(programme, editor_a, viewer):
    period = services.period_for("2024-09", programme=programme)
    for user in (editor_a, viewer):
        for action in ("submit", "approve", "return", "reopen"):
            with pytest.raises(PermissionDenied):
                services.transition(period, action, user=user, reason="理由")
    assert not Transition.objects.exists()


def test_only_a_ledger_admin_reopens(programme, reviewer, ledger_admin):
    period = approved_period("2024-09", programme=programme, user=reviewer)
    with pytest.raises(PermissionDenied):
        services.transition(period, "reopen", user=reviewer, reason="想改")
    services.transition(period, "reopen", user=ledger_admin, reason="更正")


def test_a_quarter_is_approved_after_its_months(programme):
    for code in ("2024-07", "2024-08"):
        approved_period(code, programme=programme)
    quarter = services.period_for("2024Q3", programme=programme)
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(quarter, "submit", user=None)
    assert "2" in refused.value.messages[0]
    approved_period("2024-09", programme=programme)
    approved = approved_period("2024Q3", programme=programme)
    assert approved.first_day.isoformat() == "2024-07-01"
    assert approved.last_day.isoformat() == "2024-09-30"


def test_a_month_inside_an_approved_quarter_is_reopened_after_the_quarter(programme):
    for code in ("2024-07", "2024-08", "2024-09", "2024Q3"):
        approved_period(code, programme=programme)
    august = services.period_for("2024-08", programme=programme)
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(august, "reopen", user=None, reason="更正")
    assert "2024Q3" in refused.value.messages[0]
    services.transition(
        services.period_for("2024Q3", programme=programme), "reopen", user=None, reason="更正"
    )
    services.transition(august, "reopen", user=None, reason="更正")


@pytest.mark.parametrize("code", ["2024-13", "2024Q5", "24-09", "2024-9-1", "x" * 500, "1999"])
def test_a_period_written_wrong_is_refused(programme, code):
    with pytest.raises(services.TransitionRefused):
        services.period_for(code, programme=programme)
    assert not Period.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs row locks and concurrent connections (PostgreSQL); SQLite serialises writers",
)
def test_two_approvals_in_two_connections_one_waits_and_is_refused():
    """Reviewer A approves and holds the transaction open until reviewer B's approval is seen
    waiting for the period's row lock; A commits, and B, reading the approved status, is
    refused. One approval, one snapshot."""
    from aidledger.models import Programme
    from tests.factories import BatchFactory

    programme = BatchFactory().programme
    assert Programme.objects.count() == 1
    period = services.transition(
        services.period_for("2024-09", programme=programme), "submit", user=None
    )
    a_done = threading.Event()
    results: dict[str, str] = {}

    def reviewer_a() -> None:
        try:
            with transaction.atomic():
                services.transition(period, "approve", user=None)
                a_done.set()
                for _ in range(500):  # until B waits on the lock (bounded: never hangs)
                    if _waiting_for_a_lock():
                        break
                    threading.Event().wait(0.01)
            results["a"] = "approved"
        except services.TransitionRefused:
            results["a"] = "refused"
        finally:
            a_done.set()
            connections.close_all()

    def reviewer_b() -> None:
        a_done.wait()
        try:
            services.transition(period, "approve", user=None)
            results["b"] = "approved"
        except services.TransitionRefused:
            results["b"] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reviewer_a), threading.Thread(target=reviewer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"a": "approved", "b": "refused"}
    assert Snapshot.objects.count() == 1
    assert Transition.objects.filter(action="approve").count() == 1


def _waiting_for_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        # Inside a transaction the statistics views are a snapshot: take a fresh one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0
