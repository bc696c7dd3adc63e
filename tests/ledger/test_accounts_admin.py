"""Issue 18, items 2 and 5: a ledger admin manages accounts in Chinese, as the ledger sees
them: each account's role, linked member and working groups, a 台账角色 form that links an
account to its members and says what that gives; no raw Django permission lists."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger import permissions
from tests.factories import MemberFactory, MemberRoleFactory, UserFactory, user_with_role
from tests.ledger.test_roles import _user_form

pytestmark = pytest.mark.django_db

ENGLISH = (
    "After you",
    "Choose",
    "Designates whether",
    "Specific permissions",
    "The groups this user belongs to",
    "Required. 150 characters",
    "Can add log entry",
)


@pytest.fixture
def as_ledger_admin(client, ledger_admin):
    client.force_login(ledger_admin)
    return client


def test_the_user_list_shows_role_member_and_working_groups(as_ledger_admin, editor_a, group_a):
    html = as_ledger_admin.get("/admin/auth/user/").content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{editor_a.username}.*?</tr>", html, re.S).group(0)
    assert permissions.EDITOR in row
    assert editor_a.members.get().name in row
    assert "产业扶持组" in row
    for header in ("台账角色", "关联队员", "工作组"):
        assert header in html


def test_the_user_list_queries_do_not_grow_with_accounts(as_ledger_admin, group_a):
    user_with_role(permissions.EDITOR, group_a)
    with CaptureQueriesContext(connection) as few:
        as_ledger_admin.get("/admin/auth/user/")
    for _ in range(8):
        user_with_role(permissions.EDITOR, group_a)
    with CaptureQueriesContext(connection) as many:
        as_ledger_admin.get("/admin/auth/user/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_account_page_is_chinese_without_permission_lists(as_ledger_admin, editor_a):
    for url in (f"/admin/auth/user/{editor_a.pk}/change/", "/admin/auth/user/add/"):
        html = as_ledger_admin.get(url).content.decode()
        assert 'name="user_permissions"' not in html
        found = [text for text in ENGLISH if text in html]
        assert found == [], (url, found)
    html = as_ledger_admin.get(f"/admin/auth/user/{editor_a.pk}/change/").content.decode()
    assert "台账角色" in html
    assert 'name="members"' in html


def test_the_account_page_explains_fields_in_the_ledgers_words(as_ledger_admin, editor_a):
    html = as_ledger_admin.get(f"/admin/auth/user/{editor_a.pk}/change/").content.decode()
    assert "改过台账的账号不能删除" in html


def test_the_account_page_says_what_the_role_gives(as_ledger_admin, editor_a):
    html = as_ledger_admin.get(f"/admin/auth/user/{editor_a.pk}/change/").content.decode()
    assert "可录入和修改以下工作组的记录" in html
    assert "产业扶持组" in html


def test_an_editor_without_a_member_is_told_so(as_ledger_admin):
    unlinked = user_with_role(permissions.EDITOR)
    html = as_ledger_admin.get(f"/admin/auth/user/{unlinked.pk}/change/").content.decode()
    assert "尚未关联" in html


def test_linking_an_account_to_a_member_gives_the_members_groups(as_ledger_admin, group_a):
    account = UserFactory(username="new-clerk")
    member = MemberFactory(batch=group_a.batch, name="李雷")
    MemberRoleFactory(member=member, body=group_a)
    editor = Group.objects.get(name=permissions.EDITOR)
    response = as_ledger_admin.post(
        f"/admin/auth/user/{account.pk}/change/",
        _user_form(account, groups=[editor.pk], members=[member.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.user == account
    assert permissions.editable_body_ids(account) == {group_a.pk}


def test_unlinking_a_member(as_ledger_admin, editor_a):
    member = editor_a.members.get()
    response = as_ledger_admin.post(
        f"/admin/auth/user/{editor_a.pk}/change/", _user_form(editor_a, members=[])
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user is None


def test_two_members_of_one_batch_are_refused_with_a_message(as_ledger_admin, group_a):
    account = UserFactory()
    first = MemberFactory(batch=group_a.batch)
    second = MemberFactory(batch=group_a.batch)
    response = as_ledger_admin.post(
        f"/admin/auth/user/{account.pk}/change/",
        _user_form(account, members=[first.pk, second.pk]),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["members"]
    assert any("同一批次" in error for error in errors)
    first.refresh_from_db()
    assert first.user is None


def test_an_editor_cannot_open_an_account(client, editor_a, viewer):
    client.force_login(editor_a)
    assert client.get(f"/admin/auth/user/{viewer.pk}/change/").status_code == 403
