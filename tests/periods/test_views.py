"""The periods' pages: the list, a period's page (status, history, checklist, as reported)
and the transition forms (POST after a confirmation), with the role checked in one place."""

import datetime

import pytest

from periods.models import Period, Status
from summary.quality import Finding
from tests.factories import approved_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, ledger_admin, programme):
    client.force_login(ledger_admin)
    return client


def test_the_list_shows_periods_and_the_months_not_yet_opened(client, viewer, september):
    client.force_login(viewer)
    response = client.get("/periods/")
    assert response.status_code == 200
    assert list(response.context["periods"]) == [september]
    assert len(response.context["upcoming"]) == 3


def test_a_periods_page_shows_status_history_and_the_snapshot(client, viewer, september):
    client.force_login(viewer)
    response = client.get("/periods/2024-09/")
    assert response.status_code == 200
    assert response.context["period"] == september
    assert [t.action for t in response.context["transitions"]] == ["submit", "approve"]
    assert len(response.context["snapshots"]) == 1
    assert response.context["actions"] == []  # a viewer gets no buttons
    # The period's documents (issue 17): the briefing and the pack, for exactly this period.
    page = response.content.decode()
    assert 'href="/reports/briefing.docx?period=2024-09"' in page
    assert 'href="/reports/pack/?period=2024-09"' in page


def test_the_checklist_lists_the_findings_of_the_period(client, viewer, programme, monkeypatch):
    asked = {}

    def findings(*, start, end, body_ids=None):
        asked.update(start=start, end=end)
        return [
            Finding(
                "disbursement_without_evidence",
                "无佐证材料的资金拨付",
                3,
                "/projects/disbursements/?x=1",
            )
        ]

    monkeypatch.setattr("summary.quality.findings", findings)
    client.force_login(viewer)
    response = client.get("/periods/2024-10/")
    assert asked == {"start": datetime.date(2024, 10, 1), "end": datetime.date(2024, 10, 31)}
    assert "无佐证材料的资金拨付" in response.content.decode()
    assert 'href="/projects/disbursements/?x=1"' in response.content.decode()


def test_a_ledger_admin_submits_and_approves_through_the_forms(admin_client):
    page = admin_client.get("/periods/2024-10/submit/")
    assert page.status_code == 200
    response = admin_client.post("/periods/2024-10/submit/", {"reason": ""})
    assert response.status_code == 302
    assert Period.objects.get().status == Status.SUBMITTED
    admin_client.post("/periods/2024-10/approve/", {"reason": ""})
    assert Period.objects.get().status == Status.APPROVED


def test_reopen_without_a_reason_is_refused_with_a_message(admin_client, september):
    response = admin_client.post("/periods/2024-09/reopen/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Period.objects.get(pk=september.pk).status == Status.APPROVED


def test_an_out_of_order_transition_says_why(admin_client, september):
    response = admin_client.post("/periods/2024-09/approve/", {"reason": ""})
    assert response.status_code == 200
    assert "2024-09" in response.context["form"].non_field_errors()[0]


def test_a_refused_transition_of_a_period_never_named_stores_nothing(admin_client):
    response = admin_client.post("/periods/2024-11/approve/", {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Period.objects.exists()


def test_an_editor_may_not_post_a_transition(client, editor_a, september):
    client.force_login(editor_a)
    response = client.post("/periods/2024-09/reopen/", {"reason": "想改"})
    assert response.status_code == 403
    assert Period.objects.get(pk=september.pk).status == Status.APPROVED


def test_a_command_post_member_may_approve(client, programme, group_a):
    from django.contrib.auth.models import Group

    from aidledger.models import BodyKind
    from ledger import permissions
    from tests.factories import BodyFactory, MemberRoleFactory, UserFactory

    post = BodyFactory(name="前线指挥部", kind=BodyKind.COMMAND_POST, batch=group_a.batch)
    account = UserFactory(username="leader")
    account.groups.add(Group.objects.get(name=permissions.EDITOR))
    MemberRoleFactory(body=post, member__batch=group_a.batch, member__user=account)
    client.force_login(account)
    assert client.post("/periods/2024-10/submit/", {"reason": ""}).status_code == 302
    assert client.post("/periods/2024-10/approve/", {"reason": ""}).status_code == 302
    assert client.post("/periods/2024-10/reopen/", {"reason": "更正"}).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/periods/2024-13/",
        "/periods/abc/",
        "/periods/2024-09/delete/",
        "/periods/2024-09/?programme=x",
    ],
)
def test_unknown_periods_and_actions_are_404(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(
    client, viewer, programme, django_assert_max_num_queries
):
    for code in ("2024-01", "2024-02"):
        approved_period(code, programme=programme)
    client.force_login(viewer)
    with django_assert_max_num_queries(12) as few:
        client.get("/periods/")
    for code in ("2024-03", "2024-04", "2024-05", "2024-06"):
        approved_period(code, programme=programme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/periods/")
