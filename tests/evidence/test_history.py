"""Attaching and deleting evidence files show in their record's change history (修改记录) and in
the recent changes (/changes/), with who did it and when, in a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.history import record_changes
from tests.evidence import samples
from tests.factories import ExchangeFactory, PairingFactory, ProjectFactory, make_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_a(group_a):
    return ProjectFactory(responsible_body=group_a, name="优质肉牛全产业链")


def attach(client, record, name: str = "签约仪式现场照片.jpg", title: str = "签约仪式现场照片"):
    url = reverse("evidence-upload", args=[record._meta.label_lower, record.pk])
    data = {
        "evidence-title": title,
        "evidence-date": "2024-05-22",
        "evidence-file": samples.upload(name, samples.image("JPEG")),
    }
    assert client.post(url, data).status_code == 302


def file_changes(record) -> list[tuple[str, str, str, dict[str, str]]]:
    """(action, who, what, {field: value}) of the record's file entries, newest first."""
    return [
        (
            change.action_label,
            change.user.username if change.user else "",
            change.subject,
            {str(item.label): item.new for item in change.fields},
        )
        for change in record_changes(record)
        if change.subject.startswith("佐证材料")
    ]


def test_attaching_then_deleting_a_file_shows_who_did_it_in_the_records_history(
    client, editor_a, project_a, evidence_root
):
    client.force_login(editor_a)
    attach(client, project_a)
    evidence = project_a.evidence_files.get()
    client.post(reverse("evidence-delete", args=[evidence.pk]))

    deleted, added = file_changes(project_a)
    assert deleted == ("删除", "editor-a", "佐证材料：签约仪式现场照片", {})
    action, who, what, fields = added
    assert (action, who, what) == ("新增", "editor-a", "佐证材料：签约仪式现场照片")
    assert fields["文件名"] == "签约仪式现场照片.jpg"
    assert fields["日期"] == "2024-05-22"
    assert fields["类型"] == "JPEG 图片"
    # The generated storage name and the record it belongs to are not changes to read.
    assert "文件" not in fields
    assert "记录类型" not in fields
    assert "记录编号" not in fields

    page = client.get(project_a.get_absolute_url()).content.decode()
    history = page[page.index('id="change-history-title"') :]
    assert "佐证材料：签约仪式现场照片" in history
    assert "签约仪式现场照片.jpg" in history


def test_a_file_shows_on_its_own_records_history_only(editor_a, group_a, evidence_root):
    # A project and a pairing with the same id: the file is the pairing's, not the project's.
    pairing = PairingFactory(pk=90_001, responsible_body=group_a)
    project = ProjectFactory(pk=90_001, responsible_body=group_a)
    make_evidence(pairing, uploaded_by=editor_a, title="签约照片")
    assert [what for _a, _w, what, _f in file_changes(pairing)] == ["佐证材料：签约照片"]
    assert file_changes(project) == []


def test_every_record_page_shows_its_files_history(client, editor_a, group_a, evidence_root):
    exchange = ExchangeFactory(lead_body=group_a)
    client.force_login(editor_a)
    attach(client, exchange, title="义诊现场")
    page = client.get(exchange.get_absolute_url()).content.decode()
    assert "佐证材料：义诊现场" in page[page.index('id="change-history-title"') :]


def test_recent_changes_list_files_and_link_to_their_record(
    client, editor_a, project_a, evidence_root
):
    client.force_login(editor_a)
    attach(client, project_a)
    response = client.get("/changes/", {"model": "evidence.evidence"})
    assert response.status_code == 200
    rows = [obj for obj, _cells in response.context["table"]]
    assert [(r["record_type"], r["record"], r["user_name"]) for r in rows] == [
        ("佐证材料", "签约仪式现场照片", "editor-a")
    ]
    assert rows[0]["get_absolute_url"] == project_a.get_absolute_url()


def test_recent_changes_of_files_link_to_the_history_of_a_deleted_record(
    client, editor_a, project_a, evidence_root
):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    evidence.delete()
    pk = project_a.pk
    project_a.delete()
    client.force_login(editor_a)
    response = client.get("/changes/", {"model": "evidence.evidence"})
    rows = [obj for obj, _cells in response.context["table"]]
    assert {row["get_absolute_url"] for row in rows} == {
        reverse("admin:projects_project_history", args=[pk])
    }


def test_recent_changes_of_files_is_anonymous_visitors_login(client):
    response = client.get("/changes/", {"model": "evidence.evidence"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_queries_do_not_grow_with_files(client, editor_a, group_a, evidence_root):
    project = ProjectFactory(responsible_body=group_a)
    pairing = PairingFactory(responsible_body=group_a)

    def attach_files(count: int) -> None:
        for number in range(count):
            make_evidence(project, uploaded_by=editor_a, title=f"项目照片{number}")
            make_evidence(pairing, uploaded_by=editor_a, title=f"结对照片{number}")

    client.force_login(editor_a)
    attach_files(1)
    client.get(project.get_absolute_url())  # warm the content type cache
    with CaptureQueriesContext(connection) as few_changes:
        client.get("/changes/")
    with CaptureQueriesContext(connection) as few_record:
        client.get(project.get_absolute_url())
    attach_files(6)
    with CaptureQueriesContext(connection) as many_changes:
        response = client.get("/changes/")
    with CaptureQueriesContext(connection) as many_record:
        client.get(project.get_absolute_url())
    assert len([r for r, _c in response.context["table"] if r["record_type"] == "佐证材料"]) == 14
    assert len(many_changes.captured_queries) == len(few_changes.captured_queries)
    assert len(many_record.captured_queries) == len(few_record.captured_queries)
