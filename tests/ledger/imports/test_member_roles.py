"""The members import's roles column (职务): the member's roles in the bodies of its batch,
replaced by the row when the column is there, left alone when it is not."""

import pytest
from django.utils import translation

from aidledger.models import Member, MemberRole
from ledger.imports.run import run_import
from ledger.imports.specs import specs
from ledger.imports.workbook import export_rows
from tests.factories import BatchFactory, BodyFactory, MemberFactory, MemberRoleFactory
from tests.ledger.imports.conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["批次", "姓名", "职务"]


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def second(group_a, group_b):
    BodyFactory(batch=group_a.batch, name="临时党支部", kind="party_branch")
    return group_a.batch


def members_import(rows, header=HEADER, **options):
    return run_import(specs()["members"], csv_bytes(header, rows), **options)


def roles_of(name: str) -> list[tuple[str, str]]:
    member = Member.objects.get(name=name)
    return sorted((role.body.name, role.role) for role in member.roles.select_related("body"))


def test_roles_are_imported_with_their_member(second):
    result = members_import([["第二批", "张三", "产业扶持组 · 组长；临时党支部 · 委员"]])
    assert result.ok, result.report()
    assert roles_of("张三") == [("临时党支部", "committee"), ("产业扶持组", "head")]


def test_reimporting_the_same_roles_changes_nothing(second):
    rows = [["第二批", "张三", "产业扶持组 · 组长; 临时党支部 · 委员"]]
    members_import(rows)
    again = members_import(rows)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 1}


def test_a_row_replaces_the_members_roles_and_the_history_shows_how(second, group_a):
    members_import([["第二批", "张三", "产业扶持组 · 成员; 临时党支部 · 委员"]])
    result = members_import([["第二批", "张三", "产业扶持组 · 组长; 社会事业组 · 成员"]])
    assert result.counts["updated"] == 1
    assert roles_of("张三") == [("产业扶持组", "head"), ("社会事业组", "member")]
    role = MemberRole.objects.get(body=group_a)
    # Changed in place (成员 → 组长), not deleted and added again.
    assert [row.history_type for row in role.history.order_by("history_id")] == ["+", "~"]


def test_an_empty_cell_removes_the_roles_and_a_file_without_the_column_keeps_them(second):
    members_import([["第二批", "张三", "产业扶持组 · 组长"]])
    members_import([["第二批", "张三", "派出单位甲"]], header=["批次", "姓名", "派出单位"])
    assert roles_of("张三") == [("产业扶持组", "head")]
    members_import([["第二批", "张三", ""]])
    assert roles_of("张三") == []


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("产业扶持组", "“机构 · 职务”"),
        ("宣传组 · 成员", "没有名为 宣传组 的机构"),
        ("产业扶持组 · 司令", "不在可选值之内"),
        ("产业扶持组 · 组长; 产业扶持组 · 成员", "每个机构只能有一个职务"),
    ],
)
def test_unreadable_roles_are_reported_with_their_row_and_nothing_is_written(second, cell, problem):
    result = members_import([["第二批", "李四", "产业扶持组 · 成员"], ["第二批", "张三", cell]])
    assert [(error.row, error.column) for error in result.errors] == [(3, "职务")]
    assert problem in result.errors[0].message
    assert Member.objects.count() == 0


def test_a_body_of_another_batch_is_refused(second):
    first = BatchFactory(programme=second.programme, number=1, name="第一批")
    BodyFactory(batch=first, name="综合协调组")
    result = members_import([["第二批", "张三", "综合协调组 · 组长"]])
    assert [error.column for error in result.errors] == ["职务"]


def test_the_import_format_writes_the_roles_back(second, group_a):
    member = MemberFactory(batch=second, name="张三")
    MemberRoleFactory(member=member, body=group_a, role="head")
    (row,) = export_rows(specs()["members"])
    header = [specs()["members"].label(col) for col in specs()["members"].columns]
    assert row[header.index("职务")] == "产业扶持组 · 组长"
